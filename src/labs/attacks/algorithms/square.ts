/**
 * Square Attack, L-inf, score-based black box (Andriushchenko, Croce, Flammarion, Hein 2020), as the
 * authors' square_attack_linf and AutoAttack's square.py. Only forward passes (logits) are used;
 * the classifier is never differentiated.
 *
 *   margin loss   L(x) = Z_y(x) - max_{k != y} Z_k(x)          (targeted: max_{k != t} Z_k - Z_t)
 *   init          x_best = clip_[0,1](x + vertical stripes): one +-eps per image, column and channel
 *   per query     p = p_selection(pInit, i, N) (the authors' piecewise-constant schedule: pInit halved
 *                 at i/N*10000 > 10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000);
 *                 s = round(sqrt(p * H * W)) clamped to [1, H - 1]; a random s x s window (corner
 *                 uniform in [0, H - s) x [0, W - s)); its perturbation is set to one random +-eps per
 *                 channel, redrawn until it changes the image;
 *                 x_new = clip_[0,1](x + delta), accepted if L(x_new) < L(x_best)
 *   stop          per image once L(x_best) <= 0 (misclassified / target reached) or the budget is spent
 *
 * Queries: the initial evaluation counts as one, then one per iteration while the image is still
 * being attacked; `queries` (budget N, default 5000) caps the total per image. pInit defaults to 0.8
 * (AutoAttack, ART, torchattacks; the paper's tables use 0.05 on ImageNet/CIFAR-10 and 0.3 on MNIST).
 * Random choices come from the seeded Rng in a fixed order (image, then column/channel or window).
 * Trace: the accepted iterate x_best of every image after every query round, loss = L(x_best).
 */
import { defineAttack } from './definition';
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../../../core/models/classifier';
import { Rng } from '../../../core/random';
import { finish, inRange, invalid, isWhole, prepare, readFloats, Recorder } from '../../../core/adversarial/common';
import type { AttackHooks, AttackOutcome, SquareSpec } from '../../../core/adversarial/types';

export type ResolvedSquare = Required<Omit<SquareSpec, 'target'>> & Pick<SquareSpec, 'target'>;

export function resolveSquare(s: SquareSpec): ResolvedSquare {
  const r: ResolvedSquare = {
    name: 'square',
    norm: s.norm ?? 'linf',
    eps: s.eps,
    queries: s.queries ?? 5000,
    pInit: s.pInit ?? 0.8,
    seed: s.seed ?? 0,
    target: s.target,
  };
  if (r.norm !== 'linf') invalid(`square is implemented for norm linf only, not "${String(r.norm)}"`);
  if (!inRange(r.eps, 0, 1)) invalid(`eps must be in [0, 1], got ${r.eps}`);
  if (!isWhole(r.queries, 1, 1000000)) invalid(`queries must be a whole number >= 1, got ${r.queries}`);
  if (!(typeof r.pInit === 'number' && r.pInit > 0 && r.pInit <= 1)) invalid(`p-init must be in (0, 1], got ${r.pInit}`);
  if (!isWhole(r.seed, 0)) invalid(`seed must be a whole number >= 0, got ${r.seed}`);
  return r;
}

/** The authors' schedule of the fraction of pixels changed at iteration `it` of `nIters`. */
export function pSelection(pInit: number, it: number, nIters: number): number {
  const i = Math.floor((it / nIters) * 10000);
  const bounds = [10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000, 10000];
  for (let j = 0; j < bounds.length - 1; j++) if (i > bounds[j] && i <= bounds[j + 1]) return pInit / 2 ** (j + 1);
  return pInit;
}

