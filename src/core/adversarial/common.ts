/**
 * Pieces every attack shares: label and target checks, the per-step trace, gradients of per-image
 * losses taken on logits, projections onto L-inf and L2 balls, random starts, and the final
 * bookkeeping (predictions, success, perturbation norms).
 */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../models/classifier';
import { Rng } from '../random';
import { AttackCancelled, type AttackHooks, type AttackOutcome, type Norm, type TargetSpec, type TraceRecord } from './types';

export { checkBudget, inRange, invalid, isWhole, type Budget } from './validate';
import { invalid, isWhole } from './validate';

/**
 * Classes of every image by decreasing logit (ties: lower class first), row-major n x k: the targets
 * of the targeted attacks of AutoAttack (APGD-T, FAB-T) are the classes ranked 2nd, 3rd, ...
 */
export function rankClasses(z: Float32Array, n: number, k: number): Int32Array {
  const out = new Int32Array(n * k);
  for (let i = 0; i < n; i++) {
    const order = Array.from({ length: k }, (_, c) => c).sort((a, b) => z[i * k + b] - z[i * k + a] || a - b);
    out.set(order, i * k);
  }
  return out;
}

/** Labels and targets of one batch, checked against the classifier. */
export interface Prepared {
  n: number;
  /** Components per image (H * W * C). */
  d: number;
  k: number;
  labels: Int32Array;
  /** Target class per image, null for an untargeted attack. */
  targets: Int32Array | null;
  /** Forward passes already spent per image (least-likely target selection). */
  queries: number;
}

/** Values of t (awaited, never a synchronous read), then t is disposed. */
export async function readAndDispose(t: tf.Tensor): Promise<Float32Array | Int32Array | Uint8Array> {
  try {
    return await t.data();
  } finally {
    t.dispose();
  }
}

/** Float32 copy of t's values (awaited), then t is disposed. */
export async function readFloats(t: tf.Tensor): Promise<Float32Array> {
  return Float32Array.from(await readAndDispose(t));
}

/**
 * Lets the event loop run one task (a message, a timer) before the next step: awaiting `data()` alone
 * only queues microtasks on the cpu and wasm backends, which would keep an abort message waiting until
 * the attack ends. setImmediate in Node, a MessageChannel round trip in browsers and workers (no 4 ms
 * timer clamping), setTimeout otherwise.
 */
export function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => unknown };
  if (typeof g.setImmediate === 'function') {
    const setImmediateFn = g.setImmediate;
    return new Promise((resolve) => setImmediateFn(resolve));
  }
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        resolve();
      };
      ch.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export async function prepare(
  clf: Classifier,
  x: tf.Tensor4D,
  y: Int32Array | number[],
  target: TargetSpec | undefined,
): Promise<Prepared> {
  const n = x.shape[0];
  const k = clf.numClasses;
  if (n < 1) invalid('the batch is empty');
  if (y.length !== n) invalid(`${y.length} labels for ${n} images`);
  const labels = Int32Array.from(y);
  for (const l of labels) if (!isWhole(l, 0, k - 1)) invalid(`label ${l} is not a class index 0..${k - 1}`);
  let targets: Int32Array | null = null;
  let queries = 0;
  if (target === 'least-likely') {
    const z = await readAndDispose(tf.tidy(() => clf.logits(x)));
    targets = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (z[i * k + c] < z[i * k + best]) best = c;
      targets[i] = best;
    }
    queries = 1;
  } else if (target !== undefined) {
    if (!isWhole(target, 0, k - 1)) invalid(`target ${String(target)} is not a class index 0..${k - 1} or "least-likely"`);
    targets = new Int32Array(n).fill(target);
  }
  const d = x.shape[1] * x.shape[2] * x.shape[3];
  return { n, d, k, labels, targets, queries };
}

/** Goal reached for image i given its predicted class. A target equal to the true label is never reached. */
export function reached(p: Prepared, i: number, pred: number): boolean {
  return p.targets ? pred === p.targets[i] && pred !== p.labels[i] : pred !== p.labels[i];
}

