/**
 * The malicious clients of the federated simulation: what data each trains on and what it sends.
 *
 * - backdoor: BadNets (Gu et al. 2017) on the client's own data: a seeded share `rate` of its images
 *   (those not already of the target class) get the trigger and the target label; its update is sent
 *   as it is ("naive" backdoor in Bagdasaryan et al. 2020).
 * - replacement: model replacement (Bagdasaryan et al. 2020, eq. 3): the same backdoored training, then
 *   the update is scaled by gamma = n / eta (n: clients per round, eta: the server's learning rate, 1
 *   here), so that averaging replaces the global model by the backdoored one: X = gamma (L - G) + G.
 *   The paper also trains the attacker longer with a smaller learning rate; here it trains as the
 *   honest clients do (the boost is the attack).
 * - label-flip: the client relabels its own images of class `source` as `target` (Tolpegin et al. 2020;
 *   Fung et al. 2020's 1 -> 7) and keeps its other images.
 * - sybil: FoolsGold's threat model (Fung et al. 2020): the malicious clients are sybils of one
 *   attacker sharing one poisoned data set. As the FoolsGold authors' MNIST experiments, that data set is
 *   made of source-class images, all labelled target (one share of images per sybil, drawn once from
 *   the training set, identical for every sybil).
 *
 * The malicious clients are the chosen ids (`--malicious-clients`), else clients 0 .. count - 1 (the
 * split is seeded, so which data they hold is as random as any client's).
 */
import type { LabeledImages } from '../../../core/data/types';
import { Rng } from '../../../core/random';
import { isMaliciousClient } from './malicious-clients';
import { stampImage, type TriggerSpec } from './trigger';

export const ATTACKS = ['none', 'backdoor', 'replacement', 'label-flip', 'sybil'] as const;
export type AttackKind = (typeof ATTACKS)[number];

export interface AttackSettings {
  kind: AttackKind;
  /** Malicious clients: `ids` when given, else the first `count` clients (malicious-clients.ts). */
  count: number;
  ids?: readonly number[];
  /** Backdoor and replacement: share of a malicious client's images given the trigger. */
  rate: number;
  /** The class the backdoor or the flip aims at. */
  target: number;
  /** Label flip and sybils: the class flipped to the target. */
  source: number;
  /** Replacement's boost gamma; 0: clients per round / server learning rate (the paper's n / eta). */
  boost: number;
  trigger: TriggerSpec;
}

export const isBackdoor = (k: AttackKind) => k === 'backdoor' || k === 'replacement';
export const isFlip = (k: AttackKind) => k === 'label-flip' || k === 'sybil';

/** The boost factor of a replacement attacker's update (1 for every other client). */
export function boostFactor(a: AttackSettings, perRound: number, serverLearningRate = 1): number {
  if (a.kind !== 'replacement') return 1;
  return a.boost > 0 ? a.boost : perRound / serverLearningRate;
}

/** A copy of the images of `indices` (in that order). */
export function gather(set: LabeledImages, indices: ArrayLike<number>): LabeledImages {
  const [h, w, c] = set.shape;
  const per = h * w * c;
  const pixels = new Uint8Array(indices.length * per);
  const labels = new Uint8Array(indices.length);
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j];
    pixels.set(set.pixels.subarray(i * per, (i + 1) * per), j * per);
    labels[j] = set.labels[i];
  }
  return { n: indices.length, shape: set.shape, pixels, labels };
}

/**
 * BadNets on a client's data (in place): a seeded share `rate` of the images not of the target class
 * (round(rate * n) of all n, or all of the others if fewer) stamped and relabelled. Returns the indices poisoned.
 */
export function backdoorInPlace(data: LabeledImages, a: AttackSettings, seed: number): number[] {
  const rng = new Rng(seed ^ 0x68e31da4);
  const order = rng.permutation(data.n);
  const want = Math.round(a.rate * data.n);
  const chosen: number[] = [];
  for (const i of order) {
    if (chosen.length >= want) break;
    if (data.labels[i] === a.target) continue;
    stampImage(data.pixels, i, data.shape, a.trigger);
    data.labels[i] = a.target;
    chosen.push(i);
  }
  return chosen.sort((x, y) => x - y);
}

/** Label flipping on a client's data (in place): every image of `source` relabelled `target`. Returns how many. */
export function flipInPlace(data: LabeledImages, source: number, target: number): number {
  let k = 0;
  for (let i = 0; i < data.n; i++)
    if (data.labels[i] === source) {
      data.labels[i] = target;
      k++;
    }
  return k;
}

/** The sybils' shared data set: `size` source-class images of the training set (seeded), all labelled target. */
export function sybilData(train: LabeledImages, a: AttackSettings, size: number, seed: number): LabeledImages {
  const sources: number[] = [];
  for (let i = 0; i < train.n; i++) if (train.labels[i] === a.source) sources.push(i);
  if (sources.length === 0) throw new Error(`the training set has no image of class ${a.source} for the sybils`);
  const rng = new Rng(seed ^ 0x1b873593);
  const perm = rng.permutation(sources.length);
  const take = Math.min(size, sources.length);
  const idx = Array.from(perm.subarray(0, take), (j) => sources[j]).sort((x, y) => x - y);
  const data = gather(train, idx);
  data.labels.fill(a.target);
  return data;
}

/**
 * The data a client trains on: its own images (a copy for a malicious client, poisoned as its attack
 * says), the sybils' shared set for a sybil. `indices` are the client's images in `train`.
 */
export function clientData(
  train: LabeledImages,
  indices: Int32Array,
  client: number,
  a: AttackSettings,
  seed: number,
  sybilSet?: LabeledImages,
): { data: LabeledImages; indices: Int32Array | null } {
  if (!isMaliciousClient(a, client)) return { data: train, indices };
  if (a.kind === 'sybil') {
    if (!sybilSet) throw new Error('the sybils need their shared data set');
    return { data: sybilSet, indices: null };
  }
  const data = gather(train, indices);
  if (isBackdoor(a.kind)) backdoorInPlace(data, a, seed + 7919 * (client + 1));
  else flipInPlace(data, a.source, a.target);
  return { data, indices: null };
}

/** Scale an update in place (model replacement's boost). */
export function scaleInPlace(update: Float32Array, factor: number): Float32Array {
  if (factor !== 1) for (let j = 0; j < update.length; j++) update[j] *= factor;
  return update;
}
