/**
 * The counts of DP-SGD's Poisson sampling as Opacus makes them (free of TensorFlow.js: the page, the
 * worker and the CLI read them): floor(1 / q) steps an epoch (UniformWithReplacementSampler), and the
 * expected batch size int(N q) the noised sum is divided by. The 1e-9 guards 1/q's float rounding.
 */

/** Steps an epoch of Poisson sampling at rate q (Opacus: int(1 / q)). */
export function poissonSteps(q: number): number {
  return Math.max(1, Math.floor(1 / q + 1e-9));
}

/** The expected batch size Opacus divides by: int(N q). */
export function expectedBatchSize(n: number, q: number): number {
  return Math.max(1, Math.floor(n * q + 1e-9));
}
