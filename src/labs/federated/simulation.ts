/**
 * The federated simulation (FedAvg's protocol, McMahan et al. 2017): each round the server samples
 * clients (seeded), every sampled client trains a copy of the global model on its own data (local
 * epochs of minibatch SGD, the shared training loop's cross-entropy step), sends its update (its new
 * weights minus the global weights, one Float32Array in `getWeights()` order), a rule of the
 * aggregator registry combines the updates, and the global model moves by the aggregate (server
 * learning rate 1, as Flower's FedAvg). Malicious clients poison their data or boost their update
 * (algorithms/malicious.ts).
 *
 * Memory: one network is built for the whole run. The global model is a plain vector; a client's
 * training sets that network's weights from it, and its update is read back; evaluation uses the same
 * network. So 100 clients cost one model plus one update per sampled client (and, for FoolsGold, one
 * summed update per client seen, kept by the simulation as `history`).
 *
 * Determinism: every draw comes from the seed (the split, the sampled clients, each client's batch
 * order per round, the poisoned images, the initial weights, the aggregator's noise), so a seed gives the
 * same run on the same backend.
 */
import { readWeights, writeWeights } from './weight-vector';
import * as tf from '@tensorflow/tfjs';
import { batchTensor } from '../../core/data/batches';
import type { LabeledImages } from '../../core/data/types';
import { JobCancelled } from '../../core/jobs/types';
import { buildModel, type ArchitectureId } from '../../core/models/architectures';
import { Rng } from '../../core/random';
import { crossEntropyStep } from '../../core/train/train';
import { AGGREGATORS, DEFAULT_AGGREGATOR_PARAMS, type AggregatorParams } from './aggregators';
import {
  boostFactor,
  clientData,
  gather,
  isBackdoor,
  isFlip,
  isMalicious,
  scaleInPlace,
  sybilData,
  type AttackSettings,
} from './algorithms/malicious';
import { labelHistograms, splitClients, type SplitSpec } from './algorithms/split';
import { withTrigger } from './algorithms/trigger';

export interface SimulationConfig {
  train: LabeledImages;
  test: LabeledImages;
  /** Simulated clients, and how many the server samples each round. */
  clients: number;
  perRound: number;
  rounds: number;
  /** Local training: epochs over the client's data, minibatch size, SGD learning rate. */
  localEpochs: number;
  batch: number;
  learningRate: number;
  split: SplitSpec;
  /** Images per client (the pool is clients * perClient training images); 0: the whole training set. */
  perClient: number;
  attack: AttackSettings;
  /** A name of the aggregator registry (aggregators/index.ts). */
  aggregator: string;
  /** The aggregator's parameters (f, trim, clip, noise, keep, kappa); missing ones take their defaults. */
  params?: Partial<AggregatorParams>;
  architecture?: ArchitectureId;
  /** Builds the network instead of `architecture` (tests use a small one); it must output logits. */
  network?: (shape: [number, number, number], seed: number) => tf.LayersModel;
  seed: number;
  /** Test images evaluated after each round (the first ones of the test set); 0 or absent: all. */
  testImages?: number;
  /** FLTrust's root data set: this many training images (seeded) the server trains on; Cao et al. 2021: 100. */
  rootImages?: number;
}

/** What one round did and measured: the job's per-round progress payload and one row of `rlab fl`. */
export interface RoundReport {
  /** From 1. */
  round: number;
  /** The clients sampled this round (ascending ids); every per-client array below is in this order. */
  clients: number[];
  /** Which of them are malicious. */
  malicious: boolean[];
  /** Their numbers of training images (FedAvg's weights). */
  sizes: number[];
  /** L2 norm of each update as sent (after a replacement attacker's boost). */
  updateNorms: number[];
  /** Cosine similarity of every pair of this round's updates (clients x clients, symmetric, 1 on the diagonal). */
  cosine: number[][];
  /** The aggregator's weight for each client, when it gives weights (FedAvg: size share; FoolsGold: learning rate). */
  weights: number[] | null;
  /** The clients the aggregator kept (Krum, Multi-Krum, Bulyan), as client ids; null when it keeps no selection. */
  selected: number[] | null;
  /** Each client's score where the rule computes one (Krum: sum of squared distances to its nearest). */
  scores: number[] | null;
  /** Accuracy of the global model after the round on the test images. */
  cleanAccuracy: number;
  /**
   * Backdoor / replacement: share of triggered test images of the other classes classified as the
   * target. Label flip / sybils: share of source-class test images classified as the target. Null
   * without an attack.
   */
  attackSuccessRate: number | null;
  /** L2 norm of the aggregate (the global model's step). */
  aggregateNorm: number;
  /** Seconds of the round (local training, aggregation and evaluation). */
  seconds: number;
}

