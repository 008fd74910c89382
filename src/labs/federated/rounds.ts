/**
 * The round protocol every federation of the lab runs (FedAvg's, McMahan et al. 2017), written once for
 * the image simulation (simulation.ts) and the spam filter's (text-simulation.ts): each round the server
 * samples clients (seeded), every sampled client trains a copy of the global model on its own data (local
 * epochs of minibatch SGD in a seeded order), sends its update (its new weights minus the global weights,
 * one Float32Array in `getWeights()` order), a rule of the aggregator registry combines the updates, and
 * the global model moves by the aggregate (server learning rate 1, as Flower's FedAvg). What differs per
 * data kind is a subclass's: the data and step of a client's local training, the root update (FLTrust),
 * the evaluation and the extra fields of its round report.
 *
 * Memory: one network is built for the whole run. The global model is a plain vector; a client's
 * training sets that network's weights from it, and its update is read back; evaluation uses the same
 * network. So 100 clients cost one model plus one update per sampled client (and, for FoolsGold, one
 * summed update per client seen, kept as `history`).
 *
 * Privacy options (the privacy lab's algorithms, through its index):
 * - Secure aggregation (Bonawitz et al. 2017): each sampled client sends n_k * update and n_k inside
 *   one masked vector, the server unmasks only their sums and divides (FedAvg). Robust rules cannot
 *   run with it (they need the individual updates). `dropouts` clients a round drop mid-protocol
 *   (seeded: before or after sending their masked input); with more than n - t of them the round
 *   aborts and the global model stays.
 * - DP-FedAvg (McMahan et al. 2018): each client is sampled independently with probability
 *   q = perRound / clients, its update clipped to L2 norm S, and the server adds Gaussian noise of std
 *   z S / (q N) to the fixed-denominator estimate sum_k update_k / (q N) (the paper's f_f with every
 *   weight w_k = 1, so W = N; the paper caps w_k = min(n_k / w_hat, 1)). With secure aggregation too,
 *   the sum comes from the protocol.
 *
 * Determinism: every draw comes from the seed through `mix(seed, stream, k)` (the sampled clients: stream
 * 2; the aggregator's and DP's noise: 3; FLTrust's root set: 4; secure aggregation's dropouts: 5, round;
 * each client's batch order per round: (round, client), the root's (round, -1)), so a seed gives the same
 * run on the same backend.
 */
import * as tf from '@tensorflow/tfjs';
import { JobCancelled } from '../../core/jobs/types';
import { Rng } from '../../core/random';
import { AGGREGATORS, DEFAULT_AGGREGATOR_PARAMS, type AggregatorParams } from './aggregators';
import { scaleInPlace } from './algorithms/malicious';
import { readWeights, writeWeights } from './weight-vector';
import { SecAggAbort, defaultThreshold, epsilonSpent, secureWeightedMean, type DropStage } from '../privacy/index';

/** Secure aggregation's settings in a run. */
export interface SecAggSettings {
  /** Clients dropping out mid-round each round. */
  dropouts: number;
  /** Fixed-point clip range of each update coordinate. */
  range: number;
}

/** DP-FedAvg's settings in a run. */
export interface DpFedAvgSettings {
  /** Noise multiplier z (> 0). */
  noise: number;
  /** The bound S on each update's L2 norm. */
  clip: number;
  /** Delta of the user-level guarantee. */
  delta: number;
}

/** What secure aggregation did in a round. */
export interface SecAggRoundReport {
  threshold: number;
  /** Clients whose masked input is in the sum. */
  included: number[];
  /** Clients that dropped and when ('shares': before sending the masked input; 'masked': after). */
  dropped: { client: number; stage: DropStage }[];
  /** The abort's message when too few clients were left (the global model did not move), else null. */
  aborted: string | null;
  /** Mean bytes sent and received per included client, and an unmasked float32 update's bytes. */
  bytesSent: number;
  bytesReceived: number;
  clearBytes: number;
  /** The server's view: the first coordinates of a few masked vectors (ring element / 2^32, in [0, 1)). */
  maskedSample: number[][];
  /** The same coordinates of the recovered average update. */
  sumSample: number[];
  /** Coordinates clipped by the fixed-point encoding, over all clients. */
  clipped: number;
  /** Seconds of the protocol (key agreement, masks, unmasking). */
  seconds: number;
}

