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
  run(kernel: ThreadedKernel, calls: number[][]): void;
}

/** The kernels the kernel threads can run. */
export type ThreadedKernel = 'winograd3x3' | 'maxPool2x2';

/**
 * Runs `kernel` over images 0..n-1 in one share per kernel thread (one share without threads):
 * `args(from, to, k)` gives share k's arguments for images from..to-1. Returns when all are done.
 */
export function runByImages(kernel: ThreadedKernel, n: number, args: (from: number, to: number, k: number) => number[]): void {
  const simd = active;
  if (!simd) throw new Error('the SIMD kernels are not installed');
  const t = threads;
  const parts = imageShares(n);
  const calls = Array.from({ length: parts }, (_, k) => args(Math.floor((k * n) / parts), Math.floor(((k + 1) * n) / parts), k));
  if (t && parts > 1) t.run(kernel, calls);
  else (simd[kernel] as (...a: number[]) => void)(...calls[0]);
}

/** How many shares runByImages makes of n images (what per-share scratch to allocate). */
export function imageShares(n: number): number {
  return Math.max(1, Math.min(n, (active ? threads?.count : 1) ?? 1));
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
