/**
 * The privacy lab's slice of the experiment description (URL keys `pv.*`, version 1): DP-SGD training,
 * membership inference and gradient leakage. Each part's fields live in experiment/<part>.ts and are
 * listed here.
 */
import type { Slice } from '../../core/experiment/codec';
import type { Field } from '../../core/experiment/fields';
import { LEAK_FIELDS, defaultLeak, type LeakPart } from './experiment/leak';

export type PrivacyExperiment = LeakPart;

export const PRIVACY_SLICE: Slice<PrivacyExperiment> = {
  prefix: 'pv',
  version: 1,
  fields: [...(LEAK_FIELDS as readonly Field<PrivacyExperiment>[])],
};

export const defaultPrivacyPart = (): PrivacyExperiment => ({ leak: defaultLeak() });

export function clonePrivacyPart<E extends PrivacyExperiment>(e: E): E {
  return { ...e, leak: { ...e.leak } };
}
