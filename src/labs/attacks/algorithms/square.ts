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
 *
 * L2 (norm 'l2'), as AutoAttack's square.py with norm='L2' (the authors' square_attack_l2):
 *   eta(s)        the s x s "meta pseudo-gaussian" pattern: the top floor(s/2) rows hold a bump made of
 *                 nested centred rectangles each adding 1/(r+1)^2 (r = 0, 1, ... from the centre out),
 *                 normalised, the bottom rows minus such a bump; the whole normalised to L2 norm 1 and
 *                 transposed with probability 1/2
 *   init          delta = sum over a grid of s x s tiles (s = floor(H / 5), first tile at
 *                 floor((H - 5 s) / 2) in both directions, tiles cut at the image border) of
 *                 eta(s) * (one random +-1 per channel); x_best = clip_[0,1](x + eps delta / ||delta||_2)
 *   per query     s = round(sqrt(p * H * W)) (same p schedule as L-inf), at least 3, made odd, at most
 *                 min(H, W); two random s x s windows W1, W2 (corners uniform in [0, H - s) x [0, W - s));
 *                 delta = x_best - x; per channel ch:
 *                   new = eta(s) * (random +-1) + delta_ch[W1] / ||delta_ch[W1]||_2,
 *                   new *= sqrt(max(eps^2 - ||delta||_2^2, 0) / C + ||delta_ch[W1 u W2]||_2^2) / ||new||_2
 *                 (the mass of both windows, plus an equal share of the unused budget, moves into W1);
 *                 delta[W2] = 0, delta[W1] = new; x_new = clip_[0,1](x + eps delta / ||delta||_2)
 *                 (1e-12 added to every norm divided by, as the reference), accepted as in L-inf.
 * Where this differs from AutoAttack: its windows, the transposition of eta and the tile pattern of the
 * initialisation are drawn once per iteration for the whole batch; here every image draws its own from
 * the seeded Rng (as the L-inf windows), so an image's attack does not depend on the batch it is in.
 * Every candidate has ||delta||_2 = eps before clipping to [0, 1].
 */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../../../core/models/classifier';
import { Rng } from '../../../core/random';
import { finish, prepare, readFloats, Recorder } from '../../../core/adversarial/common';
import type { AttackHooks, AttackOutcome } from '../../../core/adversarial/types';
import { type SquareSpec, resolveSquare } from './square-def';
export { type SquareSpec, type ResolvedSquare, resolveSquare, square } from './square-def';

/** The authors' schedule of the fraction of pixels changed at iteration `it` of `nIters`. */
export function pSelection(pInit: number, it: number, nIters: number): number {
  const i = Math.floor((it / nIters) * 10000);
  const bounds = [10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000, 10000];
  for (let j = 0; j < bounds.length - 1; j++) if (i > bounds[j] && i <= bounds[j + 1]) return pInit / 2 ** (j + 1);
  return pInit;
}

/** Nested centred rectangles of an rows x cols block, each adding 1/(r+1)^2, normalised to L2 norm 1 (row-major). */
function etaRectangles(rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  let top = Math.floor(rows / 2);
  let left = Math.floor(cols / 2);
  const rounds = Math.max(top, left) + 1;
  for (let r = 0; r < rounds; r++) {
    const add = 1 / ((r + 1) * (r + 1));
    for (let i = Math.max(top, 0); i < Math.min(top + 2 * r + 1, rows); i++)
      for (let j = Math.max(left, 0); j < Math.min(left + 2 * r + 1, cols); j++) out[i * cols + j] += add;
    top--;
    left--;
  }
  let sq = 0;
  for (const v of out) sq += v * v;
  const norm = Math.sqrt(sq);
  for (let q = 0; q < out.length; q++) out[q] /= norm;
  return out;
}

/**
 * The L2 Square Attack's s x s pattern eta(s) (row-major, L2 norm 1, not transposed): a bump on the
 * top floor(s/2) rows, minus a bump on the others.
 */
