/**
 * In-browser training's part of the defences lab's slice (`def.*` URL keys): the recipe a student
 * trains (method, budget, schedule, data). Budgets default to the data set's usual ones (the zoo's
 * recipes): MNIST eps 0.3 with PGD steps of 0.1 (Madry et al.'s 40 x 0.01 is 6x slower; the zoo's
 * mnist-cnn-robust uses 7 x 0.1), Fashion-MNIST eps 0.1, CIFAR-10 eps 8/255 with steps of 2/255
 * (Madry et al.'s CIFAR set-up); FGSM-RS steps 1.25 eps (Wong et al. 2020).
 */
import type { Field } from '../../../core/experiment/fields';

export type TrainingMethod = 'standard' | 'fgsm-rs' | 'pgd' | 'trades';

export interface TrainingSettings {
  /** standard, FGSM with random start (Wong et al. 2020), PGD-AT (Madry et al. 2018), TRADES (Zhang et al. 2019). */
  method: TrainingMethod;
  epochs: number;
  /** 'scratch': a new network of the data set's zoo architecture; 'fine-tune': the model chosen in Setup. */
  start: 'scratch' | 'fine-tune';
  batchSize: number;
  /** Adam's learning rate (peak of the one-cycle schedule, or the constant rate). */
  learningRate: number;
  schedule: 'one-cycle' | 'constant';
  /** L-inf budget of the training attack (and of the holdout PGD that chooses the checkpoint). */
  eps: number;
  /** PGD steps (pgd, trades). */
  steps: number;
  /** Step size of the training attack (FGSM-RS: its one step; PGD, TRADES: each step). */
  stepSize: number;
  /** TRADES' beta (weight of the KL robustness term). */
  beta: number;
  /** Training images used: the first n of the official training file (0: all but the held-out ones). */
  slice: number;
  /** Held-out images (the last of the training file): the per-epoch clean and PGD accuracy, and the checkpoint. */
  holdout: number;
  /** Every this many batches, clean and PGD accuracy on the first 100 held-out images (0: only per epoch). */
  probeEvery: number;
  /** Test images the finished model's card is measured on (clean and PGD-10 at eps). */
  testImages: number;
  seed: number;
}

export interface TrainingPart {
  training: TrainingSettings;
}

type Ctx = TrainingPart & { dataset?: string };

/** The data set's usual budgets (the zoo recipes'), by data set id. */
export function trainingBudget(dataset: string | undefined): { eps: number; stepSize: number; fgsmStep: number } {
  if (dataset === 'cifar10') return { eps: 8 / 255, stepSize: 2 / 255, fgsmStep: 10 / 255 };
  if (dataset === 'fashion-mnist') return { eps: 0.1, stepSize: 0.025, fgsmStep: 0.125 };
  return { eps: 0.3, stepSize: 0.1, fgsmStep: 0.375 };
}

const budget = (e: Ctx) => trainingBudget(e.dataset);

export const TRAINING_FIELDS: readonly Field<TrainingPart>[] = [
  {
    path: 'training.method',
    url: 'tm',
    cli: 'method',
    type: { kind: 'enum', values: ['standard', 'fgsm-rs', 'pgd', 'trades'] },
    label: 'training method',
    help: 'standard, fgsm-rs (Wong et al. 2020), pgd (Madry et al. 2018) or trades (Zhang et al. 2019)',
    default: 'pgd',
  },
  {
    path: 'training.epochs',
    url: 'ep',
    cli: 'epochs',
    type: { kind: 'int', min: 1, max: 200 },
    label: 'epochs',
    default: 1,
  },
  {
    path: 'training.start',
    url: 'tfrom',
    cli: 'train-start',
    type: { kind: 'enum', values: ['scratch', 'fine-tune'] },
    label: 'start from',
    help: 'scratch (a new network) or fine-tune (the chosen model)',
    default: 'scratch',
  },
  {
    path: 'training.batchSize',
    url: 'tbs',
    cli: 'batch-size',
    type: { kind: 'int', min: 1, max: 1024 },
    label: 'batch size',
    default: 128,
  },
  {
    path: 'training.learningRate',
    url: 'tlr',
    cli: 'train-lr',
    type: { kind: 'float', min: 1e-6, max: 1 },
    label: 'learning rate',
    help: "Adam's learning rate (the one-cycle peak, or the constant rate)",
    default: 2e-3,
  },
  {
    path: 'training.schedule',
    url: 'tsch',
    cli: 'schedule',
    type: { kind: 'enum', values: ['one-cycle', 'constant'] },
    label: 'schedule',
    help: 'one-cycle (up over 20% of the steps, down to 0) or constant',
    default: 'one-cycle',
  },
  {
    path: 'training.eps',
    url: 'teps',
    cli: 'train-eps',
    type: { kind: 'float', min: 0, max: 1 },
    label: 'training eps (L-inf)',
    default: 0.3,
    defaultFor: (e) => budget(e as Ctx).eps,
  },
  {
    path: 'training.steps',
    url: 'tst',
    cli: 'train-steps',
    type: { kind: 'int', min: 1, max: 100 },
    label: 'attack steps',
    help: 'PGD steps of the training attack (pgd, trades)',
    default: 7,
  },
  {
    path: 'training.stepSize',
    url: 'tss',
    cli: 'train-step-size',
    type: { kind: 'float', min: 0, max: 1 },
    label: 'attack step size',
    help: 'FGSM-RS: its one step (1.25 eps, Wong et al.); PGD and TRADES: each step',
    default: 0.1,
    defaultFor: (e) => {
      const b = budget(e as Ctx);
      return (e as Ctx).training?.method === 'fgsm-rs' ? b.fgsmStep : b.stepSize;
    },
  },
  {
    path: 'training.beta',
    url: 'tbeta',
    cli: 'beta',
    type: { kind: 'float', min: 0, max: 100 },
    label: 'TRADES beta',
    default: 6,
  },
  {
    path: 'training.slice',
    url: 'tn',
    cli: 'train-images',
    type: { kind: 'int', min: 0, max: 60000 },
    label: 'training images',
    help: 'the first n images of the training file (0: all but the held-out ones)',
    default: 0,
  },
  {
    path: 'training.holdout',
    url: 'tho',
    cli: 'holdout',
    type: { kind: 'int', min: 10, max: 10000 },
    label: 'held-out images',
    help: 'the last images of the training file: clean and PGD-10 accuracy after each epoch choose the checkpoint',
    default: 1000,
  },
  {
    path: 'training.probeEvery',
    url: 'tpe',
    cli: 'probe-every',
    type: { kind: 'int', min: 0, max: 10000 },
    label: 'probe every (batches)',
    help: 'clean and PGD accuracy on 100 held-out images every this many batches (0: per epoch only)',
    default: 50,
  },
  {
    path: 'training.testImages',
    url: 'ttn',
    cli: 'card-images',
    type: { kind: 'int', min: 10, max: 10000 },
    label: 'test images for the card',
    default: 1000,
  },
  {
    path: 'training.seed',
    url: 'tseed',
    cli: 'train-seed',
    type: { kind: 'int', min: 0, max: 2147483647 },
    label: 'seed',
    default: 1,
  },
];

export const defaultTraining = (): TrainingSettings => ({
  method: 'pgd',
  epochs: 1,
  start: 'scratch',
  batchSize: 128,
  learningRate: 2e-3,
  schedule: 'one-cycle',
  eps: 0.3,
  steps: 7,
  stepSize: 0.1,
  beta: 6,
  slice: 0,
  holdout: 1000,
  probeEvery: 50,
  testImages: 1000,
  seed: 1,
});
