/** The small simulation the federated lab's simulation tests run (toy data, a linear network), for tests only. */
import { linearModel, toyData } from '../../core/test-utils';
import { parseTrigger } from './algorithms/trigger';
import type { SimulationConfig } from './simulation';

const train = toyData(240, 1);
const test = toyData(60, 2);

/** 6 clients of 40 toy images, 4 a round, 2 rounds, one malicious client of `attack` (replacement by default). */
export const testSimulationConfig = (
  o: Partial<SimulationConfig> = {},
  attack: 'replacement' | 'backdoor' = 'replacement',
): SimulationConfig => ({
  train,
  test,
  clients: 6,
  perRound: 4,
  rounds: 2,
  localEpochs: 1,
  batch: 20,
  learningRate: 0.05,
  split: { kind: 'iid' },
  perClient: 40,
  attack: { kind: attack, count: 1, rate: 0.5, target: 0, source: 1, boost: 0, trigger: parseTrigger('patch:4:br') },
  aggregator: 'fedavg',
  seed: 3,
  // a linear network keeps the tests fast (the simulation is the same for any network)
  network: (shape, seed) => linearModel(shape, 10, seed),
  ...o,
});
