/**
 * The federated simulation's part of the federated lab's slice (`fl.*` URL keys): clients, data
 * split, rounds, local training, malicious clients and the aggregator.
 */
import type { Field } from '../../../core/experiment/fields';

export interface FederationSettings {
  /** Simulated clients (5 to 100). */
  clients: number;
  /** Clients sampled per round. */
  perRound: number;
  rounds: number;
  seed: number;
}

export interface FederationPart {
  federation: FederationSettings;
}

export const defaultFederation = (): FederationSettings => ({ clients: 10, perRound: 10, rounds: 30, seed: 0 });

export const FEDERATION_FIELDS: readonly Field<FederationPart>[] = [
  {
    path: 'federation.clients',
    url: 'n',
    cli: 'clients',
    type: { kind: 'int', min: 2, max: 100 },
    label: 'clients',
    help: 'simulated clients',
    default: 10,
  },
  {
    path: 'federation.perRound',
    url: 'k',
    cli: 'per-round',
    type: { kind: 'int', min: 1, max: 100 },
    label: 'clients per round',
    help: 'clients sampled each round',
    default: 10,
  },
  {
    path: 'federation.rounds',
    url: 'r',
    cli: 'rounds',
    type: { kind: 'int', min: 1, max: 1000 },
    label: 'rounds',
    default: 30,
  },
  {
    path: 'federation.seed',
    url: 'seed',
    cli: 'seed',
    type: { kind: 'int', min: 0, max: 2 ** 31 - 1 },
    label: 'seed',
    help: 'seed of the poisoned subset, the split, the client sampling, local training and the attacks',
    default: 0,
  },
];