export function squareL2Pattern(s: number): Float64Array {
  const half = Math.floor(s / 2);
  const out = new Float64Array(s * s);
  if (half > 0) out.set(etaRectangles(half, s), 0);
  const low = etaRectangles(s - half, s);
  for (let q = 0; q < low.length; q++) out[half * s + q] = -low[q];
  let sq = 0;
  for (const v of out) sq += v * v;
  const norm = Math.sqrt(sq);
  for (let q = 0; q < out.length; q++) out[q] /= norm;
  return out;
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
  const best = new Float32Array(n * d);
  const l2 = s.norm === 'l2';
  const patterns = new Map<number, Float64Array>();
  const pattern = (side: number): Float64Array => {
    let pt = patterns.get(side);
    if (!pt) patterns.set(side, (pt = squareL2Pattern(side)));
    return pt;
  };
  /** eta(side), transposed with probability 1/2, at entry (a, b) of the window. */
  const drawEta = (side: number): ((a: number, b: number) => number) => {
    const pt = pattern(side);
    return rng.next() > 0.5 ? (a, b) => pt[b * side + a] : (a, b) => pt[a * side + b];
  };
  /** x + eps * delta / ||delta||_2, clipped to [0, 1], into out at offset. */
  const l2Point = (i: number, delta: Float64Array, out: Float32Array, offset: number) => {
    let sq = 0;
    for (let q = 0; q < d; q++) sq += delta[q] * delta[q];
    const scale = eps / (Math.sqrt(sq) + 1e-12);
    for (let q = 0; q < d; q++) out[offset + q] = clip(x0[i * d + q] + scale * delta[q]);
  };
  if (l2) {
    // tiles of meta pseudo-gaussian bumps with random signs per channel
    const tile = Math.max(Math.floor(h / 5), 1);
    const start = Math.max(Math.floor((h - 5 * tile) / 2), 0);
    for (let i = 0; i < n; i++) {
      const delta = new Float64Array(d);
      for (let a = 0, vh = start; a < Math.floor(h / tile); a++, vh += tile)
        for (let b = 0, vw = start; b < Math.floor(w / tile); b++, vw += tile) {
          const e = drawEta(tile);
          const signs = Array.from({ length: c }, () => (rng.next() < 0.5 ? -1 : 1));
          for (let r = vh; r < Math.min(vh + tile, h); r++)
            for (let col = vw; col < Math.min(vw + tile, w); col++)
              for (let ch = 0; ch < c; ch++) delta[(r * w + col) * c + ch] += e(r - vh, col - vw) * signs[ch];
        }
      l2Point(i, delta, best, i * d);
    }
  } else {
    // vertical stripes
    for (let i = 0; i < n; i++) {
      const stripe = Float32Array.from({ length: w * c }, () => (rng.next() < 0.5 ? -eps : eps));
      for (let r = 0; r < h; r++)
        for (let col = 0; col < w; col++)
          for (let ch = 0; ch < c; ch++) {
            const q = i * d + (r * w + col) * c + ch;
            best[q] = clip(x0[q] + stripe[col * c + ch]);
          }
    }
  }
  /** The L2 window update of image i (the mass of windows 1 and 2 moves into window 1), into out at offset. */
  const l2Candidate = (i: number, side: number, out: Float32Array, offset: number) => {
    const top1 = rng.int(h - side);
    const left1 = rng.int(w - side);
    const top2 = rng.int(h - side);
    const left2 = rng.int(w - side);
    const e = drawEta(side);
    const signs = Array.from({ length: c }, () => (rng.next() < 0.5 ? -1 : 1));
    const delta = new Float64Array(d);
    let imageSq = 0;
    for (let q = 0; q < d; q++) {
      delta[q] = best[i * d + q] - x0[i * d + q];
      imageSq += delta[q] * delta[q];
    }
    const in1 = (r: number, col: number) => r >= top1 && r < top1 + side && col >= left1 && col < left1 + side;
    const in2 = (r: number, col: number) => r >= top2 && r < top2 + side && col >= left2 && col < left2 + side;
    const win1Sq = new Float64Array(c);
    const unionSq = new Float64Array(c);
    for (let r = 0; r < h; r++)
      for (let col = 0; col < w; col++) {
        const a = in1(r, col);
        if (!a && !in2(r, col)) continue;
        for (let ch = 0; ch < c; ch++) {
          const v = delta[(r * w + col) * c + ch];
          unionSq[ch] += v * v;
          if (a) win1Sq[ch] += v * v;
        }
      }
    const fresh = new Float64Array(side * side * c);
    for (let ch = 0; ch < c; ch++) {
      const old = Math.sqrt(win1Sq[ch]) + 1e-12;
      let sq = 0;
      for (let a = 0; a < side; a++)
        for (let b = 0; b < side; b++) {
          const v = e(a, b) * signs[ch] + delta[((top1 + a) * w + left1 + b) * c + ch] / old;
          fresh[(a * side + b) * c + ch] = v;
          sq += v * v;
        }
      const scale = Math.sqrt(Math.max(eps * eps - imageSq, 0) / c + unionSq[ch]) / (Math.sqrt(sq) + 1e-12);
      for (let q = ch; q < fresh.length; q += c) fresh[q] *= scale;
    }
    for (let r = top2; r < top2 + side; r++)
      for (let col = left2; col < left2 + side; col++) for (let ch = 0; ch < c; ch++) delta[(r * w + col) * c + ch] = 0;
    for (let a = 0; a < side; a++)
      for (let b = 0; b < side; b++)
        for (let ch = 0; ch < c; ch++) delta[((top1 + a) * w + left1 + b) * c + ch] = fresh[(a * side + b) * c + ch];
    l2Point(i, delta, out, offset);
  };
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
    const m = rows.length;
    const cand = new Float32Array(m * d);
    if (l2) {
      let side = Math.max(Math.round(Math.sqrt((pFrac * d) / c)), 3);
      if (side % 2 === 0) side++;
      side = Math.min(side, h, w);
      rows.forEach((i, j) => l2Candidate(i, side, cand, j * d));
    } else {
      const side = Math.min(Math.max(Math.round(Math.sqrt((pFrac * d) / c)), 1), h - 1);
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
    }
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
