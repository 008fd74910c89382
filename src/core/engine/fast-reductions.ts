/**
 * Faster wasm reductions and broadcasts over leading axes: the bias gradient (a sum over batch,
 * height and width), batch normalisation's moments (means) and its gradient's tile. TensorFlow.js's
 * wasm reductions only reduce innermost axes, so for leading axes they first transpose the whole
 * tensor; these add the rows in place instead (in float64, rounded once). Other cases keep the
 * original kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { replaceKernel } from './kernels';
import { simdKernels } from './simd';

let installed = false;

export function installFastReductions(): void {
  if (installed) return;
  installed = true;
  leadingReduction('Sum', false);
  leadingReduction('Mean', true);
  leadingTile();
}

function leadingReduction(kernelName: 'Sum' | 'Mean', mean: boolean): void {
  replaceKernel(kernelName, 'wasm', (original) => (args) => {
    const { inputs, backend, attrs } = args;
    const x = inputs.x;
    const { axis, keepDims } = attrs as { axis: number | number[]; keepDims: boolean };
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading) return original(args);
    const kept = x.shape.slice(axes.length);
    const inner = kept.reduce((p, d) => p * d, 1);
    const out = backend.makeOutput(keepDims ? [...axes.map(() => 1), ...kept] : kept, 'float32');
    const rows = tf.util.sizeFromShape(x.shape) / inner;
    const simd = simdKernels();
    let acc: Float64Array;
    if (simd && inner % 4 === 0) {
      // the SIMD twin of the loop below adds into float64s on the heap (a scratch tensor of 2 * inner floats)
      const scratch = backend.makeOutput([2 * inner], 'float32');
      const s = backend.typedArrayFromHeap(scratch);
      const heapAcc = new Float64Array(s.buffer, s.byteOffset, inner).fill(0);
      simd.addRowsF64(backend.typedArrayFromHeap(x).byteOffset, heapAcc.byteOffset, rows, inner);
      acc = heapAcc.slice();
      backend.disposeData(scratch.dataId);
    } else {
      const src = backend.typedArrayFromHeap(x);
      acc = new Float64Array(inner);
      for (let off = 0; off < src.length; off += inner) for (let j = 0; j < inner; j++) acc[j] += src[off + j];
    }
    if (mean) for (let j = 0; j < inner; j++) acc[j] /= rows;
    backend.typedArrayFromHeap(out).set(acc);
    return out;
  });
}

/**
 * Tile where every repeated axis has size 1 and comes before every axis of size > 1 (a [1, 1, 1, C]
 * tensor over batch, height and width): the output is the input end to end, written by doubling copies.
 */
function leadingTile(): void {
  replaceKernel('Tile', 'wasm', (original) => (args) => {
    const { inputs, backend, attrs } = args;
    const x = inputs.x;
    const { reps } = attrs as { reps: number[] };
    const firstKept = x.shape.findIndex((d) => d > 1);
    const end = firstKept < 0 ? x.shape.length : firstKept;
    const simple = x.dtype === 'float32' && reps.length === x.shape.length && reps.every((r, i) => (i < end ? x.shape[i] === 1 : r === 1));
    if (!simple) return original(args);
    const out = backend.makeOutput(
      x.shape.map((d, i) => d * reps[i]),
      'float32',
    );
    const dst = backend.typedArrayFromHeap(out);
    dst.set(backend.typedArrayFromHeap(x));
    for (let filled = x.shape.reduce((a, d) => a * d, 1); filled < dst.length; filled *= 2)
      dst.copyWithin(filled, 0, Math.min(filled, dst.length - filled));
    return out;
  });
}
