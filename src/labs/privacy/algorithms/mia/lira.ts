/**
 * LiRA, the likelihood-ratio attack of Carlini et al. 2022 ("Membership Inference Attacks From First
 * Principles"), as tensorflow/privacy's research/mi_lira_2021 computes it (plot.py: generate_ours,
 * generate_ours_offline), with one query per example (no augmented queries):
 * - the statistic is the logit-scaled confidence phi (outputs.ts);
 * - for every example, the shadow models that trained on it give its "in" scores and the others its
 *   "out" scores; as in the code, each example keeps only the first min-over-examples number of in (and
 *   of out) scores, the mean of a Gaussian is the MEDIAN of those scores and the standard deviation their
 *   population standard deviation (np.std, ddof 0), plus 1e-30;
 * - online: the membership score is log N(phi; mu_in, sd_in) - log N(phi; mu_out, sd_out) (the code's
 *   pr_in - pr_out, negated so that higher means member);
 * - fixed variance: one global standard deviation, that of all kept in-scores around their overall mean
 *   (np.std(dat_in)), used for in and out alike, exactly as the code does (the paper says "a global
 *   variance"; the code takes it from the in-scores for both);
 * - offline: the one-sided test of the paper (section 4.3): the score is Pr[Z < phi], Z ~ N(mu_out,
 *   sd_out^2): how far above what non-members reach. We return z = (phi - mu_out) / sd_out, which orders
 *   examples exactly as the probability does (one query: the CDF is monotone), so the ROC is the same.
 *   Where this differs: the published plot.py scores offline by the two-sided log-density
 *   -log N(phi; mu_out, sd_out), which also calls an unusually LOW phi a member.
 */

export interface ShadowScores {
  /** scores[m][i]: model m's statistic on example i. */
  scores: readonly ArrayLike<number>[];
  /** keep[m][i]: model m trained on example i. */
  keep: readonly ArrayLike<boolean | number>[];
}

export interface LiraOptions {
  fixVariance?: boolean;
}

export interface GaussianFits {
  meanIn: Float64Array;
  sdIn: Float64Array;
  meanOut: Float64Array;
  sdOut: Float64Array;
  /** Scores per example used (the minimum over examples), in and out. */
  inSize: number;
  outSize: number;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

function std(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m += v[i];
  m /= v.length;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] - m) ** 2;
  return Math.sqrt(s / v.length);
}

/** Per-example in and out Gaussians from the shadow models (what of them `needIn` asks for). */
export function fitGaussians(sh: ShadowScores, opts: LiraOptions & { needIn?: boolean } = {}): GaussianFits {
  const models = sh.scores.length;
  if (models === 0 || sh.keep.length !== models) throw new Error('LiRA: needs shadow models, each with its keep mask');
  const n = sh.scores[0].length;
  const ins: number[][] = [];
  const outs: number[][] = [];
  for (let i = 0; i < n; i++) {
    const a: number[] = [];
    const b: number[] = [];
    for (let m = 0; m < models; m++) (sh.keep[m][i] ? a : b).push(sh.scores[m][i]);
    ins.push(a);
    outs.push(b);
  }
  const needIn = opts.needIn ?? true;
  const inSize = Math.min(...ins.map((a) => a.length));
  const outSize = Math.min(...outs.map((a) => a.length));
  if (outSize < 1) throw new Error('LiRA: some example is in every shadow model (no out scores to fit)');
  if (needIn && inSize < 1) throw new Error('LiRA: some example is in no shadow model (no in scores to fit)');
  const fit = (groups: number[][], size: number) => {
    const mean = new Float64Array(n);
    const sd = new Float64Array(n);
    const all: number[] = [];
    for (let i = 0; i < n; i++) {
      const g = groups[i].slice(0, size);
      mean[i] = median(g);
      sd[i] = std(g);
      all.push(...g);
    }
    return { mean, sd, global: std(all) };
  };
  const o = fit(outs, outSize);
  const inn = needIn ? fit(ins, inSize) : null;
  let sdIn = inn?.sd ?? new Float64Array(n);
  let sdOut = o.sd;
  if (opts.fixVariance) {
    // the code's choice: online takes the in-scores' global deviation for both, offline the out-scores'
    const g = inn ? inn.global : o.global;
    sdIn = new Float64Array(n).fill(g);
    sdOut = new Float64Array(n).fill(g);
  }
  return { meanIn: inn?.mean ?? new Float64Array(n), sdIn, meanOut: o.mean, sdOut, inSize: needIn ? inSize : 0, outSize };
}

const logNormal = (x: number, mu: number, sd: number) => -0.5 * ((x - mu) / sd) ** 2 - Math.log(sd) - 0.5 * Math.log(2 * Math.PI);

/** Online LiRA: per-example log-likelihood ratio of "in" against "out" (higher: member). */
export function liraOnline(shadows: ShadowScores, target: ArrayLike<number>, opts: LiraOptions = {}): Float64Array {
  const f = fitGaussians(shadows, opts);
  return Float64Array.from(target, (x, i) => logNormal(x, f.meanIn[i], f.sdIn[i] + 1e-30) - logNormal(x, f.meanOut[i], f.sdOut[i] + 1e-30));
}

/** Offline LiRA: the one-sided test against the out Gaussian only, as a z-score (higher: member). */
export function liraOffline(shadows: ShadowScores, target: ArrayLike<number>, opts: LiraOptions = {}): Float64Array {
  const f = fitGaussians(shadows, { ...opts, needIn: false });
  return Float64Array.from(target, (x, i) => (x - f.meanOut[i]) / (f.sdOut[i] + 1e-30));
}

/**
 * LiRA's data layout (mi_lira_2021/train.py): over `models` models and `n` examples, each example is in
 * exactly floor(models / 2) of them, drawn by ranking uniform draws per example (keep = argsort of the
 * draws < models * 0.5). Returns keep[m][i].
 */
export function liraKeep(models: number, n: number, next: () => number): Uint8Array[] {
  const keep = Array.from({ length: models }, () => new Uint8Array(n));
  const k = Math.floor(models * 0.5);
  const u = new Float64Array(models);
  const idx = Array.from({ length: models }, (_, m) => m);
  for (let i = 0; i < n; i++) {
    for (let m = 0; m < models; m++) u[m] = next();
    idx.sort((a, b) => u[a] - u[b]);
    for (let r = 0; r < k; r++) keep[idx[r]][i] = 1;
  }
  return keep;
}
