import erfc from '@stdlib/math-base-special-erfc';
import { describe, expect, it } from 'vitest';
import { computeRdp, DEFAULT_ORDERS, logAdd, logErfc, logSub, rdpEpsilon, rdpSampledGaussian, rdpToEpsilon } from './rdp';

/** A_alpha at an integer order from the binomial sum written out in plain arithmetic (no log space). */
function aIntPlain(q: number, sigma: number, alpha: number): number {
  let binom = 1;
  let a = 0;
  for (let i = 0; i <= alpha; i++) {
    if (i > 0) binom = (binom * (alpha - i + 1)) / i;
    a += binom * q ** i * (1 - q) ** (alpha - i) * Math.exp((i * i - i) / (2 * sigma * sigma));
  }
  return a;
}

/**
 * A_alpha - 1 from its definition, E_{z ~ N(0, s^2)} [((1 - q) + q exp((2z - 1) / (2 s^2)))^alpha], by the
 * trapezoid rule on a fine grid: a slow plain loop that knows nothing of the series in rdp.ts.
 */
function aDefinition(q: number, sigma: number, alpha: number): number {
  const lo = -30 * sigma;
  const hi = 30 * sigma + 1;
  const n = 400_000;
  const h = (hi - lo) / n;
  let s = 0;
  for (let k = 0; k <= n; k++) {
    const z = lo + k * h;
    const density = Math.exp(-(z * z) / (2 * sigma * sigma)) / (sigma * Math.sqrt(2 * Math.PI));
    // ratio^alpha - 1, ratio = 1 + q (exp((2z - 1) / (2 s^2)) - 1): A - 1 is summed, not A, so that
    // rounding in the sum does not swamp log(A) when A is near 1
    const excess = Math.expm1(alpha * Math.log1p(q * Math.expm1((2 * z - 1) / (2 * sigma * sigma))));
    s += (k === 0 || k === n ? 0.5 : 1) * density * excess;
  }
  return s * h;
}

describe('RDP of the sampled Gaussian mechanism', () => {
  it('the issue known answer: q = 0.01, sigma = 1, alpha = 2 gives 1.71813e-4 for one step', () => {
    expect(rdpSampledGaussian(0.01, 1, 2)).toBeCloseTo(1.71813e-4, 9);
    // closed form at alpha = 2: log(1 + q^2 (e^(1/sigma^2) - 1))
    expect(rdpSampledGaussian(0.01, 1, 2)).toBeCloseTo(Math.log1p(1e-4 * Math.expm1(1)), 15);
  });

  it('integer orders equal the binomial closed form', () => {
    for (const [q, sigma] of [
      [0.01, 1],
      [0.004, 1.3],
      [0.1, 0.9],
      [0.5, 2],
    ])
      for (const alpha of [2, 3, 5, 8, 17, 32]) {
        // (the plain sum overflows where exp((alpha^2 - alpha) / (2 sigma^2)) does: sigma >= 0.9 here)
        const expected = Math.log(aIntPlain(q, sigma, alpha)) / (alpha - 1);
        expect(rdpSampledGaussian(q, sigma, alpha)).toBeCloseTo(expected, 12);
        expect(Math.abs(rdpSampledGaussian(q, sigma, alpha) / expected - 1)).toBeLessThan(1e-11);
      }
  });

  it('fractional (and integer) orders equal the definition integrated numerically', () => {
    for (const [q, sigma, alpha] of [
      [0.01, 1, 2.5],
      [0.004, 1.3, 1.5],
      [0.05, 0.9, 4.7],
      [0.2, 2, 10.9],
      [0.01, 1, 3],
    ]) {
      const expected = Math.log1p(aDefinition(q, sigma, alpha)) / (alpha - 1);
      expect(Math.abs(rdpSampledGaussian(q, sigma, alpha) / expected - 1)).toBeLessThan(1e-8);
    }
  });

  it('q = 1 is the Gaussian mechanism, alpha / (2 sigma^2); q = 0 spends nothing; sigma = 0 everything', () => {
    for (const alpha of [1.5, 2, 7.3, 63]) expect(rdpSampledGaussian(1, 1.3, alpha)).toBe(alpha / (2 * 1.3 * 1.3));
    expect(rdpSampledGaussian(0, 1, 2)).toBe(0);
    expect(rdpSampledGaussian(0.1, 0, 2)).toBe(Infinity);
    // and q -> 1 approaches it continuously from below
    expect(rdpSampledGaussian(0.999999, 1.3, 5)).toBeCloseTo(5 / (2 * 1.3 * 1.3), 4);
  });

  it('composes additively over steps and grows with the order', () => {
    const one = computeRdp(0.02, 1.1, 1);
    const many = computeRdp(0.02, 1.1, 250);
    one.forEach((r, k) => expect(many[k]).toBeCloseTo(250 * r, 12));
    for (let k = 1; k < one.length; k++) expect(one[k]).toBeGreaterThan(one[k - 1]);
  });

  it('has Opacus default orders: 1.1 .. 10.9 by 0.1, then 12 .. 63', () => {
    expect(DEFAULT_ORDERS.length).toBe(99 + 52);
    expect(DEFAULT_ORDERS[0]).toBe(1.1);
    expect(DEFAULT_ORDERS[98]).toBe(10.9);
    expect(DEFAULT_ORDERS[99]).toBe(12);
    expect(DEFAULT_ORDERS.at(-1)).toBe(63);
    expect(DEFAULT_ORDERS.filter(Number.isInteger)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, ...Array.from({ length: 52 }, (_, i) => 12 + i)]);
  });
});