/** The run's data split, drawn once before the first round. */
export interface SplitReport {
  /** Each client's number of images. */
  sizes: number[];
  /** Each client's number of images per class (clients x 10). */
  histograms: number[][];
  /** Malicious client ids. */
  malicious: number[];
  /** The replacement attackers' boost (1 for other attacks). */
  boost: number;
  /** Number of weights of the model (the length of every update). */
  parameters: number;
}

export interface SimulationResult extends SplitReport {
  rounds: RoundReport[];
  /** The last round's figures. */
  cleanAccuracy: number;
  attackSuccessRate: number | null;
  seconds: number;
}

export interface SimulationHooks {
  signal?: AbortSignal;
  /** After the split is drawn. */
  onSplit?: (s: SplitReport) => void;
  /** After each client's local training (done of total in this round). */
  onClient?: (p: { round: number; done: number; total: number; client: number }) => void;
  onRound?: (r: RoundReport) => void;
}

/** A seed for stream `k` of `(seed, a, b)` (a small integer hash, so streams differ). */
function mix(seed: number, a: number, b: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const v of [a, b]) {
    h = Math.imul(h ^ (v + 0x7f4a7c15), 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return h >>> 0;
}

function l2(v: Float32Array): number {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j] * v[j];
  return Math.sqrt(s);
}

/** Cosine similarity of every pair of vectors (0 where a vector is zero). */
export function cosineMatrix(vs: readonly Float32Array[]): number[][] {
  const n = vs.length;
  const norms = vs.map(l2);
  const m = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    m[i][i] = norms[i] > 0 ? 1 : 0;
    for (let k = i + 1; k < n; k++) {
      const a = vs[i];
      const b = vs[k];
      let dot = 0;
      for (let j = 0; j < a.length; j++) dot += a[j] * b[j];
      const c = norms[i] > 0 && norms[k] > 0 ? dot / (norms[i] * norms[k]) : 0;
      m[i][k] = c;
      m[k][i] = c;
    }
  }
  return m;
}

/** The network and its one SGD optimiser, with the global model as a vector. */
export class Federation {
  readonly cfg: SimulationConfig;
  readonly parts: Int32Array[];
  readonly model: tf.LayersModel;
  global: Float32Array;
  /** FoolsGold: each client's sum of its updates so far (kept only for rules that read it). */
  readonly history = new Map<number, Float32Array>();
  private readonly shapes: number[][];
  private readonly vars: tf.Variable[];
  private readonly sgd: tf.SGDOptimizer;
  private readonly sampler: Rng;
  private readonly noise: Rng;
  private readonly params: AggregatorParams;
  private readonly sybils?: LabeledImages;
  private readonly root?: LabeledImages;
  private readonly evalClean: LabeledImages;
  private readonly evalAttack: LabeledImages | null;
  readonly boost: number;

