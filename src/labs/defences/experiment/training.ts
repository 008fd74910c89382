/**
 * In-browser training's part of the defences lab's slice (`def.*` URL keys): the recipe a student
 * trains (method, budget, schedule).
 */
import type { Field } from '../../../core/experiment/fields';

export interface TrainingSettings {
  /** standard, FGSM with random start (Wong et al. 2020), PGD-AT (Madry et al. 2018), TRADES (Zhang et al. 2019). */
  method: 'standard' | 'fgsm-rs' | 'pgd' | 'trades';
  epochs: number;
}

export interface TrainingPart {
  training: TrainingSettings;
}

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
];

export const defaultTraining = (): TrainingSettings => ({ method: 'pgd', epochs: 1 });
