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
  winograd3x3(
    x: number,
    u: number,
    bias: number,
    y: number,
    scratch: number,
    n0: number,
    n1: number,
    h: number,
    w: number,
    ci: number,
    co: number,
    oh: number,
    ow: number,
    padTop: number,
    padLeft: number,
    relu: number,
  ): void;
}

/**
 * Runs calls of one kernel at the same time, one per kernel thread (the caller's thread takes the
 * first), and returns when all are done. Only where the heap is shared (the threaded build in Node).
 */
export interface SimdThreads {
  count: number;
  run(kernel: 'winograd3x3' | 'maxPool2x2', calls: number[][]): void;
}

let active: SimdKernels | null = null;
let threads: SimdThreads | null = null;

/** The installed kernels, or null (then the JavaScript kernels run). */
export function simdKernels(): SimdKernels | null {
  return active;
}

/** Installs (or with null, removes) the kernels; tests use it to compare both paths. */
export function setSimdKernels(k: SimdKernels | null, t?: SimdThreads | null): void {
  active = k;
  if (t !== undefined) threads = t;
}

/** The kernel threads over the shared heap, or null (one thread: call the kernels directly). */
export function simdThreads(): SimdThreads | null {
  return active ? threads : null;
}
