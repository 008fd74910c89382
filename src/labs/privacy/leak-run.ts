/**
 * One gradient-leakage experiment, shared by `rlab dlg` and the worker's `leak` job: a fresh
 * lenet-sigmoid (initialised as the DLG authors do, seeded), a client's batch of test images, the
 * gradient it shares after its defence, and the attack (algorithms/leakage/), with quality measured
 * against the originals.
 */
import * as tf from '@tensorflow/tfjs';
import type { LabeledImages } from '../../core/data/types';
import { buildModel } from '../../core/models/architectures';
import { tidyValue, type LeakProgress, type LeakResult } from './algorithms/leakage/attack';
import { globalNorm } from './algorithms/dp-explain';
import { sharedGradient } from './algorithms/leakage/defences';
import { dlg } from './algorithms/leakage/dlg';
import { idlg } from './algorithms/leakage/idlg';
import { invertingGradients } from './algorithms/leakage/inverting-gradients';
import { clip01, matchedMse, psnr } from './algorithms/leakage/metrics';
import { disposeLeakNet, leakNetOf, releaseSelections } from './algorithms/leakage/net';
import type { LeakSettings } from './experiment/leak';

export interface LeakRunProgress extends LeakProgress {
  /** The trial (from 1) of `restarts`. */
  trial: number;
  /** Per-image MSE of the current (clipped) reconstruction against the originals. */
  mse: number;
  psnr: number;
  /** What the attack works against (constant over a run): see LeakRunResult. */
  trueLabelProbability: number[];
  gradientNorm: number;
}

export interface LeakRunResult {
  original: Float32Array;
  result: LeakResult;
  trueLabels: number[];
  /** Mean over the batch of the matched per-image MSE; PSNR of that mean. */
  mse: number;
  psnr: number;
  perImageMse: number[];
  labelCorrect: boolean;
  /** The kept trial (from 1) and every trial's final gradient-matching loss. */
  trial: number;
  trialLosses: number[];
  /**
   * The probability the (untrained, seeded) network gives each image's true label, and the L2 norm of
   * the shared gradient over every parameter. The cross-entropy gradient at the logits is p - onehot(y),
   * of norm at most sqrt(2) (1 - p_y): an image the network already puts in its class (p_y near 1) shares
   * a gradient scaled down by 1 - p_y, with little to match, and DLG fails most often on those.
   */
  trueLabelProbability: number[];
  gradientNorm: number;
  seconds: number;
}

/** The batch [index, index + batch) of a split as [0, 1] floats. */
export function batchOf(data: LabeledImages, index: number, batch: number): { x: Float32Array; labels: number[] } {
  if (index + batch > data.n) throw new Error(`images ${index}..${index + batch - 1}: the split has ${data.n}`);
  const size = data.shape[0] * data.shape[1] * data.shape[2];
  const x = new Float32Array(batch * size);
  for (let i = 0; i < batch * size; i++) x[i] = data.pixels[index * size + i] / 255;
  return { x, labels: Array.from(data.labels.subarray(index, index + batch)) };
}

export async function runLeak(
  data: LabeledImages,
  numClasses: number,
  s: LeakSettings,
  onProgress?: (p: LeakRunProgress) => boolean | void | Promise<boolean | void>,
  progressEvery = 10,
): Promise<LeakRunResult> {
  if (s.method === 'idlg' && s.batch !== 1) throw new Error('idlg reads the label of a single image: batch 1 only');
  const t0 = performance.now();
  const model = buildModel('lenet-sigmoid', data.shape, numClasses, s.seed);
  const { x, labels } = batchOf(data, s.index, s.batch);
  const xt = tf.tensor4d(x, [s.batch, ...data.shape]);
  const probabilities = tidyValue(() => tf.softmax(model.predict(xt) as tf.Tensor2D).arraySync());
  const trueLabelProbability = labels.map((y, i) => probabilities[i][y]);
  const net = leakNetOf(model);
  model.dispose();
  const shared = sharedGradient(net, xt, labels, { noise: s.noise, prune: s.prune, clip: s.clip }, s.seed + 7);
  xt.dispose();
  const gradientNorm = tidyValue(() => globalNorm(shared).dataSync()[0]);
  const quality = (rec: Float32Array) => {
    const m = matchedMse(x, rec, s.batch).mse;
    const mean = m.reduce((a, v) => a + v, 0) / m.length;
    return { mse: mean, psnr: psnr(mean), per: m };
  };
  let result: LeakResult | null = null;
  let kept = 0;
  const trialLosses: number[] = [];
  try {
    for (let trial = 1; trial <= s.restarts; trial++) {
      // trial 1 draws its dummy from seed + 1 as a single run does; later trials from their own streams
      const options = {
        iterations: s.iterations,
        seed: s.seed + 1 + 7919 * (trial - 1),
        progressEvery,
        tolerances: s.tolerances === 'none' ? { toleranceGrad: 0, toleranceChange: 0 } : undefined,
        onProgress:
          onProgress &&
          ((p: LeakProgress) => onProgress({ ...p, trial, trueLabelProbability, gradientNorm, ...quality(p.reconstruction) })),
      };
      let r: LeakResult;
      if (s.method === 'dlg') r = await dlg(net, shared, { ...options, batch: s.batch });
      else if (s.method === 'idlg') r = await idlg(net, shared, options);
      else r = await invertingGradients(net, shared, { ...options, labels, tv: s.tv });
      trialLosses.push(r.loss);
      // a non-finite loss never wins; the attacker compares only what it sees, the matching loss
      if (result === null || (Number.isFinite(r.loss) && !(r.loss >= result.loss))) {
        result = r;
        kept = trial;
      }
      if (r.stopped) break;
    }
  } finally {
    tf.dispose(shared);
    disposeLeakNet(net);
    releaseSelections();
  }
  if (!result) throw new Error('no leakage trial ran');
  const q = quality(result.reconstruction);
  const labelCorrect = [...result.labels].sort().join() === [...labels].sort().join();
  return {
    original: x,
    result: { ...result, reconstruction: clip01(result.reconstruction) },
    trueLabels: labels,
    mse: q.mse,
    psnr: q.psnr,
    perImageMse: q.per,
    labelCorrect,
    trial: kept,
    trialLosses,
    trueLabelProbability,
    gradientNorm,
    seconds: (performance.now() - t0) / 1000,
  };
}
