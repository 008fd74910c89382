/**
 * Randomized smoothing (Cohen, Rosenfeld & Kolter, "Certified Adversarial Robustness via Randomized
 * Smoothing", ICML 2019): the smoothed classifier g(x) = argmax_c P(f(x + e) = c), e ~ N(0, sigma^2 I),
 * with the paper's PREDICT and CERTIFY (its Pseudocode, section 3.2; the authors' code,
 * locuslab/smoothing `code/core.py`, followed here):
 *
 * - CERTIFY: n0 noisy samples choose the top class cA; n fresh samples count nA = #{f(x + e) = cA};
 *   pA_lower is the one-sided (1 - alpha) Clopper-Pearson lower bound on pA
 *   (`proportion_confint(nA, n, alpha=2*alpha, method="beta")[0]` = `beta.ppf(alpha, nA, n - nA + 1)`);
 *   if pA_lower < 0.5 the certificate abstains, otherwise g is robust around x within the L2 radius
 *   sigma * PhiInverse(pA_lower). With nA = n the bound is alpha^(1/n), so no certificate exceeds
 *   sigma * PhiInverse(alpha^(1/n)) (`maxCertifiableRadius`: 0.7996 at sigma 0.25, n = 10,000, alpha 0.001).
 * - PREDICT: n samples; the two most counted classes, nA and nB; abstain unless the two-sided binomial
 *   test of nA successes in nA + nB trials at p = 0.5 has p-value <= alpha (scipy's `binom_test`).
 *
 * As in the authors' code, the noise is added to the image without clipping to [0, 1], and ties in the
 * counts go to the lower class index (numpy's argmax). Where this differs: the noise is drawn from a
 * seeded stream per image (its index and the seed), in sample order, so an image's certificate does not
 * depend on the batch size, the slice it was certified in, or the backend's random generator (the
 * authors draw from PyTorch's global generator). The statistics are @stdlib's beta and normal
 * quantiles and binomial test.
 *
 * Speed: each batch of noisy copies is written in one pass (image + sigma * z, z by Marsaglia's polar
 * method from mulberry32), classified, and its votes (one-hot of the argmax, summed) added to counts
 * that stay on the backend; an image's selection and estimation counts are read once, together.
 */
import * as tf from '@tensorflow/tfjs';
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import binomialTest from '@stdlib/stats-binomial-test';
import type { Classifier } from '../../../core/models/classifier';

/** The prediction of a smoothed classifier that abstains. */
export const ABSTAIN = -1;

/**
 * One-sided (1 - alpha) Clopper-Pearson lower confidence bound on a binomial proportion after `nA`
 * successes in `n` trials: beta.ppf(alpha, nA, n - nA + 1), and 0 when nA = 0.
 */
export function lowerConfidenceBound(nA: number, n: number, alpha: number): number {
  if (!Number.isInteger(nA) || !Number.isInteger(n) || nA < 0 || n < 1 || nA > n)
    throw new Error(`counts must satisfy 0 <= nA <= n with n >= 1 (nA ${nA}, n ${n})`);
  if (!(alpha > 0 && alpha < 1)) throw new Error(`alpha must be in (0, 1), not ${alpha}`);
  if (nA === 0) return 0;
  return betaQuantile(alpha, nA, n - nA + 1);
}

/** The standard normal quantile, Phi^-1(p). */
export function phiInverse(p: number): number {
  return normalQuantile(p, 0, 1);
}

/** The certified L2 radius sigma * Phi^-1(pA_lower) (meaningful when pA_lower >= 0.5). */
export function certifiedRadius(pALower: number, sigma: number): number {
  return sigma * phiInverse(pALower);
}

/** The largest radius CERTIFY can give with n samples at alpha: all n votes for the top class. */
export function maxCertifiableRadius(n: number, alpha: number, sigma: number): number {
  return certifiedRadius(lowerConfidenceBound(n, n, alpha), sigma);
}

