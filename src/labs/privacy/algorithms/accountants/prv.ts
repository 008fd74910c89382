/**
 * The PRV accountant (Gopi, Lee & Wutschitz 2021, "Numerical Composition of Differential Privacy",
 * arXiv:2106.02848) for the Poisson-subsampled Gaussian mechanism, following Opacus's
 * `opacus/accountants/prv.py` and `opacus/accountants/analysis/prv/` (read, not copied), which adapt the
 * authors' microsoft/prv_accountant:
 *
 * - The privacy loss random variable of one step has the CDF of the paper's Proposition B4
 *   (`PoissonSubsampledGaussianPRV.cdf`): 0 for t <= log(1 - q), else
 *   1 - q erfc((2 z sigma^2 - 1) / (2 sqrt2 sigma)) / 2 - (1 - q) erfc((2 z sigma^2 + 1) / (2 sqrt2 sigma)) / 2,
 *   z = log((e^t + q - 1) / q).
 * - Domain (`PRVAccountant._get_domain`, `compute_safe_domain_size`, `Domain.create_aligned`): half-width
 *   L = max(eps_RDP(delta_error / 4) of the whole history, eps_RDP(delta_error / (8 T)) of one step of
 *   each entry, eps_error) + 3 (RDP with Balle's conversion at the default orders; T = total steps),
 *   mesh dt = eps_error / sqrt(T log(12 / delta_error) / 2), [-L, L] aligned to dt, an even number of
 *   points.
 * - Discretisation (`TruncatedPrivacyRandomVariable`, `discretize`): the PRV truncated to
 *   [t_min, t_max] and renormalised; point i carries the mass between its mid-points; the grid is shifted
 *   right by the continuous mean minus the discrete mean (the continuous mean integrates the CDF,
 *   mean = [t F(t)] - integral F, over Opacus's break points t_min, -10^k..-1e-5, 0, 1e-5..10^k, t_max).
 * - Composition (`compose_heterogeneous`): each entry's PMF composed with itself `steps` times by FFT
 *   (a circular convolution of the domain's length, rolled by steps - 1, plus N/2 for even steps), the
 *   domain shifted by the mean shift x (steps - 1); different entries convolved pairwise ("same" mode).
 * - Epsilon (`DiscretePRV.compute_epsilon`): delta(eps) = sum_{t >= eps} p(t) (1 - e^(eps - t)) located
 *   by binary search on e^t D2(t) - D1(t) (tail sums of p e^-t and p); Opacus reports the upper bound
 *   eps(delta - delta_error) + eps_error, with eps_error = 0.01 and delta_error = delta / 1000.
 *
 * Where this differs: the mean's integrals are a globally adaptive Gauss-Kronrod 21/10 quadrature of our
 * own (QUADPACK's qk21 rule, as scipy's quad uses, without its epsilon-algorithm extrapolation), to an
 * estimated 1e-11 (scipy's quad stops at an estimated 1.5e-8, usually far more accurate in fact);
 * erfc is @stdlib's; the DFT is fft.js (with Bluestein's algorithm for lengths that are not powers of
 * two) instead of scipy's pocketfft; the check that floating error cannot dominate uses the double's epsilon (numpy uses long double's).
 */
import erfc from '@stdlib/math-base-special-erfc';
import { circularSelfConvolve, dft, idft } from './fft';
import { rdpEpsilon, type MechanismRun } from './rdp';

export interface PrvOptions {
  /** Allowed error in epsilon (Opacus's default 0.01). */
  epsError?: number;
  /** Allowed error in delta (Opacus's default delta / 1000). */
  deltaError?: number;
}

/** The CDF of one step's privacy loss random variable (Poisson-subsampled Gaussian). */
export function prvCdf(q: number, sigma: number, t: number): number {
  if (!(t > Math.log(1 - q))) return 0;
  const z = Math.log((Math.exp(t) + q - 1) / q);
  const s = 2 * Math.SQRT2 * sigma;
  return (-q * erfc((2 * z * sigma * sigma - 1) / s)) / 2 - ((1 - q) * erfc((2 * z * sigma * sigma + 1) / s)) / 2 + 1;
}

