/**
 * How the clients' data is drawn from a training set: IID (a seeded shuffle dealt out evenly) or
 * non-IID label skew with Dirichlet(alpha) proportions (Hsu, Qi & Brown 2019; the partition of
 * NIID-Bench, Li et al. 2022, `partition_data(..., 'noniid-labeldir')`): for each class, the class's
 * images are shuffled and cut among the clients in proportions p ~ Dir(alpha, ..., alpha). As
 * NIID-Bench, the draw is repeated until every client holds at least `minSize` images (10); NIID-Bench
 * also zeroes the share of a client already above n / clients for the class being cut, which this
 * partition does not (so small alphas give more unequal sizes here; FedLab's `hetero_dir_partition`
 * does the same as this file).
 *
 * `perClient` caps the pool: with it, clients * perClient images are drawn (seeded) from the training
 * set first, so an IID client holds exactly perClient images and a Dirichlet client perClient on average.
 *
 * Gamma variates (for the Dirichlet draws) by Marsaglia & Tsang (2000), with the boost
 * G(a) = G(a + 1) * U^(1/a) for shapes below 1; normal variates by the polar method. No npm package is
 * installed for it: the project's node_modules is shared with the main checkout (a well-kept
 * candidate is @stdlib/random-base-gamma, whose `factory({ prng })` would take this file's Rng).
 */
import { Rng } from '../../../core/random';

export type SplitSpec = { kind: 'iid' } | { kind: 'dirichlet'; alpha: number };

/** Parse `iid` or `dirichlet:<alpha>` (alpha > 0); a one-line error for anything else. */
export function parseSplit(text: string): SplitSpec {
  const t = text.trim();
  if (t === 'iid') return { kind: 'iid' };
  const m = /^dirichlet:(\d*\.?\d+(?:e-?\d+)?)$/.exec(t);
  if (m) {
    const alpha = Number(m[1]);
    if (alpha > 0 && Number.isFinite(alpha)) return { kind: 'dirichlet', alpha };
  }
  throw new Error(`Bad split "${text}": expected iid or dirichlet:<alpha> with alpha > 0 (e.g. dirichlet:0.5)`);
}

export const splitText = (s: SplitSpec) => (s.kind === 'iid' ? 'iid' : `dirichlet:${s.alpha}`);

/** A standard normal variate (Marsaglia's polar method; the second variate is discarded so the stream stays simple). */
export function normalSample(rng: Rng): number {
  for (;;) {
    const u = 2 * rng.next() - 1;
    const v = 2 * rng.next() - 1;
    const s = u * u + v * v;
    if (s > 0 && s < 1) return u * Math.sqrt((-2 * Math.log(s)) / s);
  }
}

/** A Gamma(shape, 1) variate (Marsaglia & Tsang 2000). */
export function gammaSample(shape: number, rng: Rng): number {
  if (!(shape > 0)) throw new Error(`Gamma shape must be > 0 (got ${shape})`);
  if (shape < 1) {
    // boost: G(a) = G(a + 1) * U^(1/a); U in (0, 1]
    const u = 1 - rng.next();
    return gammaSample(shape + 1, rng) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normalSample(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Proportions p ~ Dirichlet(alpha, ..., alpha) over k parts (normalised Gamma variates). */
export function dirichletSample(alpha: number, k: number, rng: Rng): number[] {
  const g = Array.from({ length: k }, () => gammaSample(alpha, rng));
  const sum = g.reduce((a, b) => a + b, 0);
  // all k draws underflowed (tiny alpha): give the whole class to one part, as the limit alpha -> 0 does
  if (!(sum > 0)) {
    const p = new Array<number>(k).fill(0);
    p[rng.int(k)] = 1;
    return p;
  }
  return g.map((x) => x / sum);
}

export interface SplitOptions {
  /** Images per client: the pool is clients * perClient images drawn from the set (0: every image). */
  perClient?: number;
  /** Dirichlet: the least images a client may hold (the draw is repeated until it holds); NIID-Bench: 10. */
  minSize?: number;
  /** Classes (labels 0..classes-1). */
  classes?: number;
}

/**
 * Each client's image indices into the set whose labels are given (sorted ascending), for a seed.
 * Throws a one-line error when the clients cannot all be given data.
 */
export function splitClients(
  labels: ArrayLike<number>,
  clients: number,
  spec: SplitSpec,
  seed: number,
  opts: SplitOptions = {},
): Int32Array[] {
  const n = labels.length;
  const rng = new Rng(seed ^ 0x2545f491);
  const perClient = opts.perClient ?? 0;
  if (!Number.isInteger(clients) || clients < 1) throw new Error(`clients must be a whole number >= 1 (got ${clients})`);
  if (perClient * clients > n)
    throw new Error(`${clients} clients x ${perClient} images need ${perClient * clients} images; the set has ${n}`);
  if (clients > n) throw new Error(`${clients} clients cannot each hold an image of a set of ${n}`);
  const order = rng.permutation(n);
  const pool = perClient > 0 ? order.subarray(0, perClient * clients) : order;
  const sorted = (a: number[]) => Int32Array.from(a).sort();
  if (spec.kind === 'iid') {
    const out: Int32Array[] = [];
    for (let c = 0; c < clients; c++) {
      const from = Math.floor((c * pool.length) / clients);
      const to = Math.floor(((c + 1) * pool.length) / clients);
      out.push(Int32Array.from(pool.subarray(from, to)).sort());
    }
    return out;
  }
  const classes = opts.classes ?? 10;
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  for (const i of pool) byClass[labels[i]].push(i);
  const minSize = Math.min(opts.minSize ?? 10, Math.floor(pool.length / clients));
  for (let attempt = 0; attempt < 1000; attempt++) {
    const parts: number[][] = Array.from({ length: clients }, () => []);
    for (const idx of byClass) {
      if (idx.length === 0) continue;
      const perm = rng.permutation(idx.length);
      const p = dirichletSample(spec.alpha, clients, rng);
      let start = 0;
      let cum = 0;
      for (let c = 0; c < clients; c++) {
        cum += p[c];
        // NumPy's split at (cumsum(p) * len)[:-1] as integers: the last part takes the rest
        const end = c === clients - 1 ? idx.length : Math.min(idx.length, Math.floor(cum * idx.length));
        for (let j = start; j < end; j++) parts[c].push(idx[perm[j]]);
        start = Math.max(start, end);
      }
    }
    if (parts.every((q) => q.length >= minSize)) return parts.map(sorted);
  }
  throw new Error(
    `dirichlet:${spec.alpha} left a client with fewer than ${minSize} images in 1000 draws: raise alpha or the images per client, or use fewer clients`,
  );
}

/** Each client's number of images of each class (the label histogram drawn per client). */
export function labelHistograms(labels: ArrayLike<number>, parts: readonly Int32Array[], classes = 10): number[][] {
  return parts.map((p) => {
    const h = new Array<number>(classes).fill(0);
    for (const i of p) h[labels[i]]++;
    return h;
  });
}