  constructor(cfg: SimulationConfig) {
    const a = cfg.attack;
    if (!AGGREGATORS[cfg.aggregator])
      throw new Error(`unknown aggregator "${cfg.aggregator}" (one of: ${Object.keys(AGGREGATORS).join(', ')})`);
    if (cfg.perRound > cfg.clients) throw new Error(`${cfg.perRound} clients per round of ${cfg.clients} clients`);
    if (a.kind !== 'none' && (a.count < 1 || a.count > cfg.clients))
      throw new Error(`${a.count} malicious clients of ${cfg.clients}: the attack needs 1 to ${cfg.clients}`);
    if (isFlip(a.kind) && a.source === a.target) throw new Error(`the flip's source and target are both class ${a.source}`);
    this.cfg = cfg;
    // clients' data: the split; the malicious clients' poisoned copies are made when they train
    this.parts = splitClients(cfg.train.labels, cfg.clients, cfg.split, cfg.seed, { perClient: cfg.perClient });
    const initRng = new Rng(mix(cfg.seed, 1, 0));
    const initSeed = initRng.seed();
    this.model = cfg.network
      ? cfg.network(cfg.train.shape, initSeed)
      : buildModel(cfg.architecture ?? 'cnn-small', cfg.train.shape, 10, initSeed);
    this.shapes = this.model.getWeights().map((w) => w.shape);
    this.global = readWeights(this.model);
    this.vars = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    this.sgd = tf.train.sgd(cfg.learningRate);
    this.sampler = new Rng(mix(cfg.seed, 2, 0));
    this.noise = new Rng(mix(cfg.seed, 3, 0));
    // the aggregator's parameters: until the aggregation slice's fields merge, the contract's defaults
    this.params = { ...DEFAULT_AGGREGATOR_PARAMS, ...cfg.params };
    this.boost = boostFactor(a, cfg.perRound);
    if (a.kind === 'sybil') {
      const size = Math.round(this.parts.reduce((s, p) => s + p.length, 0) / cfg.clients);
      this.sybils = sybilData(cfg.train, a, size, cfg.seed);
    }
    if (cfg.aggregator === 'fltrust') {
      const rr = new Rng(mix(cfg.seed, 4, 0));
      const idx = Array.from(rr.permutation(cfg.train.n).subarray(0, cfg.rootImages ?? 100)).sort((x, y) => x - y);
      this.root = gather(cfg.train, idx);
    }
    const nTest = cfg.testImages && cfg.testImages > 0 ? Math.min(cfg.testImages, cfg.test.n) : cfg.test.n;
    this.evalClean = gather(
      cfg.test,
      Array.from({ length: nTest }, (_, i) => i),
    );
    const first = Array.from({ length: nTest }, (_, i) => i);
    if (isBackdoor(a.kind))
      this.evalAttack = withTrigger(
        cfg.test,
        a.trigger,
        first.filter((i) => cfg.test.labels[i] !== a.target),
      );
    else if (isFlip(a.kind))
      this.evalAttack = gather(
        cfg.test,
        first.filter((i) => cfg.test.labels[i] === a.source),
      );
    else this.evalAttack = null;
  }

  splitReport(): SplitReport {
    const a = this.cfg.attack;
    return {
      sizes: this.parts.map((p) => p.length),
      histograms: labelHistograms(this.cfg.train.labels, this.parts),
      malicious: a.kind === 'none' ? [] : Array.from({ length: a.count }, (_, i) => i),
      boost: this.boost,
      parameters: this.global.length,
    };
  }

  /**
   * Local training from the global weights on `data` (its images `indices`, or all of it): local
   * epochs of SGD with a seeded order. Returns the update (new weights - global).
   */
  async localUpdate(data: LabeledImages, indices: Int32Array | null, seed: number, signal?: AbortSignal): Promise<Float32Array> {
    const cfg = this.cfg;
    writeWeights(this.model, this.shapes, this.global);
    const rng = new Rng(seed);
    const n = indices ? indices.length : data.n;
    const steps = Math.ceil(n / cfg.batch);
    let k = 0;
    for (let e = 0; e < cfg.localEpochs; e++) {
      const order = rng.permutation(n);
      if (indices) for (let j = 0; j < n; j++) order[j] = indices[order[j]];
      for (let b = 0; b < steps; b++) {
        if (signal?.aborted) throw new JobCancelled('the federated run');
        const { x, y } = batchTensor(data, order.subarray(b * cfg.batch, (b + 1) * cfg.batch));
        try {
          await crossEntropyStep({
            model: this.model,
            x,
            y,
            learningRate: cfg.learningRate,
            apply: (f) => this.sgd.minimize(f, true, this.vars)!,
            labelSmoothing: 0,
            rng,
          });
        } finally {
          x.dispose();
          y.dispose();
        }
        if (++k % 20 === 0) await new Promise((r) => setTimeout(r, 0));
      }
    }
    const w = readWeights(this.model);
    for (let j = 0; j < w.length; j++) w[j] -= this.global[j];
    return w;
  }

  /** The clients of round `r` (from 1): perRound of them, drawn without replacement, ascending. */
  sample(): number[] {
    const { clients, perRound } = this.cfg;
    if (perRound === clients) return Array.from({ length: clients }, (_, i) => i);
    return Array.from(this.sampler.permutation(clients).subarray(0, perRound)).sort((x, y) => x - y);
  }

