/**
 * A faster wasm BatchMatMul for transposed operands.
 *
 * TensorFlow.js's wasm BatchMatMul is fast (XNNPACK) only when neither operand is transposed; with
 * transposeA it is about 15x slower and with transposeB about 2x (measured on a [128, 2048] x
 * [2048, 256] dense layer). Every dense layer's gradient asks for those forms (dA = dy B^T,
 * dB = A^T dy). This wrapper transposes the operand explicitly with the wasm Transpose kernel and
 * runs the fast form. Results equal the original up to float32 summation order (fast-matmul.test.ts).
 */
import * as tf from '@tensorflow/tfjs';

type TensorInfo = { dataId: object; shape: number[]; dtype: string };
type Backend = { disposeData(dataId: object): void };

let installed = false;

export function installFastMatMul(): void {
  if (installed) return;
  const original = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!original || !transpose) return; // not the wasm backend
  installed = true;
  const swapLast = (x: TensorInfo, backend: unknown): TensorInfo => {
    const r = x.shape.length;
    const perm = [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2];
    return transpose.kernelFunc({ inputs: { x } as never, backend: backend as never, attrs: { perm } }) as unknown as TensorInfo;
  };
  const warn = console.warn;
  console.warn = () => {}; // TensorFlow.js warns that the kernel is re-registered: that is the point
  try {
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel({
      kernelName: 'BatchMatMul',
      backendName: 'wasm',
      setupFunc: original.setupFunc,
      kernelFunc: (args) => {
        const { inputs, backend, attrs } = args;
        const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
        if (!transposeA && !transposeB) return original.kernelFunc(args);
        const a = inputs.a as unknown as TensorInfo;
        const b = inputs.b as unknown as TensorInfo;
        const ta = transposeA ? swapLast(a, backend) : a;
        const tb = transposeB ? swapLast(b, backend) : b;
        const out = original.kernelFunc({
          inputs: { a: ta, b: tb } as never,
          backend,
          attrs: { ...attrs, transposeA: false, transposeB: false } as never,
        });
        if (ta !== a) (backend as Backend).disposeData(ta.dataId);
        if (tb !== b) (backend as Backend).disposeData(tb.dataId);
        return out;
      },
    });
  } finally {
    console.warn = warn;
  }
}
