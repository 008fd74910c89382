/**
 * The privacy lab's slice of the experiment description (URL keys `pv.*`, version 1): DP-SGD training,
 * membership inference and gradient leakage. Each part's fields live in experiment/<part>.ts and are
 * listed here.
 */
import type { Slice } from '../../core/experiment/codec';
import type { Field } from '../../core/experiment/fields';
import { MIA_FIELDS, defaultMia, type MiaPart } from './experiment/mia';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- grows one part per section (dp, mia, leak)
export interface PrivacyExperiment extends MiaPart {}

export const PRIVACY_SLICE: Slice<PrivacyExperiment> = {
  prefix: 'pv',
  version: 1,
  fields: [...(MIA_FIELDS as readonly Field<PrivacyExperiment>[])],
};

export const defaultPrivacyPart = (): PrivacyExperiment => ({ mia: defaultMia() });

export function clonePrivacyPart<E extends PrivacyExperiment>(e: E): E {
  return { ...e, mia: { ...e.mia } };
}
