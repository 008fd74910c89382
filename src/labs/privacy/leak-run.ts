/**
 * One gradient-leakage experiment, shared by `rlab dlg` and the worker's `leak` job: a fresh
 * lenet-sigmoid (initialised as the DLG authors do, seeded), a client's batch of test images, the
 * gradient it shares after its defence, and the attack (algorithms/leakage/), with quality measured
 * against the originals.
 */
import * as tf from '@tensorflow/tfjs';
import type { LabeledImages } from '../../core/data/types';
import { buildModel } from '../../core/models/architectures';
import type { LeakProgress, LeakResult } from './algorithms/leakage/attack';
import { sharedGradient } from './algorithms/leakage/defences';
import { dlg } from './algorithms/leakage/dlg';
import { idlg } from './algorithms/leakage/idlg';
import { invertingGradients } from './algorithms/leakage/inverting-gradients';
import { clip01, matchedMse, psnr } from './algorithms/leakage/metrics';
import { disposeLeakNet, leakNetOf, releaseSelections } from './algorithms/leakage/net';
import type { LeakSettings } from './experiment/leak';

export interface LeakRunProgress extends LeakProgress {
  /** Per-image MSE of the current (clipped) reconstruction against the originals. */
  mse: number;
  psnr: number;
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
  const net = leakNetOf(model);
  model.dispose();
  const { x, labels } = batchOf(data, s.index, s.batch);
  const xt = tf.tensor4d(x, [s.batch, ...data.shape]);
  const shared = sharedGradient(net, xt, labels, { noise: s.noise, prune: s.prune, clip: s.clip }, s.seed + 7);
  xt.dispose();
  const quality = (rec: Float32Array) => {
    const m = matchedMse(x, rec, s.batch).mse;
    const mean = m.reduce((a, v) => a + v, 0) / m.length;
    return { mse: mean, psnr: psnr(mean), per: m };
  };
  const options = {
    iterations: s.iterations,
    seed: s.seed + 1,
    progressEvery,
    onProgress: onProgress && ((p: LeakProgress) => onProgress({ ...p, ...quality(p.reconstruction) })),
  };
  let result: LeakResult;
  try {
    if (s.method === 'dlg') result = await dlg(net, shared, { ...options, batch: s.batch });
    else if (s.method === 'idlg') result = await idlg(net, shared, options);
    else result = await invertingGradients(net, shared, { ...options, labels, tv: s.tv });
  } finally {
    tf.dispose(shared);
    disposeLeakNet(net);
    releaseSelections();
  }
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
    seconds: (performance.now() - t0) / 1000,
  };
}
