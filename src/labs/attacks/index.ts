/**
 * The attacks lab (evasion): the attack studio on one image, the batch robustness check, and the
 * attack library behind `rlab eval` and the zoo table. Its public entry: what the app's lab list
 * (src/labs/index.ts), other labs, the worker, the UI shell and the CLI may use.
 *
 *   algorithms/   one file per attack (+ test), definition.ts (what an attack declares), registry.ts (the list)
 *   experiment.ts the lab's slice of the experiment description (URL keys atk.*, CLI flags, defaults, v1 migration)
 *   holdout.ts    the PGD that measures training runs' holdout robustness
 *   benchmark.ts  inference / input-gradient / PGD throughput on the active backend
 */
import { ATTACKS_SLICE, cloneAttacksPart, defaultAttackSettings, defaultBatchSettings, type AttacksExperiment } from './experiment';

export * from './algorithms/registry';
export {
  ATTACK_PARAM_FIELDS,
  ATTACKS_SLICE,
  COLOUR_LINF,
  paramKey,
  type AttackSettings,
  type AttacksExperiment,
  type BatchSettings,
} from './experiment';
export { holdoutPgd } from './holdout';
export type { BenchmarkResult } from './benchmark';
/** The throughput benchmark, imported on first use: it needs TensorFlow.js, which the page's main thread does not load. */
export const benchmarkClassifier: typeof import('./benchmark').benchmarkClassifier = async (...args) =>
  (await import('./benchmark')).benchmarkClassifier(...args);

export const attacksLab = {
  id: 'attacks',
  title: 'Attacks',
  slice: ATTACKS_SLICE,
  /** The lab's part of the default experiment. */
  defaults: (): Pick<AttacksExperiment, 'attack' | 'batch'> => ({ attack: defaultAttackSettings(), batch: defaultBatchSettings() }),
  /** A copy of the lab's part of an experiment. */
  clone: cloneAttacksPart,
};
export { attackPreset, datasetPreset } from './presets';
export { ATTACK_LESSONS, type AttackLesson, type AttackLessonView } from './lessons/index';
export { nextMoveAfterFooling, recordedRobustness, robustAlternative, type NextMove, type RecordedRobustness } from './next-move';
export { STARTER_SAMPLE } from './starter';
