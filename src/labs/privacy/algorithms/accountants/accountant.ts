/**
 * The privacy accountants behind one interface, as Opacus's `IAccountant` (opacus/accountants/): a
 * history of (noise multiplier, sample rate, steps) entries of the Poisson-sampled Gaussian mechanism,
 * consecutive steps with the same parameters merged into one entry (`RDPAccountant.step`), and the
 * epsilon spent at a delta.
 *
 *   rdp          RDP with Opacus's default orders, Balle et al. 2020 conversion (Opacus's RDPAccountant)
 *   rdp-classic  the same RDP, classic conversion eps = min_a rdp(a) - log(delta) / (a - 1)
 *                (TF Privacy before 2020, Abadi et al.'s moments accountant; older published tables)
 *   prv          PRV accountant of Gopi, Lee & Wutschitz 2021 (Opacus's PRVAccountant, its default):
 *                the upper bound on epsilon, eps_error 0.01 and delta_error delta / 1000 by default
 *
 * `stepsForEpochs` is the steps of E epochs at rate q: Opacus's `int(epochs / sample_rate)` (truncation),
 * except that a quotient within 1e-9 (relative) of an integer counts as that integer, so that a float
 * artefact such as 2.9999999999999996 epochs' worth does not lose a step.
 */
import { computeRdp, DEFAULT_ORDERS, rdpToEpsilon, type MechanismRun, type RdpConversion } from './rdp';
import { prvEpsilon, type PrvOptions } from './prv';

export const ACCOUNTANTS = ['rdp', 'rdp-classic', 'prv'] as const;
export type AccountantName = (typeof ACCOUNTANTS)[number];

export const isAccountantName = (s: string): s is AccountantName => (ACCOUNTANTS as readonly string[]).includes(s);

export interface PrivacySpent {
  epsilon: number;
  /** The RDP order that attains epsilon (RDP accountants only). */
  order?: number;
}

export type AccountantOptions = PrvOptions;

const CONVERSION: Record<'rdp' | 'rdp-classic', RdpConversion> = { rdp: 'balle', 'rdp-classic': 'classic' };

/** Epsilon spent at delta by a history under an accountant (an empty history spends 0). */
export function epsilonSpent(
  accountant: AccountantName,
  history: readonly MechanismRun[],
  delta: number,
  options: AccountantOptions = {},
): PrivacySpent {
  if (!(delta > 0 && delta < 1)) throw new RangeError(`delta ${delta} is outside (0, 1)`);
  for (const h of history) checkRun(h);
  if (history.length === 0) return accountant === 'prv' ? { epsilon: 0 } : { epsilon: 0, order: 0 };
  if (accountant === 'prv') return { epsilon: prvEpsilon(history, delta, options) };
  const total = DEFAULT_ORDERS.map(() => 0);
  for (const h of history) {
    const r = computeRdp(h.sampleRate, h.noiseMultiplier, h.steps);
    for (let k = 0; k < total.length; k++) total[k] += r[k];
  }
  const { epsilon, order } = rdpToEpsilon(DEFAULT_ORDERS, total, delta, CONVERSION[accountant]);
  return { epsilon, order };
}

function checkRun(h: MechanismRun): void {
  if (!(h.sampleRate > 0 && h.sampleRate <= 1)) throw new RangeError(`sample rate ${h.sampleRate} is outside (0, 1]`);
  if (!(h.noiseMultiplier > 0)) throw new RangeError(`noise multiplier ${h.noiseMultiplier} is not positive`);
  if (!(Number.isInteger(h.steps) && h.steps >= 0)) throw new RangeError(`steps ${h.steps} is not a non-negative integer`);
}

/**
 * A running accountant: DP-SGD or DP-FedAvg calls `step` once per noisy step (or with a count) and
 * reads `spent(delta)` whenever it wants the epsilon so far. Under RDP, one step's RDP vector is kept
 * per (sigma, q), so reading epsilon after every step costs one pass over the orders.
 */
export class PrivacyAccountant {
  readonly history: MechanismRun[] = [];
  private readonly rdpCache = new Map<string, number[]>();

