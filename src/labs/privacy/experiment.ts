/**
 * The privacy lab's slice of the experiment description (URL keys `pv.*`, version 1): DP-SGD training,
 * membership inference and gradient leakage. Each part's fields live in experiment/<part>.ts and are
 * listed here.
 */
import type { Slice } from '../../core/experiment/codec';
import type { Field } from '../../core/experiment/fields';
import { DP_FIELDS, defaultDp, type DpPart } from './experiment/dp';
import { LEAK_FIELDS, defaultLeak, type LeakPart } from './experiment/leak';
import { MIA_FIELDS, defaultMia, type MiaPart } from './experiment/mia';

export type PrivacyExperiment = MiaPart & LeakPart & DpPart;

export const PRIVACY_SLICE: Slice<PrivacyExperiment> = {
  prefix: 'pv',
  version: 1,
  fields: [
    ...(MIA_FIELDS as readonly Field<PrivacyExperiment>[]),
    ...(LEAK_FIELDS as readonly Field<PrivacyExperiment>[]),
    ...(DP_FIELDS as readonly Field<PrivacyExperiment>[]),
  ],
};

export const defaultPrivacyPart = (): PrivacyExperiment => ({ mia: defaultMia(), leak: defaultLeak(), dp: defaultDp() });

export function clonePrivacyPart<E extends PrivacyExperiment>(e: E): E {
  return { ...e, mia: { ...e.mia }, leak: { ...e.leak }, dp: { ...e.dp } };
}