export function argmaxRows(z: Float32Array | Int32Array, n: number, k: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (z[i * k + c] > z[i * k + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Collects the trace and enforces cancellation. */
export class Recorder {
  readonly trace: TraceRecord[] = [];
  step = 0;
  constructor(
    private readonly p: Prepared,
    private readonly hooks: AttackHooks | undefined,
  ) {}

  checkCancelled(): void {
    if (this.hooks?.signal?.aborted) throw new AttackCancelled();
  }

  /** Between steps: let pending events (an abort message) run, then throw AttackCancelled if aborted. */
  async checkpoint(): Promise<void> {
    await yieldToEventLoop();
    this.checkCancelled();
  }

  /** Record the iterate whose logits (row-major n x k) and per-image loss are given; advances the step counter. */
  record(restart: number, logits: Float32Array, loss: Float32Array, rows?: Int32Array): TraceRecord {
    const { n, k, labels } = this.p;
    const r: TraceRecord = {
      step: this.step++,
      restart,
      loss: Float32Array.from(loss),
      trueProb: new Float32Array(n),
      topOtherClass: new Int32Array(n),
      topOtherProb: new Float32Array(n),
      margin: new Float32Array(n),
    };
    // rows: which image each logits row belongs to, when only a subset was evaluated; others are NaN/-1
    if (rows) {
      r.trueProb.fill(NaN);
      r.topOtherProb.fill(NaN);
      r.margin.fill(NaN);
      r.topOtherClass.fill(-1);
      const full = new Float32Array(n).fill(NaN);
      rows.forEach((img, j) => (full[img] = loss[j]));
      r.loss = full;
    }
    const m = rows ? rows.length : n;
    for (let j = 0; j < m; j++) {
      const i = rows ? rows[j] : j;
      const y = labels[i];
      let zmax = -Infinity;
      for (let c = 0; c < k; c++) zmax = Math.max(zmax, logits[j * k + c]);
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(logits[j * k + c] - zmax);
      let other = -1;
      for (let c = 0; c < k; c++) if (c !== y && (other < 0 || logits[j * k + c] > logits[j * k + other])) other = c;
      r.trueProb[i] = Math.exp(logits[j * k + y] - zmax) / sum;
      r.topOtherClass[i] = other;
      r.topOtherProb[i] = Math.exp(logits[j * k + other] - zmax) / sum;
      r.margin[i] = logits[j * k + y] - logits[j * k + other];
    }
    if (this.hooks?.keepTrace !== false) this.trace.push(r);
    this.hooks?.onStep?.(r);
    return r;
  }
}

/**
 * Gradient with respect to x of the sum over images of a per-image loss of the logits, together with
 * the logits and the per-image losses (one forward and one backward pass).
 */
export async function gradWithLogits(
  clf: Classifier,
  x: tf.Tensor4D,
  perImage: (z: tf.Tensor2D) => tf.Tensor1D,
): Promise<{ grad: tf.Tensor4D; logits: Float32Array; loss: Float32Array }> {
  const draws = clf.defence?.gradientSamples ?? 1;
  if (draws > 1) return averagedOverDraws(draws, () => gradWithLogitsOnce(clf, x, perImage));
  return gradWithLogitsOnce(clf, x, perImage);
}

/**
 * EOT (Athalye et al. 2018) for a defended classifier with a randomised transform: the mean of the
 * per-draw gradients of the loss, and the mean logits and losses over the same draws (as ART's
 * ExpectationOverTransformations averages class gradients and predictions over its samples).
 */
async function averagedOverDraws(
  draws: number,
  once: () => Promise<{ grad: tf.Tensor4D; logits: Float32Array; loss: Float32Array }>,
): Promise<{ grad: tf.Tensor4D; logits: Float32Array; loss: Float32Array }> {
  let sum: tf.Tensor4D | null = null;
  let logits: Float32Array | null = null;
  let loss: Float32Array | null = null;
  try {
    for (let s = 0; s < draws; s++) {
      const r = await once();
      if (sum === null) {
        sum = r.grad;
        logits = r.logits;
        loss = r.loss;
      } else {
        const next: tf.Tensor4D = tf.add(sum, r.grad);
        sum.dispose();
        r.grad.dispose();
        sum = next;
        for (let i = 0; i < r.logits.length; i++) logits![i] += r.logits[i];
        for (let i = 0; i < r.loss.length; i++) loss![i] += r.loss[i];
      }
    }
    const grad = tf.div(sum!, draws) as tf.Tensor4D;
    return { grad, logits: logits!.map((v) => v / draws), loss: loss!.map((v) => v / draws) };
  } finally {
    sum?.dispose();
  }
}

async function gradWithLogitsOnce(
  clf: Classifier,
  x: tf.Tensor4D,
  perImage: (z: tf.Tensor2D) => tf.Tensor1D,
): Promise<{ grad: tf.Tensor4D; logits: Float32Array; loss: Float32Array }> {
  let z: tf.Tensor2D | null = null;
  let per: tf.Tensor1D | null = null;
  let g: tf.Tensor4D | null = null;
  try {
    const { value, grad } = tf.valueAndGrad((xx: tf.Tensor) => {
      const zz = clf.logits(xx as tf.Tensor4D);
      const pp = perImage(zz);
      z = tf.keep(zz);
      per = tf.keep(pp);
      return tf.sum(pp) as tf.Scalar;
    })(x);
    value.dispose();
    g = grad as tf.Tensor4D;
    const [logits, loss] = await Promise.all([(z as tf.Tensor | null)!.data(), (per as tf.Tensor | null)!.data()]);
    return { grad: g, logits: Float32Array.from(logits), loss: Float32Array.from(loss) };
  } catch (e) {
    g?.dispose();
    throw e;
  } finally {
    if (z) (z as tf.Tensor).dispose();
    if (per) (per as tf.Tensor).dispose();
  }
}

/** Per-image softmax cross-entropy of logits against integer classes. */
export function crossEntropyPerImage(z: tf.Tensor2D, classes: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(tf.logSoftmax(z), tf.oneHot(classes, z.shape[1])), 1)) as tf.Tensor1D);
}