/** The grid of the discretisation: t_min + i dt for i < size (the last point exactly t_max). */
export interface Domain {
  tMin: number;
  tMax: number;
  size: number;
  shifts: number;
}

export const domainDt = (d: Domain) => (d.tMax - d.tMin) / (d.size - 1);

/** numpy's linspace(t_min, t_max, size). */
export function domainTs(d: Domain): Float64Array {
  const ts = new Float64Array(d.size);
  const dt = domainDt(d);
  for (let i = 0; i < d.size; i++) ts[i] = i * dt + d.tMin;
  ts[d.size - 1] = d.tMax;
  return ts;
}

const shiftRight = (d: Domain, dt: number): Domain => ({ tMin: d.tMin + dt, tMax: d.tMax + dt, size: d.size, shifts: d.shifts + dt });

/** Domain.create_aligned: [t_min, t_max] widened to multiples of dt, an even number of points. */
export function alignedDomain(tMin: number, tMax: number, dt: number): Domain {
  const lo = Math.floor(tMin / dt) * dt;
  let hi = Math.ceil(tMax / dt) * dt;
  let size = Math.round((hi - lo) / dt) + 1;
  if (size % 2 === 1) {
    size += 1;
    hi += dt;
  }
  const d = { tMin: lo, tMax: hi, size, shifts: 0 };
  if (Math.abs(domainDt(d) - dt) / dt >= 1e-8) throw new Error('the aligned domain does not keep the mesh size');
  return d;
}

/** compute_safe_domain_size: the half-width L of the domain (Gopi et al.'s remark 5.6, as adapted). */
export function safeDomainSize(history: readonly MechanismRun[], epsError: number, deltaError: number): number {
  const total = history.reduce((s, h) => s + h.steps, 0);
  let L = rdpEpsilon(history, deltaError / 4).epsilon;
  for (const h of history) L = Math.max(L, rdpEpsilon([{ ...h, steps: 1 }], deltaError / (8 * total)).epsilon);
  return Math.max(L, epsError) + 3;
}

// Gauss-Kronrod 21-point rule (QUADPACK's qk21): Kronrod abscissae (the odd ones are the 10-point
// Gauss nodes) and weights, and the 10-point Gauss weights.
const XGK = [
  0.9956571630258081, 0.9739065285171717, 0.9301574913557082, 0.8650633666889845, 0.7808177265864169, 0.6794095682990244,
  0.5627571346686047, 0.4333953941292472, 0.2943928627014602, 0.14887433898163122, 0,
];
const WGK = [
  0.011694638867371874, 0.032558162307964725, 0.054755896574351995, 0.07503967481091996, 0.0931254545836976, 0.10938715880229764,
  0.12349197626206584, 0.13470921731147334, 0.14277593857706009, 0.14773910490133849, 0.1494455540029169,
];
const WG = [0.06667134430868814, 0.1494513491505806, 0.21908636251598204, 0.26926671930999635, 0.29552422471475287];

/** One Gauss-Kronrod 21 / Gauss 10 pair on [a, b]: the Kronrod value and |Kronrod - Gauss|. */
export function gk21(f: (x: number) => number, a: number, b: number): { value: number; error: number } {
  const c = (a + b) / 2;
  const h = (b - a) / 2;
  const fc = f(c);
  let k = WGK[10] * fc;
  let g = 0;
  for (let j = 0; j < 10; j++) {
    const dx = h * XGK[j];
    const s = f(c - dx) + f(c + dx);
    k += WGK[j] * s;
    if (j % 2 === 1) g += WG[(j - 1) / 2] * s;
  }
  return { value: k * h, error: Math.abs((k - g) * h) };
}

