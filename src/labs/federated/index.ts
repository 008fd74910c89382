/**
 * The poisoning and federated lab: a BadNets backdoor in one model's training data and the defence
 * that finds it; a federated simulation of 5 to 100 clients with malicious ones (backdoor, model
 * replacement, label flipping, sybils) and the robust aggregators that stop them (or do not). Its
 * public entry.
 *
 *   algorithms/   poisoning algorithms, one file each (+ test)
 *   aggregators/  one pure function per aggregation rule over update vectors (+ test)
 *   experiment.ts the lab's slice (URL keys fl.*), composed of experiment/<part>.ts
 *   jobs.ts       worker jobs;  ui/  panels;  cli/  rlab commands
 */
import { FEDERATED_SLICE, cloneFederatedPart, defaultFederatedPart, type FederatedExperiment } from './experiment';

export { FEDERATED_SLICE, type FederatedExperiment };
export type { PoisonSettings } from './experiment/poison';
export type { FederationSettings } from './experiment/federation';
export type { AggregationSettings } from './experiment/aggregation';
// the federated simulation: the job's request, progress payload and result (see fl-job.ts, simulation.ts)
export type { FlRequest, FlEvent, FlOutcome } from './fl-types';
export type { RoundReport, SplitReport, SimulationResult } from './simulation';
export { simulationSettings, type SimulationSettings } from './fl-settings';
export { ATTACKS, type AttackKind, type AttackSettings } from './algorithms/malicious';
export { parseSplit, splitText, type SplitSpec } from './algorithms/split';

export const federatedLab = {
  id: 'federated',
  title: 'Poisoning & federated',
  slice: FEDERATED_SLICE,
  defaults: defaultFederatedPart,
  clone: cloneFederatedPart,
};

// the lab's lessons (src/labs/lessons.ts lists them) and the state its panels publish for them
export {
  FEDERATED_LESSONS,
  type FederatedLesson,
  type FederatedLessonState,
  type FederatedLessonView,
  type FlRunView,
  type PoisonRunView,
} from './lessons/index';
