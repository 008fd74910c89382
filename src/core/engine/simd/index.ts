/**
 * SIMD kernels (kernels.wat): WebAssembly that works on the wasm backend's heap in place, four float32
 * lanes at a time. Most are twins of the engine's JavaScript kernels, which call them when they are
 * installed and the case fits (channels a multiple of 4), and produce the same bits either way; the
 * forward 2x2 max pool stands in for TensorFlow.js's own kernel in the cases it fits, which runs otherwise.
 * This file only holds the installed instance (it is safe to bundle for the browser); load-node.ts
 * assembles and installs it in Node.
 */

/** The exported functions of kernels.wat. Pointers are byte offsets into the wasm backend's heap. */
export interface SimdKernels {
  maxPool2x2Backprop(x: number, dy: number, dx: number, n: number, h: number, w: number, c: number, oh: number, ow: number): void;
  addRowsF64(src: number, acc: number, rows: number, inner: number): void;
  batchNormGradSums(x: number, dy: number, mean: number, sumDy: number, sumDyXc: number, rows: number, c: number): void;
  batchNormGradApply(x: number, dy: number, dx: number, a: number, b: number, k0: number, rows: number, c: number): void;
  convFilterGradFewChannels(
    x: number,
    dy: number,
    acc: number,
    offs: number,
    n: number,
    hp: number,
    wp: number,
    ci: number,
    ho: number,
    wo: number,
    co: number,
    taps: number,
  ): void;
  maxPool2x2(x: number, y: number, n: number, h: number, w: number, c: number, oh: number, ow: number): void;
}

let active: SimdKernels | null = null;

/** The installed kernels, or null (then the JavaScript kernels run). */
export function simdKernels(): SimdKernels | null {
  return active;
}

/** Installs (or with null, removes) the kernels; tests use it to compare both paths. */
export function setSimdKernels(k: SimdKernels | null): void {
  active = k;
}