/** What DP-FedAvg did in a round. */
export interface DpRoundReport {
  /** Clients sampled (Poisson at rate q). */
  sampled: number;
  q: number;
  /** Std of the noise added to the average. */
  noiseStd: number;
  /** Clients whose update was scaled down to norm S. */
  clipped: number;
  /**
   * User-level epsilon spent after this round at `delta`: the privacy lab's RDP accountant (Balle et
   * al. 2020 conversion) over `round` compositions of the Gaussian with Poisson rate q and multiplier z.
   */
  epsilon: number;
  delta: number;
}

/** What every federation's configuration holds, images or text. */
export interface FederationConfig {
  /** Simulated clients, and how many the server samples each round. */
  clients: number;
  perRound: number;
  rounds: number;
  /** Local training: epochs over the client's data, minibatch size, SGD learning rate. */
  localEpochs: number;
  batch: number;
  learningRate: number;
  /** A name of the aggregator registry (aggregators/index.ts). */
  aggregator: string;
  /** The aggregator's parameters (f, trim, clip, noise, keep, kappa); missing ones take their defaults. */
  params?: Partial<AggregatorParams>;
  seed: number;
  /** Secure aggregation (FedAvg only); absent: off. */
  secagg?: SecAggSettings;
  /** DP-FedAvg (FedAvg only); absent: off. */
  dp?: DpFedAvgSettings;
}

/** What one round did and measured: the job's per-round progress payload and one row of `rlab fl`. */
export interface RoundReport {
  /** From 1. */
  round: number;
  /** The clients sampled this round (ascending ids); every per-client array below is in this order. */
  clients: number[];
  /** Which of them are malicious. */
  malicious: boolean[];
  /** Their numbers of training examples (FedAvg's weights). */
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
  /** Accuracy of the global model after the round on the test examples. */
  cleanAccuracy: number;
  /** The attack's success rate as the federation defines it (simulation.ts, text-simulation.ts); null without an attack. */
  attackSuccessRate: number | null;
  /** L2 norm of the aggregate (the global model's step). */
  aggregateNorm: number;
  /** Seconds of the round (local training, aggregation and evaluation). */
  seconds: number;
  /** Secure aggregation's round, when on. */
  secagg?: SecAggRoundReport;
  /** DP-FedAvg's round, when on. */
  dp?: DpRoundReport;
}

/** The run's data split, drawn once before the first round. */
export interface SplitReport {
  /** Each client's number of examples. */
  sizes: number[];
  /** Each client's number of examples per class (clients x classes). */
  histograms: number[][];
  /** Malicious client ids. */
  malicious: number[];
  /** The replacement attackers' boost (1 for other attacks). */
  boost: number;
  /** Number of weights of the model (the length of every update). */
  parameters: number;
}

export interface SimulationHooks {
  signal?: AbortSignal;
  /** After the split is drawn. */
  onSplit?: (s: SplitReport) => void;
  /** After each client's local training (done of total in this round). */
  onClient?: (p: { round: number; done: number; total: number; client: number }) => void;
  onRound?: (r: RoundReport) => void;
}

