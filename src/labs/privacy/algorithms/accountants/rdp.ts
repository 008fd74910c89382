/**
 * Rényi differential privacy (RDP) of the sampled Gaussian mechanism (SGM), and its conversion to
 * (epsilon, delta)-DP. The convention followed is Opacus's `opacus/accountants/analysis/rdp.py` (itself
 * TF Privacy's `rdp_accountant.py`), read and re-derived here, not copied:
 *
 * - One step of the SGM with sampling rate q and noise multiplier sigma has RDP
 *   log(A_alpha) / (alpha - 1) at order alpha (Mironov, Talwar & Zhang 2019, "Rényi Differential
 *   Privacy of the Sampled Gaussian Mechanism", arXiv:1908.10530, section 3.3). A_alpha is summed in log
 *   space: at an integer order as the finite binomial sum (`_compute_log_a_for_int_alpha`), at a
 *   fractional order as the two series over (-inf, z0] and [z0, inf) with erfc tails, stopped once both
 *   terms fall below exp(-30) (`_compute_log_a_for_frac_alpha`). q = 0 gives 0, sigma = 0 gives
 *   infinity, q = 1 gives the Gaussian mechanism's alpha / (2 sigma^2) (`_compute_rdp`).
 * - T steps compose additively: T times one step's RDP (`compute_rdp`).
 * - Conversions: Balle et al. 2020 ("Hypothesis testing interpretations and Rényi differential
 *   privacy", Theorem 21 of arXiv:1905.09982), Opacus's `get_privacy_spent`:
 *   eps = rdp - (log delta + log alpha) / (alpha - 1) + log((alpha - 1) / alpha);
 *   and the classic conversion of Mironov 2017 (Proposition 3) used by TF Privacy before 2020 and by
 *   older published tables: eps = rdp - log(delta) / (alpha - 1). Each returns the least epsilon over
 *   the orders and the order that attains it (the first on ties, ignoring NaN, as numpy's nanargmin).
 * - Orders: Opacus's RDPAccountant.DEFAULT_ALPHAS, [1 + x / 10 for x in 1..99] + [12..63].
 *
 * Where this differs: erfc is @stdlib's (Sun's fdlibm algorithm) and, past x = 20 where erfc nears
 * underflow, log(erfc(x)) is the asymptotic series that scipy's `log_ndtr` also uses there (Abramowitz &
 * Stegun 7.1.23); scipy computes log(erfc) as log 2 + log_ndtr(-x sqrt 2) everywhere. The generalised
 * binomial coefficient binom(alpha, i) is the product prod_{k<i} (alpha - k) / (k + 1) carried as a sign
 * and a log (scipy's `special.binom` uses gamma/beta functions); both agree to ~1e-14 relative.
 */
import erfc from '@stdlib/math-base-special-erfc';

/** Opacus's default RDP orders (RDPAccountant.DEFAULT_ALPHAS): 1.1, 1.2, ..., 10.9, 12, 13, ..., 63. */
export const DEFAULT_ORDERS: readonly number[] = Object.freeze([
  ...Array.from({ length: 99 }, (_, i) => 1 + (i + 1) / 10),
  ...Array.from({ length: 52 }, (_, i) => 12 + i),
]);

/** log(exp(x) + exp(y)), -Infinity standing for 0. */
export function logAdd(x: number, y: number): number {
  const a = Math.min(x, y);
  const b = Math.max(x, y);
  if (a === -Infinity) return b;
  return Math.log1p(Math.exp(a - b)) + b;
}

/** log(exp(x) - exp(y)) for x >= y (throws when the difference would be negative, as Opacus's _log_sub). */
export function logSub(x: number, y: number): number {
  if (x < y) throw new Error('The result of subtraction must be non-negative.');
  if (y === -Infinity) return x;
  if (x === y) return -Infinity;
  const d = Math.expm1(x - y);
  // Python's math.expm1 raises OverflowError here and Opacus then returns x.
  if (!Number.isFinite(d)) return x;
  return Math.log(d) + y;
}

/**
 * log(erfc(x)), accurate far into the tail: @stdlib's erfc up to x = 20 (erfc(20) ~ 5e-176, no loss),
 * beyond it -x^2 - log(x sqrt(pi)) + log(1 + sum_n (-1)^n (2n-1)!! / (2x^2)^n) (A&S 7.1.23; at x > 20
 * the terms fall by a factor of more than 800 / (2n - 1), so 12 terms reach double precision).
 */
export function logErfc(x: number): number {
  if (x <= 20) return Math.log(erfc(x));
  const r = 1 / (2 * x * x);
  let term = 1;
  let sum = 1;
  for (let n = 1; n <= 12; n++) {
    term *= -(2 * n - 1) * r;
    sum += term;
  }
  return -x * x - Math.log(x) - 0.5 * Math.log(Math.PI) + Math.log(sum);
}

/** log(A_alpha) at an integer order: log sum_i binom(alpha, i) q^i (1-q)^(alpha-i) exp((i^2 - i) / (2 sigma^2)). */
function logAInt(q: number, sigma: number, alpha: number): number {
  let logA = -Infinity;
  const lq = Math.log(q);
  const l1q = Math.log(1 - q);
  let logBinom = 0; // log binom(alpha, 0)
  for (let i = 0; i <= alpha; i++) {
    if (i > 0) logBinom += Math.log((alpha - i + 1) / i);
    const logCoef = logBinom + i * lq + (alpha - i) * l1q;
    logA = logAdd(logA, logCoef + (i * i - i) / (2 * sigma * sigma));
  }
  return logA;
}

