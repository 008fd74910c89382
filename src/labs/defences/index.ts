/**
 * The defences lab: adversarial training in the browser (standard, FGSM-RS, PGD-AT, TRADES), input
 * transformations with the adaptive attacks that break them (BPDA, EOT) and the feature-squeezing
 * detector, and certified robustness by randomized smoothing. Its public entry.
 *
 *   algorithms/   one file per algorithm (+ test)
 *   experiment.ts the lab's slice (URL keys def.*), composed of experiment/<part>.ts
 *   jobs.ts       worker jobs;  ui/  panels;  cli/  rlab commands
 */
import { DEFENCES_SLICE, cloneDefencesPart, defaultDefencesPart, type DefencesExperiment } from './experiment';

export { DEFENCES_SLICE, type DefencesExperiment };
export type { DefendedSettings } from './experiment/defended';
export type { CertifySettings } from './experiment/certify';
export type { TrainingSettings } from './experiment/training';
export {
  deleteRun,
  freeId,
  isUserModel,
  listUserModels,
  loadRun,
  saveRun,
  saveUserModel,
  storedModelCards,
  userModelFiles,
  userStore,
  USER_RECIPE,
} from './training/user-models';
// how a model was trained, read from its card (the privacy lab's accuracy-against-epsilon chart finds the
// non-private baseline with it)
export { trainingMethodOf } from './training/log';

export const defencesLab = {
  id: 'defences',
  title: 'Defences',
  slice: DEFENCES_SLICE,
  defaults: defaultDefencesPart,
  clone: cloneDefencesPart,
};
// The training steps (algorithms/trades.ts: recipeStep, tradesStep, ...) are not re-exported here: they
// need TensorFlow.js, and this entry is read by the page's main thread, which does not load it (the
// worker and the CLI import algorithms/trades.ts itself).