/** A seeded stream of standard normal numbers (Marsaglia's polar method on mulberry32). */
export class GaussianStream {
  private s: number;
  private spare = NaN;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Fills `out[i] = base[i % base.length] + sigma * z_i` with the next out.length normals. */
  fillNoisy(out: Float32Array, base: Float32Array, sigma: number): void {
    let s = this.s | 0;
    const m = base.length;
    let i = 0;
    let k = 0;
    if (!Number.isNaN(this.spare) && out.length > 0) {
      out[i++] = base[k++] + sigma * this.spare;
      this.spare = NaN;
    }
    const n = out.length;
    while (i < n) {
      s = (s + 0x6d2b79f5) | 0;
      let t = Math.imul(s ^ (s >>> 15), s | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const u = ((t ^ (t >>> 14)) >>> 0) / 2147483648 - 1;
      s = (s + 0x6d2b79f5) | 0;
      t = Math.imul(s ^ (s >>> 15), s | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const v = ((t ^ (t >>> 14)) >>> 0) / 2147483648 - 1;
      const q = u * u + v * v;
      if (q >= 1 || q === 0) continue;
      const f = Math.sqrt((-2 * Math.log(q)) / q);
      if (k === m) k = 0;
      out[i++] = base[k++] + sigma * u * f;
      if (i < n) {
        if (k === m) k = 0;
        out[i++] = base[k++] + sigma * v * f;
      } else {
        this.spare = v * f;
      }
    }
    this.s = s;
  }
}

/** The noise stream of image `index` under `seed` (independent of the slice and the batch size). */
export function imageStream(seed: number, index: number): GaussianStream {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return new GaussianStream((h ^ (h >>> 16)) >>> 0);
}

export interface SamplingOptions {
  /** Noisy copies per forward pass. */
  batch: number;
  signal?: AbortSignal;
  /** After each batch: samples of this call done, and its total. */
  onBatch?: (done: number, total: number) => void;
  /** Receives the first batch of noisy images the base model saw (N x H x W x C values). */
  onFirstBatch?: (pixels: Float32Array, count: number) => void;
}

const cancelled = () => new Error('certification cancelled');
const yieldNow = () => new Promise<void>((r) => setTimeout(r, 0));

/**
 * The votes of the base classifier over `num` noisy copies of `image` (H x W x C values in [0, 1]),
 * as a counts tensor on the backend (K, int32): Cohen et al.'s `_sample_noise`. The caller disposes it.
 */
export async function sampleNoiseCounts(
  clf: Classifier,
  image: Float32Array,
  num: number,
  sigma: number,
  stream: GaussianStream,
  opts: SamplingOptions,
): Promise<tf.Tensor1D> {
  const [h, w, c] = clf.inputShape;
  const size = h * w * c;
  if (image.length !== size) throw new Error(`the image has ${image.length} values; the model takes ${h}x${w}x${c}`);
  if (!Number.isInteger(opts.batch) || opts.batch < 1) throw new Error(`batch must be a whole number >= 1, not ${opts.batch}`);
  let counts = tf.zeros([clf.numClasses], 'int32') as tf.Tensor1D;
  let buf = new Float32Array(Math.min(opts.batch, num) * size);
  let done = 0;
  try {
    while (done < num) {
      if (opts.signal?.aborted) throw cancelled();
      const b = Math.min(opts.batch, num - done);
      if (buf.length !== b * size) buf = new Float32Array(b * size);
      stream.fillNoisy(buf, image, sigma);
      if (done === 0) opts.onFirstBatch?.(buf, b);
      const next = tf.tidy(() => {
        const x = tf.tensor4d(buf, [b, h, w, c]);
        const votes = tf.oneHot(tf.argMax(clf.logits(x), 1) as tf.Tensor1D, clf.numClasses).sum(0);
        return counts.add(votes) as tf.Tensor1D;
      });
      counts.dispose();
      counts = next;
      done += b;
      opts.onBatch?.(done, num);
      await yieldNow();
    }
  } catch (e) {
    counts.dispose();
    throw e;
  }
  return counts;
}

/** Reads count tensors with one read from the backend, and disposes them. */
async function readCounts(ts: tf.Tensor1D[]): Promise<Int32Array[]> {
  const all = tf.concat(ts);
  const data = (await all.data()) as Int32Array;
  all.dispose();
  tf.dispose(ts);
  const k = ts[0].shape[0];
  return ts.map((_, i) => Int32Array.from(data.subarray(i * k, (i + 1) * k)));
}

/** numpy's argmax: the first index of the largest count. */
export function argmax(counts: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < counts.length; i++) if (counts[i] > counts[best]) best = i;
  return best;
}

export interface SmoothingSettings {
  sigma: number;
  /** Selection samples (n0). */
  samples0: number;
  /** Estimation samples (n). */
  samples: number;
  alpha: number;
  /** Noisy copies per forward pass. */
  batch: number;
}

export interface Certificate {
  /** The certified class, or ABSTAIN. */
  prediction: number;
  /** The class the selection samples chose (cA). */
  selected: number;
  /** nA: estimation votes for cA. */
  count: number;
  pALower: number;
  /** The certified L2 radius (0 when abstaining). */
  radius: number;
  /** Votes per class of the selection (n0) and estimation (n) samples. */
  selectionCounts: Int32Array;
  counts: Int32Array;
}

function checkSettings(s: SmoothingSettings): void {
  if (!(s.sigma > 0)) throw new Error(`sigma must be > 0, not ${s.sigma}`);
  if (!Number.isInteger(s.samples0) || s.samples0 < 1) throw new Error(`samples0 must be a whole number >= 1, not ${s.samples0}`);
  if (!Number.isInteger(s.samples) || s.samples < 1) throw new Error(`samples must be a whole number >= 1, not ${s.samples}`);
  if (!(s.alpha > 0 && s.alpha < 1)) throw new Error(`alpha must be in (0, 1), not ${s.alpha}`);
}

/** The certificate from the two vote counts (the statistics of CERTIFY, after the sampling). */
export function certificateFromCounts(
  selectionCounts: Int32Array,
  counts: Int32Array,
  s: Pick<SmoothingSettings, 'sigma' | 'samples' | 'alpha'>,
): Certificate {
  const selected = argmax(selectionCounts);
  const count = counts[selected];
  const pALower = lowerConfidenceBound(count, s.samples, s.alpha);
  const abstain = pALower < 0.5;
  return {
    prediction: abstain ? ABSTAIN : selected,
    selected,
    count,
    pALower,
    radius: abstain ? 0 : certifiedRadius(pALower, s.sigma),
    selectionCounts,
    counts,
  };
}

/** CERTIFY (Cohen et al., Pseudocode): the smoothed prediction at `image` and its certified L2 radius. */
export async function certify(
  clf: Classifier,
  image: Float32Array,
  s: SmoothingSettings,
  stream: GaussianStream,
  opts: Omit<SamplingOptions, 'batch' | 'onBatch'> & { onSamples?: (done: number, total: number) => void } = {},
): Promise<Certificate> {
  checkSettings(s);
  const total = s.samples0 + s.samples;
  const sel = await sampleNoiseCounts(clf, image, s.samples0, s.sigma, stream, {
    ...opts,
    batch: s.batch,
    onBatch: (d) => opts.onSamples?.(d, total),
  });
  let est: tf.Tensor1D;
  try {
    est = await sampleNoiseCounts(clf, image, s.samples, s.sigma, stream, {
      batch: s.batch,
      signal: opts.signal,
      onBatch: (d) => opts.onSamples?.(s.samples0 + d, total),
    });
  } catch (e) {
    sel.dispose();
    throw e;
  }
  const [selectionCounts, counts] = await readCounts([sel, est]);
  return certificateFromCounts(selectionCounts, counts, s);
}

export interface Prediction {
  prediction: number;
  /** The two-sided binomial test's p-value of the top two counts. */
  pValue: number;
  counts: Int32Array;
}

/** PREDICT's decision from its counts: the top class unless the binomial test cannot tell it from the runner-up at alpha. */
export function predictionFromCounts(counts: Int32Array, alpha: number): Prediction {
  const order = Array.from(counts.keys()).sort((a, b) => counts[b] - counts[a] || a - b);
  const [top, second] = order;
  const nA = counts[top];
  const nB = second === undefined ? 0 : counts[second];
  const pValue = binomialTest(nA, nA + nB, { p: 0.5 }).pValue;
  return { prediction: pValue > alpha ? ABSTAIN : top, pValue, counts };
}

/** PREDICT (Cohen et al., Pseudocode): the smoothed classifier's prediction, abstaining when unsure at level alpha. */
export async function predict(
  clf: Classifier,
  image: Float32Array,
  s: Pick<SmoothingSettings, 'sigma' | 'samples' | 'alpha' | 'batch'>,
  stream: GaussianStream,
  opts: Omit<SamplingOptions, 'batch'> = {},
): Promise<Prediction> {
  checkSettings({ ...s, samples0: 1 });
  const t = await sampleNoiseCounts(clf, image, s.samples, s.sigma, stream, { ...opts, batch: s.batch });
  const [counts] = await readCounts([t]);
  return predictionFromCounts(counts, s.alpha);
}

export interface ImageCertificate extends Certificate {
  index: number;
  label: number;
}

/** Certified accuracy at each radius: the fraction of images certified correct with radius >= r (Cohen et al.'s analyze.py). */
export function certifiedAccuracyByRadius(
  images: readonly Pick<ImageCertificate, 'prediction' | 'label' | 'radius'>[],
  radii: readonly number[],
): number[] {
  return radii.map((r) =>
    images.length === 0 ? 0 : images.filter((im) => im.prediction === im.label && im.radius >= r).length / images.length,
  );
}

/**
 * CERTIFY over images `start .. start + n - 1` of a split (pixels as bytes, /255): one certificate per
 * image, each with its own noise stream (`imageStream(seed, index)`).
 */
export async function certifySplit(
  clf: Classifier,
  split: { n: number; shape: [number, number, number]; pixels: Uint8Array; labels: Uint8Array | Int32Array | ArrayLike<number> },
  range: { start: number; n: number },
  s: SmoothingSettings & { seed: number },
  opts: {
    signal?: AbortSignal;
    /** After each batch: images done (whole), the range's size, samples done over the range. */
    onProgress?: (images: number, total: number, samples: number) => void;
    onImage?: (c: ImageCertificate) => void;
    /** The first batch of noisy copies of the first image (what the base model saw). */
    onFirstBatch?: (pixels: Float32Array, count: number) => void;
  } = {},
): Promise<ImageCertificate[]> {
  const size = split.shape[0] * split.shape[1] * split.shape[2];
  if (range.start < 0 || range.n < 1 || range.start + range.n > split.n)
    throw new Error(`images ${range.start}..${range.start + range.n - 1} are outside the split (0..${split.n - 1})`);
  const out: ImageCertificate[] = [];
  const per = s.samples0 + s.samples;
  const image = new Float32Array(size);
  for (let i = 0; i < range.n; i++) {
    const index = range.start + i;
    const px = split.pixels.subarray(index * size, (index + 1) * size);
    for (let j = 0; j < size; j++) image[j] = px[j] / 255;
    const c = await certify(clf, image, s, imageStream(s.seed, index), {
      signal: opts.signal,
      onSamples: (d) => opts.onProgress?.(i, range.n, i * per + d),
      onFirstBatch: i === 0 ? opts.onFirstBatch : undefined,
    });
    const ic = { ...c, index, label: Number(split.labels[index]) };
    out.push(ic);
    opts.onImage?.(ic);
    opts.onProgress?.(i + 1, range.n, (i + 1) * per);
  }
  return out;
}
