/**
 * Data poisoning's part of the federated lab's slice (`fl.*` URL keys): the BadNets backdoor of one
 * model (Gu et al. 2017) and the data-poisoning defence run on it. Its seed is the lab's one seed
 * (`federation.seed`, flag --seed).
 */
import type { Field } from '../../../core/experiment/fields';
import { parseTrigger } from '../algorithms/trigger';

export type PoisonDefence = 'none' | 'activation-clustering' | 'spectral';
export const POISON_DEFENCES: readonly PoisonDefence[] = ['none', 'activation-clustering', 'spectral'];

export interface PoisonSettings {
  /** The trigger spec (algorithms/trigger.ts), e.g. `patch:4:br`. */
  trigger: string;
  /** Share of the training images that carry the trigger (relabelled). */
  rate: number;
  /** Target class of the all-to-one backdoor. */
  target: number;
  /** all-to-one (to the target) or all-to-all (y -> y + 1 mod 10). */
  mode: 'all-to-one' | 'all-to-all';
  /** Training epochs (the poisoned model, the clean comparison and the retrained one). */
  epochs: number;
  /** Training images used: the first ones of the training split (0: all). */
  trainImages: number;
  /** Test images measured: the first ones of the test split (0: all). */
  testImages: number;
  defence: PoisonDefence;
}

export interface PoisonPart {
  poison: PoisonSettings;
}

export const defaultPoison = (): PoisonSettings => ({
  trigger: 'patch:4:br',
  rate: 0.1,
  target: 0,
  mode: 'all-to-one',
  epochs: 2,
  trainImages: 0,
  testImages: 0,
  defence: 'none',
});

/** The trigger field's check: the canonical text, or the parser's one-line message. */
export function checkTrigger(s: string): { error: string } | { value: string } {
  try {
    parseTrigger(s);
    return { value: s.trim() };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

export const POISON_FIELDS: readonly Field<PoisonPart>[] = [
  {
    path: 'poison.trigger',
    url: 'trig',
    cli: 'trigger',
    type: { kind: 'text', maxLength: 120, what: 'trigger', check: checkTrigger },
    label: 'trigger',
    help: 'patch:<size>:<br|bl|tr|tl|x,y>[:white|checker|m<0/1 mask>][:<alpha>]',
    default: 'patch:4:br',
  },
  {
    path: 'poison.rate',
    url: 'prate',
    cli: 'rate',
    type: { kind: 'float', min: 0, max: 1 },
    label: 'poison rate',
    help: 'share of the training images given the trigger and relabelled',
    default: 0.1,
    slider: () => ({ min: 0, max: 0.5, step: 0.01 }),
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
  {
    path: 'poison.mode',
    url: 'pmode',
    cli: 'mode',
    type: { kind: 'enum', values: ['all-to-one', 'all-to-all'] },
    label: 'label change',
    help: 'all-to-one (to the target) or all-to-all (y -> y + 1 mod 10)',
    default: 'all-to-one',
  },
  {
    path: 'poison.epochs',
    url: 'pep',
    cli: 'epochs',
    type: { kind: 'int', min: 1, max: 50 },
    label: 'epochs',
    help: 'training epochs of the poisoned model (and of the clean and retrained ones)',
    default: 2,
  },
  {
    path: 'poison.trainImages',
    url: 'pn',
    cli: 'train-images',
    type: { kind: 'int', min: 0, max: 60000 },
    label: 'training images',
    help: 'the first training images used (0: all)',
    default: 0,
  },
  {
    path: 'poison.testImages',
    url: 'ptn',
    cli: 'test-images',
    type: { kind: 'int', min: 0, max: 10000 },
    label: 'test images',
    help: 'the first test images measured (0: all)',
    default: 0,
  },
  {
    path: 'poison.defence',
    url: 'pdef',
    cli: 'defence',
    type: { kind: 'enum', values: POISON_DEFENCES },
    label: 'defence',
    help: 'none, activation-clustering (Chen et al. 2018) or spectral (signatures, Tran et al. 2018)',
    default: 'none',
  },
];