describe('log-space helpers', () => {
  it('logAdd, logSub and logErfc', () => {
    expect(logAdd(Math.log(2), Math.log(3))).toBeCloseTo(Math.log(5), 15);
    expect(logAdd(-Infinity, 1.5)).toBe(1.5);
    expect(logSub(Math.log(5), Math.log(3))).toBeCloseTo(Math.log(2), 15);
    expect(logSub(2, -Infinity)).toBe(2);
    expect(logSub(2, 2)).toBe(-Infinity);
    expect(logSub(800, 1)).toBe(800);
    expect(() => logSub(1, 2)).toThrow(/non-negative/);
    for (const x of [-5, -1, 0, 0.5, 3, 10, 19.5]) expect(logErfc(x)).toBeCloseTo(Math.log(erfc(x)), 12);
    // the asymptotic branch joins erfc's at 20 and keeps going where erfc underflows
    expect(Math.abs(logErfc(20.000001) / Math.log(erfc(20.000001)) - 1)).toBeLessThan(1e-14);
    // where erfc underflows: scipy's log(2) + log_ndtr(-x sqrt 2) (Opacus's _log_erfc)
    expect(logErfc(25)).toBeCloseTo(-628.792039174072, 10);
    expect(logErfc(40)).toBeCloseTo(-1604.2615566532743, 10);
    expect(logErfc(100)).toBeCloseTo(-10005.177585122668, 9);
  });
});

describe('RDP to (epsilon, delta)', () => {
  it('Opacus test value: sigma 1.5, q 0.04, 2250 steps, delta 1e-5 gives 7.32911117143 (accountants_test.py)', () => {
    expect(rdpEpsilon([{ noiseMultiplier: 1.5, sampleRate: 0.04, steps: 2250 }], 1e-5).epsilon).toBeCloseTo(7.32911117143, 8);
  });

  it('the classic conversion reproduces the epsilons Opacus published for its MNIST example', () => {
    // batch 240 of 60,000 (q = 0.004), 250 steps an epoch; Opacus's README: 1.16, 2.91, 6.86
    const cases = [
      [1.3, 15, 1.16],
      [1.1, 60, 2.91],
      [0.7, 45, 6.86],
    ];
    for (const [sigma, epochs, published] of cases) {
      const h = [{ noiseMultiplier: sigma, sampleRate: 0.004, steps: epochs * 250 }];
      expect(rdpEpsilon(h, 1e-5, 'classic').epsilon).toBeCloseTo(published, 2);
      // Balle et al.'s conversion is tighter
      expect(rdpEpsilon(h, 1e-5).epsilon).toBeLessThan(rdpEpsilon(h, 1e-5, 'classic').epsilon);
    }
  });

  it('takes the least epsilon over the orders and names its order; the two conversions by hand', () => {
    const orders = [2, 4, 8];
    const rdp = [0.5, 0.6, 2];
    const delta = 1e-5;
    const balle = orders.map((a, k) => rdp[k] - (Math.log(delta) + Math.log(a)) / (a - 1) + Math.log((a - 1) / a));
    const classic = orders.map((a, k) => rdp[k] - Math.log(delta) / (a - 1));
    const b = rdpToEpsilon(orders, rdp, delta);
    expect(b.epsilon).toBeCloseTo(Math.min(...balle), 14);
    expect(b.order).toBe(orders[balle.indexOf(Math.min(...balle))]);
    const c = rdpToEpsilon(orders, rdp, delta, 'classic');
    expect(c.epsilon).toBeCloseTo(Math.min(...classic), 14);
    expect(c.order).toBe(orders[classic.indexOf(Math.min(...classic))]);
    expect(rdpToEpsilon([2, 3], [NaN, NaN], delta)).toEqual({ epsilon: Infinity, order: NaN });
    expect(rdpToEpsilon([2, 3], [NaN, 1], delta).order).toBe(3);
    expect(() => rdpToEpsilon([2], [1, 2], delta)).toThrow(/length/);
  });

  it('epsilon grows with the steps and falls with sigma', () => {
    const eps = (sigma: number, steps: number) => rdpEpsilon([{ noiseMultiplier: sigma, sampleRate: 0.01, steps }], 1e-5).epsilon;
    let last = 0;
    for (const steps of [1, 10, 100, 1000, 10000]) {
      const e = eps(1, steps);
      expect(e).toBeGreaterThan(last);
      last = e;
    }
    last = Infinity;
    for (const sigma of [0.5, 0.8, 1, 2, 5]) {
      const e = eps(sigma, 1000);
      expect(e).toBeLessThan(last);
      last = e;
    }
  });

  it('an empty history spends nothing; a heterogeneous one adds the RDP of its parts', () => {
    expect(rdpEpsilon([], 1e-5)).toEqual({ epsilon: 0, order: 0 });
    const a = { noiseMultiplier: 1, sampleRate: 0.01, steps: 300 };
    const b = { noiseMultiplier: 2, sampleRate: 0.05, steps: 100 };
    const sum = computeRdp(0.01, 1, 300).map((r, k) => r + computeRdp(0.05, 2, 100)[k]);
    expect(rdpEpsilon([a, b], 1e-5)).toEqual(rdpToEpsilon(DEFAULT_ORDERS, sum, 1e-5));
  });
});