  /** One round: local training of the sampled clients, aggregation, the global step; then the evaluation. */
  async round(r: number, hooks: SimulationHooks = {}): Promise<RoundReport> {
    const t0 = performance.now();
    const { updates, clients, sizes } = await this.train(r, hooks);
    const rule = AGGREGATORS[this.cfg.aggregator];
    const keepHistory = this.cfg.aggregator === 'foolsgold';
    if (keepHistory)
      clients.forEach((c, i) => {
        const h = this.history.get(c) ?? new Float32Array(this.global.length);
        const u = updates[i];
        for (let j = 0; j < h.length; j++) h[j] += u[j];
        this.history.set(c, h);
      });
    let root: Float32Array | undefined;
    if (this.root) root = await this.localUpdate(this.root, null, mix(this.cfg.seed, r, -1), hooks.signal);
    const res = rule.run(
      {
        updates,
        sizes,
        history: keepHistory ? clients.map((c) => this.history.get(c)!) : undefined,
        root,
        random: () => this.noise.next(),
      },
      this.params,
    );
    for (let j = 0; j < this.global.length; j++) this.global[j] += res.aggregate[j];
    const { clean, attack } = await this.evaluate();
    const a = this.cfg.attack;
    return {
      round: r,
      clients,
      malicious: clients.map((c) => isMalicious(a, c)),
      sizes,
      updateNorms: updates.map(l2),
      cosine: cosineMatrix(updates),
      weights: res.weights ? [...res.weights] : null,
      selected: res.selected ? res.selected.map((i) => clients[i]) : null,
      scores: res.scores ? [...res.scores] : null,
      cleanAccuracy: clean,
      attackSuccessRate: attack,
      aggregateNorm: l2(res.aggregate),
      seconds: (performance.now() - t0) / 1000,
    };
  }

  /** The sampled clients' local training of round r: their updates as sent, ids and data sizes. */
  async train(r: number, hooks: SimulationHooks = {}): Promise<{ updates: Float32Array[]; clients: number[]; sizes: number[] }> {
    const a = this.cfg.attack;
    const clients = this.sample();
    const updates: Float32Array[] = [];
    const sizes: number[] = [];
    for (const [k, c] of clients.entries()) {
      const { data, indices } = clientData(this.cfg.train, this.parts[c], c, a, this.cfg.seed, this.sybils);
      const u = await this.localUpdate(data, indices, mix(this.cfg.seed, r, c), hooks.signal);
      if (isMalicious(a, c)) scaleInPlace(u, this.boost);
      updates.push(u);
      sizes.push(indices ? indices.length : data.n);
      hooks.onClient?.({ round: r, done: k + 1, total: clients.length, client: c });
    }
    return { updates, clients, sizes };
  }

  /** Predicted classes of every image of a set under the global model. */
  private predict(set: LabeledImages): Int32Array {
    writeWeights(this.model, this.shapes, this.global);
    const out = new Int32Array(set.n);
    const chunk = 500;
    for (let s = 0; s < set.n; s += chunk) {
      const idx = Int32Array.from({ length: Math.min(chunk, set.n - s) }, (_, i) => s + i);
      const { x, y } = batchTensor(set, idx);
      const p = tf.tidy(() => (this.model.apply(x) as tf.Tensor2D).argMax(1));
      out.set(p.dataSync() as Int32Array, s);
      tf.dispose([x, y, p]);
    }
    return out;
  }

  /** Clean accuracy of the global model, and the attack's success rate (null without an attack). */
  async evaluate(): Promise<{ clean: number; attack: number | null }> {
    const p = this.predict(this.evalClean);
    let right = 0;
    for (let i = 0; i < p.length; i++) if (p[i] === this.evalClean.labels[i]) right++;
    let attack: number | null = null;
    if (this.evalAttack) {
      const q = this.predict(this.evalAttack);
      let hit = 0;
      for (let i = 0; i < q.length; i++) if (q[i] === this.cfg.attack.target) hit++;
      attack = q.length ? hit / q.length : 0;
    }
    return { clean: right / Math.max(1, p.length), attack };
  }

  dispose(): void {
    this.model.dispose();
    this.sgd.dispose();
  }
}

/** A whole run: the split, then `rounds` rounds; the network is disposed however the run ends. */
export async function runSimulation(cfg: SimulationConfig, hooks: SimulationHooks = {}): Promise<SimulationResult> {
  const t0 = performance.now();
  const fed = new Federation(cfg);
  try {
    const split = fed.splitReport();
    hooks.onSplit?.(split);
    const rounds: RoundReport[] = [];
    for (let r = 1; r <= cfg.rounds; r++) {
      const rep = await fed.round(r, hooks);
      rounds.push(rep);
      hooks.onRound?.(rep);
    }
    const last = rounds[rounds.length - 1];
    return {
      ...split,
      rounds,
      cleanAccuracy: last.cleanAccuracy,
      attackSuccessRate: last.attackSuccessRate,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    fed.dispose();
  }
}