/** Globally adaptive Gauss-Kronrod quadrature: bisect the interval of largest error until the sum of errors meets tol. */
export function integrate(f: (x: number) => number, a: number, b: number, tol = 1e-11, limit = 500): number {
  const parts = [{ a, b, ...gk21(f, a, b) }];
  for (let it = 1; it < limit; it++) {
    let value = 0;
    let error = 0;
    let worst = 0;
    for (let i = 0; i < parts.length; i++) {
      value += parts[i].value;
      error += parts[i].error;
      if (parts[i].error > parts[worst].error) worst = i;
    }
    if (error <= Math.max(tol, tol * Math.abs(value))) break;
    const { a: lo, b: hi } = parts[worst];
    const mid = (lo + hi) / 2;
    parts.splice(worst, 1, { a: lo, b: mid, ...gk21(f, lo, mid) }, { a: mid, b: hi, ...gk21(f, mid, hi) });
  }
  return parts.reduce((s, p) => s + p.value, 0);
}

/** numpy's logspace(start, stop, num): 10^(start + i (stop - start) / (num - 1)). */
const logspace = (start: number, stop: number, num: number) => {
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, i) => Math.pow(10, i === num - 1 ? stop : i * step + start));
};

/** The PRV of one step truncated to [t_min, t_max] and renormalised: its CDF and its mean. */
export function truncatedPrv(q: number, sigma: number, tMin: number, tMax: number) {
  const cMin = prvCdf(q, sigma, tMin);
  const mass = prvCdf(q, sigma, tMax) - cMin;
  const cdf = (t: number) => (t < tMin ? 0 : t < tMax ? (prvCdf(q, sigma, t) - cMin) / mass : 1);
  const mean = () => {
    const lo = Math.trunc(Math.log10(Math.abs(tMin)));
    const hi = Math.trunc(Math.log10(tMax));
    const points = [tMin, ...logspace(lo, -5, 10).map((x) => -x), 0, ...logspace(-5, hi, 10), tMax];
    let m = 0;
    for (let i = 0; i + 1 < points.length; i++) {
      const left = points[i];
      const right = points[i + 1];
      m += right * cdf(right) - left * cdf(left) - integrate(cdf, left, right);
    }
    return m;
  };
  return { cdf, mean };
}

export interface DiscretePrv {
  pmf: Float64Array;
  domain: Domain;
}

/** `discretize`: mass between mid-points, the grid shifted so that the discrete mean equals the continuous one. */
export function discretize(q: number, sigma: number, domain: Domain): DiscretePrv {
  const prv = truncatedPrv(q, sigma, domain.tMin, domain.tMax);
  const ts = domainTs(domain);
  const dt = domainDt(domain);
  const pmf = new Float64Array(domain.size);
  let meanD = 0;
  for (let i = 0; i < domain.size; i++) {
    pmf[i] = prv.cdf(ts[i] + dt / 2) - prv.cdf(ts[i] - dt / 2);
    meanD += ts[i] * pmf[i];
  }
  const shift = prv.mean() - meanD;
  if (Math.abs(shift) >= dt / 2) throw new Error('Discrete mean differs significantly from continuous mean.');
  return { pmf, domain: shiftRight(domain, shift) };
}

/** `_compose_fourier`: the PMF composed with itself n times (FFT), rolled and its domain shifted. */
export function composeSelf(d: DiscretePrv, n: number): DiscretePrv {
  const len = d.pmf.length;
  if (len % 2 !== 0) throw new Error('Can only compose evenly sized discrete PRVs');
  const composed = circularSelfConvolve(d.pmf, n);
  let m = n - 1;
  if (n % 2 === 0) m += len / 2;
  const rolled = new Float64Array(len);
  for (let i = 0; i < len; i++) rolled[(i + m) % len] = composed[i];
  return { pmf: rolled, domain: shiftRight(d.domain, d.domain.shifts * (n - 1)) };
}

/**
 * `_compose_two`: scipy's convolve(left, right, mode="same"), the full linear convolution's centre
 * (len(left) long, from index (len(right) - 1) / 2), here by zero-padded FFT.
 */
