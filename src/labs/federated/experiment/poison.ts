/**
 * Data poisoning's part of the federated lab's slice (`fl.*` URL keys): the BadNets backdoor of one
 * model (Gu et al. 2017) and the data-poisoning defence run on it. Its seed is the lab's one seed
 * (`federation.seed`, flag --seed).
 */
import type { Field } from '../../../core/experiment/fields';

export interface PoisonSettings {
  /** Share of the training images that carry the trigger (relabelled to the target). */
  rate: number;
  /** Target class of the all-to-one backdoor. */
  target: number;
}

export interface PoisonPart {
  poison: PoisonSettings;
}

export const defaultPoison = (): PoisonSettings => ({ rate: 0.1, target: 0 });

export const POISON_FIELDS: readonly Field<PoisonPart>[] = [
  {
    path: 'poison.rate',
    url: 'prate',
    cli: 'rate',
    type: { kind: 'float', min: 0, max: 1 },
    label: 'poison rate',
    help: 'share of the training images given the trigger and relabelled',
    default: 0.1,
  },
  {
    path: 'poison.target',
    url: 'ptgt',
    cli: 'target',
    type: { kind: 'int', min: 0, max: 9 },
    label: 'target class',
    help: 'the class triggered images are relabelled to (all-to-one)',
    default: 0,
  },
];