  constructor(
    readonly mechanism: AccountantName,
    readonly options: AccountantOptions = {},
  ) {}

  /** Records `count` steps at noise multiplier sigma and sample rate q (merged with the last entry when equal). */
  step(noiseMultiplier: number, sampleRate: number, count = 1): void {
    checkRun({ noiseMultiplier, sampleRate, steps: count });
    const last = this.history[this.history.length - 1];
    if (last && last.noiseMultiplier === noiseMultiplier && last.sampleRate === sampleRate) last.steps += count;
    else this.history.push({ noiseMultiplier, sampleRate, steps: count });
  }

  /** The number of steps recorded. */
  get steps(): number {
    return this.history.reduce((s, h) => s + h.steps, 0);
  }

  spent(delta: number): PrivacySpent {
    if (this.mechanism === 'prv' || this.history.length === 0) return epsilonSpent(this.mechanism, this.history, delta, this.options);
    const total = DEFAULT_ORDERS.map(() => 0);
    for (const h of this.history) {
      const key = `${h.noiseMultiplier}/${h.sampleRate}`;
      let one = this.rdpCache.get(key);
      if (!one) {
        one = computeRdp(h.sampleRate, h.noiseMultiplier, 1);
        this.rdpCache.set(key, one);
      }
      for (let k = 0; k < total.length; k++) total[k] += one[k] * h.steps;
    }
    return rdpToEpsilon(DEFAULT_ORDERS, total, delta, CONVERSION[this.mechanism]);
  }
}

/** The steps of `epochs` epochs at sampling rate q (see the header for the rounding). */
export function stepsForEpochs(epochs: number, sampleRate: number): number {
  const x = epochs / sampleRate;
  const r = Math.round(x);
  return Math.abs(x - r) <= 1e-9 * Math.max(1, Math.abs(x)) ? r : Math.floor(x);
}

/** Opacus's MAX_SIGMA: the bracketing gives up past this noise multiplier. */
export const MAX_NOISE_MULTIPLIER = 1e6;

export interface NoiseMultiplierQuery {
  targetEpsilon: number;
  delta: number;
  sampleRate: number;
  steps: number;
  accountant: AccountantName;
  /** The bisection stops once target - epsilon <= this (Opacus's epsilon_tolerance, 0.01). */
  epsilonTolerance?: number;
  options?: AccountantOptions;
}

/**
 * The noise multiplier that meets a target epsilon (Opacus's `get_noise_multiplier`): double sigma from
 * 10 (first try 20) until epsilon <= target, then bisect [0, sigma_high] until the epsilon at sigma_high
 * is within the tolerance below the target. Returns sigma_high (its epsilon never exceeds the target).
 */
export function noiseMultiplierFor(query: NoiseMultiplierQuery): { noiseMultiplier: number; epsilon: number } {
  const { targetEpsilon, delta, sampleRate, steps, accountant, epsilonTolerance = 0.01, options } = query;
  if (!(targetEpsilon > 0)) throw new RangeError(`target epsilon ${targetEpsilon} is not positive`);
  if (!(epsilonTolerance > 0)) throw new RangeError(`epsilon tolerance ${epsilonTolerance} is not positive`);
  const eps = (sigma: number) => epsilonSpent(accountant, [{ noiseMultiplier: sigma, sampleRate, steps }], delta, options).epsilon;
  let epsHigh = Infinity;
  let sigmaLow = 0;
  let sigmaHigh = 10;
  while (epsHigh > targetEpsilon) {
    sigmaHigh *= 2;
    epsHigh = eps(sigmaHigh);
    if (sigmaHigh > MAX_NOISE_MULTIPLIER) throw new RangeError('The privacy budget is too low.');
  }
  while (targetEpsilon - epsHigh > epsilonTolerance) {
    const sigma = (sigmaLow + sigmaHigh) / 2;
    const e = eps(sigma);
    if (e < targetEpsilon) {
      sigmaHigh = sigma;
      epsHigh = e;
    } else sigmaLow = sigma;
  }
  return { noiseMultiplier: sigmaHigh, epsilon: epsHigh };
}