/**
 * sign(t) in {-1, 0, 1}, exact for every non-zero float. TensorFlow.js's wasm Sign kernel returns 0
 * for some tiny non-zero values (1e-7, -1e-7, 1e-30 in tfjs 4.22), which would leave pixels with a
 * small gradient unmoved where PyTorch, ART and torchattacks move them by the full step.
 */
export function exactSign(t: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.cast(tf.greater(t, 0), 'float32'), tf.cast(tf.less(t, 0), 'float32')));
}

/** Per-image L2 norm, shaped [n, 1, 1, 1] for broadcasting. */
export function l2PerImage(t: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.sqrt(tf.sum(tf.square(t), [1, 2, 3], true)) as tf.Tensor4D);
}

/** t / ||t||_2 per image (zero stays zero). */
export function normalizeL2(t: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.div(t, tf.add(l2PerImage(t), 1e-12)) as tf.Tensor4D);
}

/** Box of the L-inf ball intersected with [0, 1]. */
export function linfBox(x: tf.Tensor4D, eps: number): { lo: tf.Tensor4D; hi: tf.Tensor4D } {
  return { lo: tf.tidy(() => tf.maximum(tf.sub(x, eps), 0)), hi: tf.tidy(() => tf.minimum(tf.add(x, eps), 1)) };
}

/**
 * Projection onto {||a - x||_p <= eps} then onto [0, 1]. For L2 the difference is scaled by
 * min(1, eps / ||a - x||_2); clipping to [0, 1] afterwards can only shrink it.
 */
export function project(a: tf.Tensor4D, x: tf.Tensor4D, norm: Norm, eps: number, box?: { lo: tf.Tensor4D; hi: tf.Tensor4D }): tf.Tensor4D {
  return tf.tidy(() => {
    if (norm === 'linf') {
      if (box) return tf.minimum(tf.maximum(a, box.lo), box.hi) as tf.Tensor4D;
      return tf.clipByValue(tf.minimum(tf.maximum(a, tf.sub(x, eps)), tf.add(x, eps)), 0, 1) as tf.Tensor4D;
    }
    const d = tf.sub(a, x) as tf.Tensor4D;
    const factor = tf.minimum(tf.div(eps, tf.add(l2PerImage(d), 1e-12)), 1);
    return tf.clipByValue(tf.add(x, tf.mul(d, factor)), 0, 1) as tf.Tensor4D;
  });
}

/**
 * Uniform random point of the eps ball, clipped to [0, 1].
 * L-inf: x + U(-eps, eps)^d (Madry et al.).
 * L2: ART's convention, uniform in the ball: a Gaussian direction scaled to radius eps * u^(1/d),
 * u ~ U(0, 1). (torchattacks' PGDL2 uses radius eps * u, which concentrates near the centre.)
 */