/** A seed for stream `(a, b)` of `seed` (a small integer hash, so streams differ). */
export function mix(seed: number, a: number, b: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const v of [a, b]) {
    h = Math.imul(h ^ (v + 0x7f4a7c15), 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return h >>> 0;
}

export function l2(v: Float32Array): number {
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

/** The settings every federation refuses alike (a clear message each). */
export function checkFederationConfig(cfg: FederationConfig): void {
  if (!AGGREGATORS[cfg.aggregator])
    throw new Error(`unknown aggregator "${cfg.aggregator}" (one of: ${Object.keys(AGGREGATORS).join(', ')})`);
  if (cfg.perRound > cfg.clients) throw new Error(`${cfg.perRound} clients per round of ${cfg.clients} clients`);
  if (cfg.secagg && cfg.aggregator !== 'fedavg')
    throw new Error(
      `secure aggregation hides each update (the server learns only their sum), so ${cfg.aggregator} cannot run: ` +
        'robust rules need the individual updates to rank, trim or compare them; use --aggregator fedavg',
    );
  if (cfg.secagg && (cfg.perRound < 2 || cfg.perRound > 255))
    throw new Error(`secure aggregation needs 2 to 255 clients per round, not ${cfg.perRound}`);
  if (cfg.secagg && !(cfg.secagg.dropouts >= 0 && cfg.secagg.dropouts < cfg.perRound))
    throw new Error(`${cfg.secagg.dropouts} dropouts of ${cfg.perRound} clients per round: at least one must stay`);
  if (cfg.dp && cfg.aggregator !== 'fedavg')
    throw new Error(`DP-FedAvg is FedAvg's clipped, noised average: ${cfg.aggregator} cannot run with it; use --aggregator fedavg`);
  if (cfg.dp && !(cfg.dp.noise > 0 && cfg.dp.clip > 0)) throw new Error('DP-FedAvg needs a noise multiplier z > 0 and a clip S > 0');
}

const SAMPLE_COORDS = 256;

/** The global model after a round: clean accuracy, the attack's success rate, and what else the federation measures. */
export interface Evaluation {
  clean: number;
  attack: number | null;
}

/**
 * A federation: the network and its one SGD optimiser, the global model as a vector, the round protocol.
 * `R` is the round report (RoundReport plus the subclass's fields), `E` its evaluation.
 */
export abstract class FederationRounds<R extends RoundReport = RoundReport, E extends Evaluation = Evaluation> {
  readonly cfg: FederationConfig;
  readonly model: tf.LayersModel;
  global: Float32Array;
  /** FoolsGold: each client's sum of its updates so far (kept only for rules that read it). */
  readonly history = new Map<number, Float32Array>();
  readonly boost: number;
  private readonly shapes: number[][];
  /** The one SGD optimiser every client's local training steps with. */
  protected readonly sgd: tf.SGDOptimizer;
  private readonly sampler: Rng;
  private readonly noise: Rng;
  private readonly params: AggregatorParams;
  /** The clients of the round being run (secure aggregation reports them by id). */
  private lastClients: number[] = [];

  /** `model` is this run's one network (the subclass builds it from stream 1 of the seed); `boost` the replacement attackers'. */
  protected constructor(cfg: FederationConfig, model: tf.LayersModel, boost: number) {
    this.cfg = cfg;
    this.model = model;
    this.boost = boost;
    this.shapes = model.getWeights().map((w) => w.shape);
    this.global = readWeights(model);
    this.sgd = tf.train.sgd(cfg.learningRate);
    this.sampler = new Rng(mix(cfg.seed, 2, 0));
    this.noise = new Rng(mix(cfg.seed, 3, 0));
    this.params = { ...DEFAULT_AGGREGATOR_PARAMS, ...cfg.params };
  }

  /** Client c's update of round r as sent (a replacement attacker's boost applied), and its data size. */
  protected abstract clientUpdate(c: number, r: number, signal?: AbortSignal): Promise<{ update: Float32Array; size: number }>;
  /** FLTrust's server update on its root set in round r; undefined for other rules. */
  protected abstract rootUpdate(r: number, signal?: AbortSignal): Promise<Float32Array | undefined>;
  abstract isMalicious(c: number): boolean;
  /** The global model after a round. */
  abstract evaluate(): Promise<E>;
  /** The round report from the shared fields and the evaluation. */
  protected abstract report(base: RoundReport, ev: E): R;
  /** The largest data size a client can announce (secure aggregation's fixed-point bound on n_k). */
  protected abstract maxClientSize(): number;

  /** Sets the network's weights to the global model. */
  protected loadGlobal(): void {
    writeWeights(this.model, this.shapes, this.global);
  }

  /**
   * Local training from the global weights over n examples: local epochs, each in an order drawn from
   * `new Rng(seed)`; `step` trains on one batch (positions 0..n-1 of the client's data) with `this.sgd`,
   * given the same generator. Returns the update (new weights - global).
   */
  protected async localTrain(
    n: number,
    seed: number,
    step: (batch: Int32Array, rng: Rng) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<Float32Array> {
    this.loadGlobal();
    const rng = new Rng(seed);
    const steps = Math.ceil(n / this.cfg.batch);
    let k = 0;
    for (let e = 0; e < this.cfg.localEpochs; e++) {
      const order = rng.permutation(n);
      for (let b = 0; b < steps; b++) {
        if (signal?.aborted) throw new JobCancelled('the federated run');
        await step(order.subarray(b * this.cfg.batch, (b + 1) * this.cfg.batch), rng);
        if (++k % 20 === 0) await new Promise((r) => setTimeout(r, 0));
      }
    }
    const w = readWeights(this.model);
    for (let j = 0; j < w.length; j++) w[j] -= this.global[j];
    return w;
  }

  /** The clients of the next round: perRound of them, drawn without replacement, ascending (DP-FedAvg: Poisson). */
  sample(): number[] {
    const { clients, perRound } = this.cfg;
    if (this.cfg.dp) {
      // DP-FedAvg: every client independently with probability q (the accountant's Poisson sampling)
      const q = perRound / clients;
      const out: number[] = [];
      for (let c = 0; c < clients; c++) if (this.sampler.next() < q) out.push(c);
      return out;
    }
    if (perRound === clients) return Array.from({ length: clients }, (_, i) => i);
    return Array.from(this.sampler.permutation(clients).subarray(0, perRound)).sort((x, y) => x - y);
  }

  /** The sampled clients' local training of round r: their updates as sent, ids and data sizes. */
  async train(r: number, hooks: SimulationHooks = {}): Promise<{ updates: Float32Array[]; clients: number[]; sizes: number[] }> {
    const clients = this.sample();
    this.lastClients = clients;
    const updates: Float32Array[] = [];
    const sizes: number[] = [];
    for (const [k, c] of clients.entries()) {
      const { update, size } = await this.clientUpdate(c, r, hooks.signal);
      updates.push(update);
      sizes.push(size);
      hooks.onClient?.({ round: r, done: k + 1, total: clients.length, client: c });
    }
    return { updates, clients, sizes };
  }

  /** One round: local training of the sampled clients, aggregation, the global step; then the evaluation. */
  async round(r: number, hooks: SimulationHooks = {}): Promise<R> {
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
    const root = await this.rootUpdate(r, hooks.signal);
    let res: { aggregate: Float32Array; weights?: number[]; selected?: number[]; scores?: number[] };
    let secagg: SecAggRoundReport | undefined;
    let dp: DpRoundReport | undefined;
    if (this.cfg.dp || this.cfg.secagg) {
      const out = await this.privateAggregate(r, updates, sizes);
      res = { aggregate: out.aggregate, weights: out.weights };
      secagg = out.secagg;
      dp = out.dp;
    } else
      res = rule.run(
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
    const ev = await this.evaluate();
    return this.report(
      {
        round: r,
        clients,
        malicious: clients.map((c) => this.isMalicious(c)),
        sizes,
        updateNorms: updates.map(l2),
        cosine: cosineMatrix(updates),
        weights: res.weights ? [...res.weights] : null,
        selected: res.selected ? res.selected.map((i) => clients[i]) : null,
        scores: res.scores ? [...res.scores] : null,
        cleanAccuracy: ev.clean,
        attackSuccessRate: ev.attack,
        aggregateNorm: l2(res.aggregate),
        seconds: (performance.now() - t0) / 1000,
        ...(secagg ? { secagg } : {}),
        ...(dp ? { dp } : {}),
      },
      ev,
    );
  }

  /** A standard normal draw from the noise stream (Box-Muller). */
  private gaussian(): number {
    const u = 1 - this.noise.next();
    const v = this.noise.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * The aggregate under secure aggregation and / or DP-FedAvg. Secure aggregation alone: the size-
   * weighted mean of the included clients (dropped ones are left out). DP-FedAvg: updates clipped to S,
   * their plain sum (or the protocol's) over q N, plus N(0, (z S / (q N))^2) per coordinate.
   */
  private async privateAggregate(
    r: number,
    updates: Float32Array[],
    sizes: number[],
  ): Promise<{ aggregate: Float32Array; weights?: number[]; secagg?: SecAggRoundReport; dp?: DpRoundReport }> {
    const { dp: dpCfg, secagg: saCfg, clients: N, perRound } = this.cfg;
    const m = this.global.length;
    let clippedClients = 0;
    if (dpCfg)
      updates = updates.map((u) => {
        const norm = l2(u);
        if (norm <= dpCfg.clip) return u;
        clippedClients++;
        const c = new Float32Array(u);
        scaleInPlace(c, dpCfg.clip / norm);
        return c;
      });
    // DP-FedAvg weighs every client 1 (the sum); FedAvg weighs by data size
    const weights = dpCfg ? updates.map(() => 1) : sizes;
    let sum: Float32Array | null = null;
    let weightSum = 0;
    let secagg: SecAggRoundReport | undefined;
    if (saCfg) {
      const t0 = performance.now();
      const n = updates.length;
      const drop = new Map<number, DropStage>();
      const rng = new Rng(mix(this.cfg.seed, 5, r));
      const order = rng.permutation(n);
      const stages: DropStage[] = ['shares', 'masked'];
      for (let k = 0; k < Math.min(saCfg.dropouts, n); k++) drop.set(order[k], stages[rng.int(2)]);
      const threshold = defaultThreshold(n);
      const dropped = [...drop.entries()].map(([k, stage]) => ({ client: k, stage }));
      const base = { threshold, clearBytes: 4 * m, clipped: 0 };
      const maxWeight = dpCfg ? 1 : Math.max(this.maxClientSize(), 1);
      try {
        if (n < 2) throw new SecAggAbort('AdvertiseKeys', n, 2);
        const res = await secureWeightedMean(updates, weights, { range: saCfg.range, maxWeight, threshold, dropouts: drop });
        const inc = res.protocol.included;
        weightSum = res.weightSum;
        sum = res.mean;
        if (weightSum > 0) scaleInPlace(sum, weightSum);
        const sent = inc.reduce((s, k) => s + res.protocol.bytes[k].sent, 0) / Math.max(1, inc.length);
        const received = inc.reduce((s, k) => s + res.protocol.bytes[k].received, 0) / Math.max(1, inc.length);
        secagg = {
          ...base,
          included: inc.map((k) => this.lastClients[k]),
          dropped: dropped.map((d) => ({ client: this.lastClients[d.client], stage: d.stage })),
          aborted: null,
          bytesSent: sent,
          bytesReceived: received,
          maskedSample: res.protocol.masked.slice(0, 4).map((y) => Array.from(y.subarray(0, SAMPLE_COORDS), (v) => v / 2 ** 32)),
          sumSample: [],
          clipped: res.clipped,
          seconds: (performance.now() - t0) / 1000,
        };
      } catch (err) {
        if (!(err instanceof SecAggAbort)) throw err;
        secagg = {
          ...base,
          included: [],
          dropped: dropped.map((d) => ({ client: this.lastClients[d.client], stage: d.stage })),
          aborted: err.message,
          bytesSent: 0,
          bytesReceived: 0,
          maskedSample: [],
          sumSample: [],
          seconds: (performance.now() - t0) / 1000,
        };
        if (!dpCfg) return { aggregate: new Float32Array(m), secagg };
      }
    } else if (updates.length > 0) {
      const acc = new Float64Array(m);
      updates.forEach((u, k) => {
        for (let j = 0; j < m; j++) acc[j] += weights[k] * u[j];
      });
      sum = Float32Array.from(acc);
      weightSum = weights.reduce((a, b) => a + b, 0);
    }
    const aggregate = new Float32Array(m);
    let dp: DpRoundReport | undefined;
    if (dpCfg) {
      const q = perRound / N;
      const denom = q * N;
      const std = (dpCfg.noise * dpCfg.clip) / denom;
      for (let j = 0; j < m; j++) aggregate[j] = (sum ? sum[j] / denom : 0) + std * this.gaussian();
      const { epsilon } = epsilonSpent('rdp', [{ sampleRate: q, noiseMultiplier: dpCfg.noise, steps: r }], dpCfg.delta);
      dp = { sampled: updates.length, q, noiseStd: std, clipped: clippedClients, epsilon, delta: dpCfg.delta };
    } else if (sum && weightSum > 0) for (let j = 0; j < m; j++) aggregate[j] = sum[j] / weightSum;
    if (secagg && !secagg.aborted) secagg.sumSample = Array.from(aggregate.subarray(0, SAMPLE_COORDS));
    // each client's weight as the server knows it: none under secure aggregation (n_k is masked too)
    const known = saCfg ? undefined : weights.map(() => 1 / perRound);
    return { aggregate, weights: known, secagg, dp };
  }

  dispose(): void {
    this.model.dispose();
    this.sgd.dispose();
  }
}

/**
 * A whole run: the split, then `rounds` rounds, then `finish` (reads of the final model); the network is
 * disposed however the run ends.
 */
export async function runRounds<R extends RoundReport, E extends Evaluation>(
  fed: FederationRounds<R, E> & { splitReport(): SplitReport },
  hooks: SimulationHooks,
  finish?: () => Promise<void>,
): Promise<{ split: SplitReport; rounds: R[]; last: R; seconds: number }> {
  const t0 = performance.now();
  try {
    const split = fed.splitReport();
    hooks.onSplit?.(split);
    const rounds: R[] = [];
    for (let r = 1; r <= fed.cfg.rounds; r++) {
      const rep = await fed.round(r, hooks);
      rounds.push(rep);
      hooks.onRound?.(rep);
    }
    await finish?.();
    return { split, rounds, last: rounds[rounds.length - 1], seconds: (performance.now() - t0) / 1000 };
  } finally {
    fed.dispose();
  }
}