function composeTwo(left: DiscretePrv, right: DiscretePrv): DiscretePrv {
  const n = left.pmf.length;
  const m = right.pmf.length;
  let size = 1;
  while (size < n + m - 1) size *= 2;
  const a = new Float64Array(2 * size);
  const b = new Float64Array(2 * size);
  for (let i = 0; i < n; i++) a[2 * i] = left.pmf[i];
  for (let i = 0; i < m; i++) b[2 * i] = right.pmf[i];
  const fa = dft(a);
  const fb = dft(b);
  for (let k = 0; k < size; k++) {
    const re = fa[2 * k] * fb[2 * k] - fa[2 * k + 1] * fb[2 * k + 1];
    fa[2 * k + 1] = fa[2 * k] * fb[2 * k + 1] + fa[2 * k + 1] * fb[2 * k];
    fa[2 * k] = re;
  }
  const full = idft(fa);
  const start = Math.floor((m - 1) / 2);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = full[2 * (i + start)];
  return { pmf: out, domain: shiftRight(left.domain, right.domain.shifts) };
}

/** compose_heterogeneous: self-compositions by FFT, then a pairwise convolution tree. */
export function composeHeterogeneous(dprvs: DiscretePrv[], steps: readonly number[]): DiscretePrv {
  let list = dprvs.map((d, i) => composeSelf(d, steps[i]));
  while (list.length > 1) {
    const next: DiscretePrv[] = [];
    if (list.length % 2 === 1) next.push(list.pop()!);
    for (let i = 0; i + 1 < list.length; i += 2) next.push(composeTwo(list[i], list[i + 1]));
    list = next;
  }
  return list[0];
}

/** DiscretePRV.compute_epsilon: [lower bound, estimate, upper bound] of epsilon at delta. */
export function discreteEpsilon(d: DiscretePrv, delta: number, deltaError: number, epsError: number): [number, number, number] {
  if (delta <= 0) return [Infinity, Infinity, Infinity];
  const n = d.pmf.length;
  if (Number.EPSILON * n > delta - deltaError)
    throw new Error('Floating point errors will dominate for such small values of delta. Increase delta or reduce domain size.');
  const t = domainTs(d.domain);
  const d1 = new Float64Array(n);
  const d2 = new Float64Array(n);
  let s1 = 0;
  let s2 = 0;
  for (let i = n - 1; i >= 0; i--) {
    s1 += d.pmf[i];
    s2 += d.pmf[i] * Math.exp(-t[i]);
    d1[i] = s1;
    d2[i] = s2;
  }
  const ndelta = new Float64Array(n);
  for (let i = 0; i < n; i++) ndelta[i] = Math.exp(t[i]) * d2[i] - d1[i];
  const find = (target: number) => {
    // numpy's searchsorted(ndelta, -target, side="left")
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ndelta[mid] < -target) lo = mid + 1;
      else hi = mid;
    }
    if (lo <= 0) throw new Error('Cannot compute epsilon');
    return Math.log((d1[lo] - target) / d2[lo]);
  };
  return [find(delta + deltaError) - epsError, find(delta), find(delta - deltaError) + epsError];
}

/** The composed discrete PRV of a history (PRVAccountant._get_dprv) and its domain. */
export function historyDprv(history: readonly MechanismRun[], epsError: number, deltaError: number): DiscretePrv {
  const runs = history.filter((h) => h.steps > 0);
  const total = runs.reduce((s, h) => s + h.steps, 0);
  const L = safeDomainSize(runs, epsError, deltaError);
  const mesh = epsError / Math.sqrt((total * Math.log(12 / deltaError)) / 2);
  const domain = alignedDomain(-L, L, mesh);
  const dprvs = runs.map((h) => discretize(h.sampleRate, h.noiseMultiplier, domain));
  return composeHeterogeneous(
    dprvs,
    runs.map((h) => h.steps),
  );
}

/** Epsilon spent at delta under the PRV accountant: Opacus's PRVAccountant.get_epsilon (the upper bound). */
export function prvEpsilon(history: readonly MechanismRun[], delta: number, options: PrvOptions = {}): number {
  const epsError = options.epsError ?? 0.01;
  const deltaError = options.deltaError ?? delta / 1000;
  if (history.every((h) => h.steps === 0)) return 0;
  const dprv = historyDprv(history, epsError, deltaError);
  return discreteEpsilon(dprv, delta, deltaError, epsError)[2];
}
