/**
 * The federated lab's slice of the experiment description (URL keys `fl.*`, version 2): data
 * poisoning of one model, and the federated simulation. Each part's fields live in experiment/<part>.ts.
 */
import type { Slice } from '../../core/experiment/codec';
import type { Field } from '../../core/experiment/fields';
import { AGGREGATION_FIELDS, SERVER_PRIVACY_FIELDS, defaultAggregation, type AggregationPart } from './experiment/aggregation';
import { FEDERATION_FIELDS, defaultFederation, type FederationPart } from './experiment/federation';
import { POISON_FIELDS, defaultPoison, type PoisonPart } from './experiment/poison';

export type FederatedExperiment = PoisonPart & FederationPart & AggregationPart;

export const FEDERATED_SLICE: Slice<FederatedExperiment> = {
  prefix: 'fl',
  // 2: norm clipping's default bound became 0 (the round's median norm); version 1's default was 1
  version: 2,
  fields: [
    ...(POISON_FIELDS as readonly Field<FederatedExperiment>[]),
    ...(FEDERATION_FIELDS as readonly Field<FederatedExperiment>[]),
    ...(AGGREGATION_FIELDS as readonly Field<FederatedExperiment>[]),
    ...(SERVER_PRIVACY_FIELDS as readonly Field<FederatedExperiment>[]),
  ],
  migrations: {
    1: (raw) => {
      if (!raw.has('clip')) raw.set('clip', '1');
    },
  },
};

export const defaultFederatedPart = (): FederatedExperiment => ({
  poison: defaultPoison(),
  federation: defaultFederation(),
  aggregation: defaultAggregation(),
});

export function cloneFederatedPart<E extends FederatedExperiment>(e: E): E {
  return { ...e, poison: { ...e.poison }, federation: { ...e.federation }, aggregation: { ...e.aggregation } };
}
