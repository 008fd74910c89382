/**
 * A faster wasm Sum over leading axes (the bias gradient: a sum over batch, height and width).
 */
import * as tf from '@tensorflow/tfjs';

type TensorInfo = { dataId: object; shape: number[]; dtype: string };
interface WasmBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array;
}

let sumInstalled = false;

/**
 * A faster wasm Sum over leading axes (the bias gradient: sum over batch, height and width).
 * TensorFlow.js's wasm Sum only reduces innermost axes, so for leading axes it first transposes the
 * whole tensor; this adds the rows in place instead (in float64, then rounded once). Other
 * reductions keep the original kernel.
 */
export function installFastSum(): void {
  if (sumInstalled) return;
  const original = tf.getKernel('Sum', 'wasm');
  if (!original) return;
  sumInstalled = true;
  const warn = console.warn;
  console.warn = () => {};
  try {
    tf.unregisterKernel('Sum', 'wasm');
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
        backend.typedArrayFromHeap(out).set(acc);
        return out as never;
      },
    });
  } finally {
    console.warn = warn;
  }
}