export async function runSquare(
  clf: Classifier,
  x: tf.Tensor4D,
  y: Int32Array | number[],
  spec: SquareSpec,
  hooks?: AttackHooks,
): Promise<AttackOutcome> {
  const s = resolveSquare(spec);
  const p = await prepare(clf, x, y, s.target);
  const { n, d, k } = p;
  const [h, w, c] = x.shape.slice(1) as [number, number, number];
  const cls = p.targets ?? p.labels;
  const targeted = p.targets !== null;
  const rec = new Recorder(p, hooks);
  const rng = new Rng(s.seed);
  const queries = new Int32Array(n).fill(p.queries);
  const x0 = Float32Array.from(await x.data());
  const eps = s.eps;
  const clip = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);
  const marginOf = (z: Float32Array, row: number, i: number): number => {
    const t = cls[i];
    let other = -Infinity;
    for (let j = 0; j < k; j++) if (j !== t) other = Math.max(other, z[row * k + j]);
    return targeted ? other - z[row * k + t] : z[row * k + t] - other;
  };
  const forward = async (data: Float32Array, m: number): Promise<Float32Array> => {
    const t = tf.tensor4d(data, [m, h, w, c]);
    try {
      return await readFloats(tf.tidy(() => clf.logits(t)));
    } finally {
      t.dispose();
    }
  };
  // vertical stripes
  const best = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const stripe = Float32Array.from({ length: w * c }, () => (rng.next() < 0.5 ? -eps : eps));
    for (let r = 0; r < h; r++)
      for (let col = 0; col < w; col++)
        for (let ch = 0; ch < c; ch++) {
          const q = i * d + (r * w + col) * c + ch;
          best[q] = clip(x0[q] + stripe[col * c + ch]);
        }
  }
  const bestLogits = await forward(best, n);
  const marginMin = Float32Array.from({ length: n }, (_, i) => marginOf(bestLogits, i, i));
  for (let i = 0; i < n; i++) queries[i]++;
  rec.record(0, bestLogits, marginMin);
  for (let iter = 0; iter < s.queries - 1; iter++) {
    await rec.checkpoint();
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (marginMin[i] > 0) rows.push(i);
    if (rows.length === 0 || eps === 0) break;
    const pFrac = pSelection(s.pInit, iter, s.queries);
    const side = Math.min(Math.max(Math.round(Math.sqrt((pFrac * d) / c)), 1), h - 1);
    const m = rows.length;
    const cand = new Float32Array(m * d);
    rows.forEach((i, j) => {
      const top = rng.int(h - side);
      const left = rng.int(w - side);
      // delta = x_best - x, with the window's values redrawn until they change x_best
      const delta = new Float32Array(d);
      for (let q = 0; q < d; q++) delta[q] = best[i * d + q] - x0[i * d + q];
      for (let tries = 0; tries < 1000; tries++) {
        const signs = Float32Array.from({ length: c }, () => (rng.next() < 0.5 ? -eps : eps));
        let changes = false;
        for (let r = top; r < top + side; r++)
          for (let col = left; col < left + side; col++)
            for (let ch = 0; ch < c; ch++) {
              const q = (r * w + col) * c + ch;
              delta[q] = signs[ch];
              if (Math.abs(clip(x0[i * d + q] + signs[ch]) - best[i * d + q]) >= 1e-7) changes = true;
            }
        if (changes) break;
      }
      for (let q = 0; q < d; q++) cand[j * d + q] = clip(x0[i * d + q] + delta[q]);
    });
    const z = await forward(cand, m);
    rows.forEach((i, j) => {
      queries[i]++;
      const margin = marginOf(z, j, i);
      if (margin < marginMin[i]) {
        marginMin[i] = margin;
        best.set(cand.subarray(j * d, (j + 1) * d), i * d);
        bestLogits.set(z.subarray(j * k, (j + 1) * k), i * k);
      }
    });
    rec.record(0, bestLogits, marginMin);
  }
  const adv = tf.tensor4d(best, x.shape);
  return finish(clf, x, adv, p, rec, { gradientEvaluations: 0, queries, logits: bestLogits });
}

export const square = defineAttack<SquareSpec>({
  name: 'square',
  label: 'Square Attack',
  reference: 'Andriushchenko, Croce, Flammarion, Hein 2020',
  summary: 'black-box: random square-shaped changes at the corners of the eps ball, kept when the margin loss drops',
  norms: ['linf'],
  kind: 'bounded',
  blackBox: true,
  targeted: true,
  params: ['eps', 'queries', 'pInit', 'seed'],
  fields: [
    {
      path: 'attack.queries',
      url: 'q',
      cli: 'queries',
      type: { kind: 'int', min: 1, max: 1000000 },
      label: 'query budget',
      short: 'Query budget',
      help: 'forward passes per image, the first included',
      default: 5000,
      slider: () => ({ min: 10, max: 10000, step: 10 }),
    },
    {
      path: 'attack.pInit',
      url: 'p',
      cli: 'p-init',
      type: { kind: 'float', min: 1e-6, max: 1 },
      label: 'initial square fraction p',
      short: 'Initial square fraction p',
      help: 'the fraction of pixels the first squares change (halved on a schedule)',
      default: 0.8,
      slider: () => ({ min: 0.01, max: 1, step: 0.01 }),
    },
  ],
  defaults: () => ({ queries: 5000, pInit: 0.8 }),
  // the paper's budget is 10000 and AutoAttack's 5000; 1000 keeps a single image interactive on a slow GPU
  studioDefaults: { queries: 1000 },
  json: (s) => ({ steps: s.queries, step_size: null, random_start: false, restarts: 1, queries: s.queries, p_init: s.pInit }),
  zooNote: 'Square-1000: 1000 queries, p_init 0.8 (black-box).',
  zooRows: ({ linf, seed }) =>
    linf.map((eps) => ({
      label: 'Square-1000',
      norm: 'linf',
      eps,
      budget: '1000 queries, p 0.8',
      spec: { name: 'square', eps, queries: 1000, pInit: 0.8, seed },
    })),
  resolve: resolveSquare,
  run: runSquare,
  expectedSteps: (s) => s.queries ?? 1,
});