export function randomStart(x: tf.Tensor4D, norm: Norm, eps: number, seed: number): tf.Tensor4D {
  if (norm === 'linf') {
    return tf.tidy(() => tf.clipByValue(tf.add(x, tf.randomUniform(x.shape, -eps, eps, 'float32', seed)), 0, 1) as tf.Tensor4D);
  }
  const n = x.shape[0];
  const d = x.shape[1] * x.shape[2] * x.shape[3];
  const rng = new Rng(seed);
  const radius = Float32Array.from({ length: n }, () => eps * Math.pow(rng.next(), 1 / d));
  return tf.tidy(() => {
    const dir = normalizeL2(tf.randomNormal(x.shape, 0, 1, 'float32', rng.seed()) as tf.Tensor4D);
    return tf.clipByValue(tf.add(x, tf.mul(dir, tf.tensor4d(radius, [n, 1, 1, 1]))), 0, 1) as tf.Tensor4D;
  });
}

/** Per image: a where mask is 1, else b. */
export function selectPerImage(mask: Uint8Array, a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const m = tf.tensor4d(Float32Array.from(mask), [mask.length, 1, 1, 1]);
    return tf.add(tf.mul(a, m), tf.mul(b, tf.sub(1, m))) as tf.Tensor4D;
  });
}

export async function perturbationNorms(x: tf.Tensor4D, adv: tf.Tensor4D): Promise<AttackOutcome['norms']> {
  const [l0, l2, linf] = tf.tidy(() => {
    const d = tf.reshape(tf.sub(adv, x), [x.shape[0], -1]);
    return [tf.sum(tf.cast(tf.greater(tf.abs(d), 1e-7), 'float32'), 1), tf.sqrt(tf.sum(tf.square(d), 1)), tf.max(tf.abs(d), 1)];
  });
  try {
    const [a, b, c] = await Promise.all([l0.data(), l2.data(), linf.data()]);
    return { l0: Float32Array.from(a), l2: Float32Array.from(b), linf: Float32Array.from(c) };
  } finally {
    tf.dispose([l0, l2, linf]);
  }
}

/**
 * Final bookkeeping. `logits` of adv may be given when the attack already has them; `success`
 * overrides the prediction-based goal test (C&W with a confidence margin).
 */
export async function finish(
  clf: Classifier,
  x: tf.Tensor4D,
  adv: tf.Tensor4D,
  p: Prepared,
  rec: Recorder,
  extra: { gradientEvaluations: number; queries: Int32Array; logits?: Float32Array; success?: Uint8Array },
): Promise<AttackOutcome> {
  try {
    const z = extra.logits ?? (await readFloats(tf.tidy(() => clf.logits(adv))));
    const predictions = argmaxRows(z, p.n, p.k);
    const fooled = new Uint8Array(p.n);
    const success = extra.success ?? new Uint8Array(p.n);
    for (let i = 0; i < p.n; i++) {
      fooled[i] = predictions[i] !== p.labels[i] ? 1 : 0;
      if (!extra.success) success[i] = reached(p, i, predictions[i]) ? 1 : 0;
    }
    const queries = extra.queries;
    if (!extra.logits) for (let i = 0; i < p.n; i++) queries[i] += 1;
    const norms = await perturbationNorms(x, adv);
    return {
      adversarial: adv,
      success,
      fooled,
      predictions,
      targets: p.targets,
      norms,
      gradientEvaluations: extra.gradientEvaluations,
      queries,
      trace: rec.trace,
    };
  } catch (e) {
    // adv belongs to the caller only once the outcome is returned
    adv.dispose();
    throw e;
  }
}

/** Copy of `base` in which image rows[j] is replaced by image j of `part` wherever take[j] is 1. */
export function replaceRows(base: tf.Tensor4D, rows: ArrayLike<number>, take: Uint8Array, part: tf.Tensor4D): tf.Tensor4D {
  const n = base.shape[0];
  const index = Int32Array.from({ length: n }, (_, i) => i);
  for (let j = 0; j < rows.length; j++) if (take[j]) index[rows[j]] = n + j;
  return tf.tidy(() => tf.gather(tf.concat([base, part]), tf.tensor1d(index, 'int32')) as tf.Tensor4D);
}
