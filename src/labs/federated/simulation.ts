/**
 * The federated simulation over images: the round protocol of rounds.ts (FedAvg's, with secure
 * aggregation and DP-FedAvg as options) on MNIST or Fashion-MNIST. Each client trains the image network
 * (buildModel's architecture, cnn-small by default) with the shared training loop's cross-entropy step.
 * Malicious clients poison their data or boost their update (algorithms/malicious.ts): BadNets
 * backdoor, model replacement, label flipping, sybils.
 *
 * ASR: backdoor / replacement: share of triggered test images of the other classes classified as the
 * target; label flip / sybils: share of source-class test images classified as the target.
 *
 * Determinism: besides rounds.ts's streams, the split, the poisoned images and the initial weights
 * (stream 1) come from the seed, so a seed gives the same run on the same backend.
 */
import * as tf from '@tensorflow/tfjs';
import { batchTensor } from '../../core/data/batches';
import type { LabeledImages } from '../../core/data/types';
import { buildModel, type ArchitectureId } from '../../core/models/architectures';
import { Rng } from '../../core/random';
import { crossEntropyStep } from '../../core/train/train';
import { boostFactor, clientData, gather, isBackdoor, isFlip, scaleInPlace, sybilData, type AttackSettings } from './algorithms/malicious';
import { labelHistograms, splitClients, type SplitSpec } from './algorithms/split';
import { withTrigger } from './algorithms/trigger';
import {
  FederationRounds,
  checkFederationConfig,
  mix,
  runRounds,
  type Evaluation,
  type FederationConfig,
  type RoundReport,
  type SimulationHooks,
  type SplitReport,
} from './rounds';
import { checkMalicious, isMaliciousClient, maliciousIds } from './algorithms/malicious-clients';

export {
  cosineMatrix,
  type DpFedAvgSettings,
  type DpRoundReport,
  type RoundReport,
  type SecAggRoundReport,
  type SecAggSettings,
  type SimulationHooks,
  type SplitReport,
} from './rounds';

export interface SimulationConfig extends FederationConfig {
  train: LabeledImages;
  test: LabeledImages;
  split: SplitSpec;
  /** Images per client (the pool is clients * perClient training images); 0: the whole training set. */
  perClient: number;
  attack: AttackSettings;
  architecture?: ArchitectureId;
  /** Builds the network instead of `architecture` (tests use a small one); it must output logits. */
  network?: (shape: [number, number, number], seed: number) => tf.LayersModel;
  /** Test images evaluated after each round (the first ones of the test set); 0 or absent: all. */
  testImages?: number;
  /** FLTrust's root data set: this many training images (seeded) the server trains on; Cao et al. 2021: 100. */
  rootImages?: number;
}

export interface SimulationResult extends SplitReport {
  rounds: RoundReport[];
  /** The last round's figures. */
  cleanAccuracy: number;
  attackSuccessRate: number | null;
  seconds: number;
}

/** The image federation: the network, the clients' data, the malicious clients' poison, the evaluation sets. */
export class Federation extends FederationRounds {
  declare readonly cfg: SimulationConfig;
  readonly parts: Int32Array[];
  private readonly vars: tf.Variable[];
  private readonly sybils?: LabeledImages;
  private readonly root?: LabeledImages;
  private readonly evalClean: LabeledImages;
  private readonly evalAttack: LabeledImages | null;

  constructor(cfg: SimulationConfig) {
    const a = cfg.attack;
    checkFederationConfig(cfg);
    checkMalicious(a, cfg.clients);
    if (isFlip(a.kind) && a.source === a.target) throw new Error(`the flip's source and target are both class ${a.source}`);
    // clients' data: the split (before the network, as the seed's streams were always drawn); the
    // malicious clients' poisoned copies are made when they train
    const parts = splitClients(cfg.train.labels, cfg.clients, cfg.split, cfg.seed, { perClient: cfg.perClient });
    const initSeed = new Rng(mix(cfg.seed, 1, 0)).seed();
    const model = cfg.network
      ? cfg.network(cfg.train.shape, initSeed)
      : buildModel(cfg.architecture ?? 'cnn-small', cfg.train.shape, 10, initSeed);
    super(cfg, model, boostFactor(a, cfg.perRound));
    this.parts = parts;
    this.vars = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
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
    const first = Array.from({ length: nTest }, (_, i) => i);
    this.evalClean = gather(cfg.test, first);
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
      malicious: maliciousIds(a),
      boost: this.boost,
      parameters: this.global.length,
    };
  }

  isMalicious(c: number): boolean {
    return isMaliciousClient(this.cfg.attack, c);
  }

  /**
   * Local training from the global weights on `data` (its images `indices`, or all of it): local
   * epochs of SGD with a seeded order. Returns the update (new weights - global).
   */
  async localUpdate(data: LabeledImages, indices: Int32Array | null, seed: number, signal?: AbortSignal): Promise<Float32Array> {
    return this.localTrain(
      indices ? indices.length : data.n,
      seed,
      async (batch, rng) => {
        const { x, y } = batchTensor(data, indices ? Int32Array.from(batch, (j) => indices[j]) : batch);
        try {
          await crossEntropyStep({
            model: this.model,
            x,
            y,
            learningRate: this.cfg.learningRate,
            apply: (f) => this.sgd.minimize(f, true, this.vars)!,
            labelSmoothing: 0,
            rng,
          });
        } finally {
          x.dispose();
          y.dispose();
        }
      },
      signal,
    );
  }

  protected async clientUpdate(c: number, r: number, signal?: AbortSignal): Promise<{ update: Float32Array; size: number }> {
    const a = this.cfg.attack;
    const { data, indices } = clientData(this.cfg.train, this.parts[c], c, a, this.cfg.seed, this.sybils);
    const update = await this.localUpdate(data, indices, mix(this.cfg.seed, r, c), signal);
    if (isMaliciousClient(a, c)) scaleInPlace(update, this.boost);
    return { update, size: indices ? indices.length : data.n };
  }

  protected async rootUpdate(r: number, signal?: AbortSignal): Promise<Float32Array | undefined> {
    return this.root ? this.localUpdate(this.root, null, mix(this.cfg.seed, r, -1), signal) : undefined;
  }

  protected maxClientSize(): number {
    return Math.max(...this.parts.map((p) => p.length), this.sybils?.n ?? 0);
  }

  protected report(base: RoundReport): RoundReport {
    return base;
  }

  /** Predicted classes of every image of a set under the global model. */
  private predict(set: LabeledImages): Int32Array {
    this.loadGlobal();
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
  async evaluate(): Promise<Evaluation> {
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
}

/** A whole run: the split, then `rounds` rounds; the network is disposed however the run ends. */
export async function runSimulation(cfg: SimulationConfig, hooks: SimulationHooks = {}): Promise<SimulationResult> {
  const { split, rounds, last, seconds } = await runRounds(new Federation(cfg), hooks);
  return { ...split, rounds, cleanAccuracy: last.cleanAccuracy, attackSuccessRate: last.attackSuccessRate, seconds };
}
