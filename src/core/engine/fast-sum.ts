/**
 * Faster wasm reductions and broadcasts over leading axes: the bias gradient (a sum over batch,
 * height and width), batch normalisation's moments (means) and its gradient's tile.
 */
import * as tf from '@tensorflow/tfjs';

type TensorInfo = { dataId: object; shape: number[]; dtype: string };
interface WasmBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

let sumInstalled = false;

/**
 * Sum and Mean over leading axes. TensorFlow.js's wasm reductions only reduce innermost axes, so for leading axes it first transposes the
 * whole tensor; this adds the rows in place instead (in float64, then rounded once). Other
 * reductions keep the original kernel.
 */
export function installFastSum(): void {
  if (sumInstalled) return;
  sumInstalled = true;
  leadingReduction('Sum', false);
  leadingReduction('Mean', true);
}

function leadingReduction(kernelName: 'Sum' | 'Mean', mean: boolean): void {
  const original = tf.getKernel(kernelName, 'wasm');
  if (!original) return;
  const warn = console.warn;
  console.warn = () => {};
  try {
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({
      ...original,
      kernelFunc: (args) => {
        const backend = args.backend as unknown as WasmBackend;
        const x = (args.inputs as unknown as { x: TensorInfo }).x;
        const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
        const rank = x.shape.length;
        const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
        const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
        if (x.dtype !== 'float32' || !leading) return original.kernelFunc(args);
        const kept = x.shape.slice(axes.length);
        const inner = kept.reduce((p, d) => p * d, 1);
        const outShape = keepDims ? [...axes.map(() => 1), ...kept] : kept;
        const out = backend.makeOutput(outShape, 'float32');
        const src = backend.typedArrayFromHeap(x);
        const acc = new Float64Array(inner);
        for (let off = 0; off < src.length; off += inner) for (let j = 0; j < inner; j++) acc[j] += src[off + j];
        if (mean) {
          const rows = src.length / inner;
          for (let j = 0; j < inner; j++) acc[j] /= rows;
        }
        backend.typedArrayFromHeap(out).set(acc);
        return out as never;
      },
    });
  } finally {
    console.warn = warn;
  }
}

let tileInstalled = false;

/**
 * A faster wasm Tile for the broadcast that batch normalisation's gradient asks for: a [1, 1, 1, C]
 * tensor repeated over batch, height and width. When every repeated axis has size 1 and comes before
 * every axis of size > 1, the output is the input repeated end to end, written by doubling copies.
 * Other tilings keep the original kernel.
 */
export function installFastTile(): void {
  if (tileInstalled) return;
  const original = tf.getKernel('Tile', 'wasm');
  if (!original) return;
  tileInstalled = true;
  const warn = console.warn;
  console.warn = () => {};
  try {
    tf.unregisterKernel('Tile', 'wasm');
    tf.registerKernel({
      ...original,
      kernelFunc: (args) => {
        const backend = args.backend as unknown as WasmBackend;
        const x = (args.inputs as unknown as { x: TensorInfo }).x;
        const { reps } = args.attrs as unknown as { reps: number[] };
        const firstKept = x.shape.findIndex((d) => d > 1);
        const end = firstKept < 0 ? x.shape.length : firstKept;
        const simple =
          x.dtype === 'float32' && reps.length === x.shape.length && reps.every((r, i) => (i < end ? x.shape[i] === 1 : r === 1));
        if (!simple) return original.kernelFunc(args);
        const out = backend.makeOutput(
          x.shape.map((d, i) => d * reps[i]),
          'float32',
        );
        const dst = backend.typedArrayFromHeap(out);
        const src = backend.typedArrayFromHeap(x);
        dst.set(src);
        for (let filled = src.length; filled < dst.length; filled *= 2) dst.copyWithin(filled, 0, Math.min(filled, dst.length - filled));
        return out as never;
      },
    });
  } finally {
    console.warn = warn;
  }
}
