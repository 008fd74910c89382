/**
 * A faster wasm BatchMatMul for transposed operands.
 *
 * TensorFlow.js's wasm BatchMatMul is fast (XNNPACK) only when neither operand is transposed; with
 * transposeA it is about 15x slower and with transposeB about 2x (measured on a [128, 2048] x
 * [2048, 256] dense layer). Every dense layer's gradient asks for those forms (dA = dy B^T,
 * dB = A^T dy). This wrapper transposes the operand explicitly with the wasm Transpose kernel and
 * runs the fast form. Results equal the original up to float32 summation order (fast-matmul.test.ts).
 */
import { callKernel, replaceKernel, type TensorInfo } from './kernels';

let installed = false;

export function installFastMatMul(): void {
  if (installed) return;
  installed = replaceKernel('BatchMatMul', 'wasm', (original) => (args) => {
    const { inputs, backend, attrs } = args;
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return original(args);
    const swapLast = (x: TensorInfo): TensorInfo => {
      const r = x.shape.length;
      return callKernel('Transpose', backend, { x }, { perm: [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2] });
    };
    const { a, b } = inputs;
    const ta = transposeA ? swapLast(a) : a;
    const tb = transposeB ? swapLast(b) : b;
    const out = original({ inputs: { a: ta, b: tb }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    if (ta !== a) backend.disposeData(ta.dataId);
    if (tb !== b) backend.disposeData(tb.dataId);
    return out;
  });
}