/** log(A_alpha) at a fractional order: the two half-line series with erfc tails, in log space. */
function logAFrac(q: number, sigma: number, alpha: number): number {
  let logA0 = -Infinity;
  let logA1 = -Infinity;
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
  const lq = Math.log(q);
  const l1q = Math.log(1 - q);
  const s2 = Math.SQRT2 * sigma;
  let logAbsCoef = 0; // log |binom(alpha, 0)|
  let coefSign = 1;
  for (let i = 0; ; i++) {
    if (i > 0) {
      const f = (alpha - i + 1) / i;
      if (f < 0) coefSign = -coefSign;
      logAbsCoef += Math.log(Math.abs(f));
    }
    const j = alpha - i;
    const logT0 = logAbsCoef + i * lq + j * l1q;
    const logT1 = logAbsCoef + j * lq + i * l1q;
    const logE0 = Math.log(0.5) + logErfc((i - z0) / s2);
    const logE1 = Math.log(0.5) + logErfc((z0 - j) / s2);
    const logS0 = logT0 + (i * i - i) / (2 * sigma * sigma) + logE0;
    const logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1;
    if (coefSign > 0) {
      logA0 = logAdd(logA0, logS0);
      logA1 = logAdd(logA1, logS1);
    } else {
      logA0 = logSub(logA0, logS0);
      logA1 = logSub(logA1, logS1);
    }
    if (Math.max(logS0, logS1) < -30) break;
  }
  return logAdd(logA0, logA1);
}

/** The RDP of ONE step of the sampled Gaussian mechanism at order alpha > 1 (Opacus's `_compute_rdp`). */
export function rdpSampledGaussian(q: number, sigma: number, alpha: number): number {
  if (q === 0) return 0;
  if (sigma === 0) return Infinity;
  if (q === 1) return alpha / (2 * sigma * sigma);
  if (!Number.isFinite(alpha)) return Infinity;
  const logA = Number.isInteger(alpha) ? logAInt(q, sigma, alpha) : logAFrac(q, sigma, alpha);
  return logA / (alpha - 1);
}

/** The RDP of `steps` steps at each order (Opacus's `compute_rdp`): steps x one step's. */
export function computeRdp(q: number, sigma: number, steps: number, orders: readonly number[] = DEFAULT_ORDERS): number[] {
  checkMechanism(q, sigma);
  return orders.map((a) => rdpSampledGaussian(q, sigma, a) * steps);
}

/** Throws on a sampling rate outside [0, 1] or a negative noise multiplier. */
export function checkMechanism(q: number, sigma: number): void {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`sample rate ${q} is outside [0, 1]`);
  if (!(sigma >= 0)) throw new RangeError(`noise multiplier ${sigma} is negative or not a number`);
}

export type RdpConversion = 'balle' | 'classic';

export interface RdpEpsilon {
  epsilon: number;
  /** The order that attains epsilon (NaN when every order gives NaN). */
  order: number;
}

/**
 * (epsilon, delta)-DP from RDP values at the given orders: Balle et al. 2020 (Opacus's
 * `get_privacy_spent`, the default) or the classic conversion. The least epsilon and its order.
 */
export function rdpToEpsilon(
  orders: readonly number[],
  rdp: readonly number[],
  delta: number,
  conversion: RdpConversion = 'balle',
): RdpEpsilon {
  if (orders.length !== rdp.length) throw new Error(`orders (${orders.length}) and rdp (${rdp.length}) differ in length`);
  if (!(delta > 0 && delta < 1)) throw new RangeError(`delta ${delta} is outside (0, 1)`);
  const logDelta = Math.log(delta);
  let best = NaN;
  let bestOrder = NaN;
  for (let k = 0; k < orders.length; k++) {
    const a = orders[k];
    const eps = conversion === 'balle' ? rdp[k] - (logDelta + Math.log(a)) / (a - 1) + Math.log((a - 1) / a) : rdp[k] - logDelta / (a - 1);
    if (Number.isNaN(eps)) continue;
    if (Number.isNaN(best) || eps < best) {
      best = eps;
      bestOrder = a;
    }
  }
  if (Number.isNaN(best)) return { epsilon: Infinity, order: NaN };
  return { epsilon: best, order: bestOrder };
}

/** One run of the mechanism: `steps` steps at sampling rate q and noise multiplier sigma. */
export interface MechanismRun {
  sampleRate: number;
  noiseMultiplier: number;
  steps: number;
}

/** The RDP of a history of runs (heterogeneous composition adds RDP order by order), as RDPAccountant. */
export function historyRdp(history: readonly MechanismRun[], orders: readonly number[] = DEFAULT_ORDERS): number[] {
  const total = orders.map(() => 0);
  for (const h of history) {
    const r = computeRdp(h.sampleRate, h.noiseMultiplier, h.steps, orders);
    for (let k = 0; k < orders.length; k++) total[k] += r[k];
  }
  return total;
}

/**
 * Epsilon spent by a history at delta (Opacus's RDPAccountant.get_privacy_spent): 0 at order 0 for an
 * empty history, as Opacus returns (0, 0).
 */
export function rdpEpsilon(
  history: readonly MechanismRun[],
  delta: number,
  conversion: RdpConversion = 'balle',
  orders: readonly number[] = DEFAULT_ORDERS,
): RdpEpsilon {
  if (history.length === 0) return { epsilon: 0, order: 0 };
  return rdpToEpsilon(orders, historyRdp(history, orders), delta, conversion);
}
