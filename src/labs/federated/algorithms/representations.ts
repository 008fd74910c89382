/**
 * What the data-poisoning defences look at: a network's activations of its last hidden layer (the
 * input of the final dense layer, as ART's ActivationDefence takes `layer_names[-2]` and Tran et al.
 * the penultimate representation), and the principal directions of a class's centred activations
 * (the eigenvectors of their covariance through ml-matrix, i.e. the right singular vectors of the centred
 * matrix).
 */
import * as tf from '@tensorflow/tfjs';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { batchTensor } from '../../../core/data/batches';
import type { LabeledImages } from '../../../core/data/types';

/** Activations row-major: n rows of `dim` values. */
export interface Activations {
  n: number;
  dim: number;
  values: Float32Array;
}

/** The activations of `model`'s last hidden layer (the input of its last layer) on every image. */
export async function lastHiddenActivations(
  model: tf.LayersModel,
  data: LabeledImages,
  opts: { batchSize?: number; signal?: AbortSignal } = {},
): Promise<Activations> {
  const layers = model.layers;
  if (layers.length < 2) throw new Error('the model has no hidden layer');
  // shares the model's layers and weights: nothing of its own to dispose
  const hidden = tf.model({ inputs: model.inputs, outputs: layers[layers.length - 2].output as tf.SymbolicTensor });
  const dim = (hidden.outputs[0].shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
  const values = new Float32Array(data.n * dim);
  const bs = opts.batchSize ?? 250;
  for (let s = 0; s < data.n; s += bs) {
    if (opts.signal?.aborted) throw new Error('cancelled');
    const idx = Array.from({ length: Math.min(bs, data.n - s) }, (_, j) => s + j);
    const { x, y } = batchTensor(data, idx);
    const a = tf.tidy(() => (hidden.predict(x) as tf.Tensor).reshape([idx.length, dim]));
    values.set(await a.data(), s * dim);
    tf.dispose([x, y, a]);
    if ((s / bs) % 20 === 19) await new Promise((r) => setTimeout(r, 0));
  }
  return { n: data.n, dim, values };
}

/** Row indices of each class (labels 0..classes-1). */
export function indicesByClass(labels: ArrayLike<number>, classes: number): number[][] {
  const out: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) out[labels[i]].push(i);
  return out;
}

/** The rows `rows` of the activations, centred (their mean subtracted), as an ml-matrix Matrix. */
export function centredRows(acts: Activations, rows: readonly number[]): Matrix {
  const m = new Matrix(rows.length, acts.dim);
  const mean = new Float64Array(acts.dim);
  for (const r of rows) for (let d = 0; d < acts.dim; d++) mean[d] += acts.values[r * acts.dim + d];
  for (let d = 0; d < acts.dim; d++) mean[d] /= Math.max(1, rows.length);
  rows.forEach((r, i) => {
    for (let d = 0; d < acts.dim; d++) m.set(i, d, acts.values[r * acts.dim + d] - mean[d]);
  });
  return m;
}

/**
 * The top `k` principal directions of a centred matrix X (rows = points): the eigenvectors of X^T X of
 * the largest eigenvalues, largest first (the right singular vectors of X), with the variances
 * (eigenvalue / rows) along them.
 */
export function principalDirections(x: Matrix, k: number): { directions: Matrix; variances: number[] } {
  const cov = x.transpose().mmul(x);
  const evd = new EigenvalueDecomposition(cov, { assumeSymmetric: true });
  const vals = evd.realEigenvalues;
  const order = vals.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]);
  const kk = Math.min(k, order.length);
  const directions = new Matrix(x.columns, kk);
  const variances: number[] = [];
  for (let j = 0; j < kk; j++) {
    const col = order[j][1];
    for (let d = 0; d < x.columns; d++) directions.set(d, j, evd.eigenvectorMatrix.get(d, col));
    variances.push(Math.max(0, order[j][0]) / Math.max(1, x.rows));
  }
  return { directions, variances };
}
