/**
 * Helpers the aggregation rules share: input checks (one-line errors), squared distances, a stable
 * order, size shares. Arithmetic is in float64; the rules return Float32Array as the contract says.
 */
import type { AggregationInput } from './types';

/** Checks the updates (and sizes, history, root when given): at least one, one length, finite numbers. */
export function checkInput(rule: string, input: AggregationInput): { n: number; d: number } {
  const { updates, sizes } = input;
  const n = updates.length;
  if (n === 0) throw new Error(`${rule} needs at least one update`);
  const d = updates[0].length;
  if (d === 0) throw new Error(`${rule}: the updates are empty vectors`);
  for (let i = 0; i < n; i++) {
    const u = updates[i];
    if (u.length !== d) throw new Error(`${rule}: update ${i} has ${u.length} values, update 0 has ${d} (different lengths)`);
    for (let j = 0; j < d; j++)
      if (!Number.isFinite(u[j])) throw new Error(`${rule}: update ${i} has a non-finite value (${u[j]}) at ${j}`);
  }
  if (sizes.length !== n) throw new Error(`${rule}: ${sizes.length} sizes for ${n} updates`);
  for (let i = 0; i < n; i++)
    if (!(Number.isFinite(sizes[i]) && sizes[i] >= 0)) throw new Error(`${rule}: size ${i} (${sizes[i]}) is not a number >= 0`);
  if (input.history) {
    if (input.history.length !== n) throw new Error(`${rule}: ${input.history.length} history vectors for ${n} updates`);
    input.history.forEach((h, i) => checkVector(rule, `history ${i}`, h, d));
  }
  if (input.root) checkVector(rule, 'the root update', input.root, d);
  return { n, d };
}

export function checkVector(rule: string, what: string, v: ArrayLike<number>, d: number): void {
  if (v.length !== d) throw new Error(`${rule}: ${what} has ${v.length} values, the updates ${d} (different lengths)`);
  for (let j = 0; j < d; j++) if (!Number.isFinite(v[j])) throw new Error(`${rule}: ${what} has a non-finite value (${v[j]}) at ${j}`);
}

/** Shares of the data sizes (sum 1) over the clients in `among` (all when absent); 0 elsewhere. */
export function sizeShares(rule: string, sizes: readonly number[], among?: readonly number[]): number[] {
  const idx = among ?? sizes.map((_, i) => i);
  const total = idx.reduce((a, i) => a + sizes[i], 0);
  if (!(total > 0)) throw new Error(`${rule}: the clients taken have no data (their sizes sum to 0)`);
  const w = sizes.map(() => 0);
  for (const i of idx) w[i] = sizes[i] / total;
  return w;
}

/** Squared L2 distance between two vectors (float64 sum). */
export function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) {
    const t = a[j] - b[j];
    s += t * t;
  }
  return s;
}

/** Matrix of squared distances between the updates, as Flower's `_compute_distances`. */
export function distanceMatrix(updates: readonly ArrayLike<number>[]): Float64Array[] {
  const n = updates.length;
  const m = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const v = squaredDistance(updates[i], updates[j]);
      m[i][j] = v;
      m[j][i] = v;
    }
  return m;
}

export function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j] * v[j];
  return Math.sqrt(s);
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

/** Indices sorted by value, ascending; ties by index (a stable order, so results never depend on the sort). */
export function argsort(values: ArrayLike<number>): number[] {
  return Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a] - values[b] || a - b);
}

/** Σ w_i u_i over the updates with w_i != 0, in float64, as a Float32Array. */
export function weightedSum(updates: readonly ArrayLike<number>[], weights: readonly number[]): Float32Array {
  const d = updates[0].length;
  const out = new Float64Array(d);
  for (let i = 0; i < updates.length; i++) {
    const w = weights[i];
    if (w === 0) continue;
    const u = updates[i];
    for (let j = 0; j < d; j++) out[j] += w * u[j];
  }
  return Float32Array.from(out);
}

/** The `f` parameter as a whole number >= 0. */
export function checkF(rule: string, f: number): void {
  if (!(Number.isInteger(f) && f >= 0)) throw new Error(`${rule}: f (${f}) must be a whole number >= 0`);
}
