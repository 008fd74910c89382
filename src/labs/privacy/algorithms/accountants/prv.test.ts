import erfc from '@stdlib/math-base-special-erfc';
import { describe, expect, it } from 'vitest';
import { alignedDomain, discretize, domainDt, domainTs, gk21, integrate, prvCdf, prvEpsilon, truncatedPrv } from './prv';
import { rdpEpsilon } from './rdp';

const phi = (x: number) => erfc(-x / Math.SQRT2) / 2;

describe('PRV of the Poisson-subsampled Gaussian', () => {
  it('its CDF is P(loss <= t) under the mixture (1 - q) N(0, s^2) + q N(1, s^2), integrated numerically', () => {
    for (const [q, sigma] of [
      [0.01, 1],
      [0.2, 0.8],
      [1, 1.5],
    ])
      for (const t of [-0.5, 0.001, 0.05, 0.3, 1, 2.5]) {
        // loss(x) = log(1 - q + q exp((2x - 1) / (2 s^2))) rises with x: P(loss <= t) = P(x <= x*)
        const inside = (Math.exp(t) + q - 1) / q;
        const xStar = inside > 0 ? sigma * sigma * Math.log(inside) + 0.5 : -Infinity;
        const density = (x: number) =>
          ((1 - q) * Math.exp(-(x * x) / (2 * sigma * sigma)) + q * Math.exp(-((x - 1) ** 2) / (2 * sigma * sigma))) /
          (sigma * Math.sqrt(2 * Math.PI));
        const n = 200_000;
        const lo = -20 * sigma;
        let p = 0;
        if (xStar > lo) {
          const h = (xStar - lo) / n;
          for (let k = 0; k <= n; k++) p += (k === 0 || k === n ? 0.5 : 1) * density(lo + k * h) * h;
        }
        expect(prvCdf(q, sigma, t)).toBeCloseTo(p, 9);
      }
  });

  it('Gauss-Kronrod: exact on polynomials of degree 31, adaptive to 1e-11 elsewhere', () => {
    expect(gk21((x) => x ** 30, 0, 1).value).toBeCloseTo(1 / 31, 15);
    expect(gk21((x) => x ** 30, 0, 1).error).toBeGreaterThan(1e-8); // the 10-point Gauss rule is exact only to degree 19
    const g19 = gk21((x) => x ** 19, -1, 2);
    expect(g19.value).toBeCloseTo((2 ** 20 - 1) / 20, 9);
    expect(g19.error).toBeLessThan(1e-14 * g19.value);
    expect(integrate(Math.exp, -3, 4)).toBeCloseTo(Math.exp(4) - Math.exp(-3), 10);
    expect(integrate((x) => 1 / (1 + 1e4 * x * x), -1, 1)).toBeCloseTo((2 * Math.atan(100)) / 100, 11);
  });

  it('the domain: aligned to the mesh, an even number of points; discretisation keeps the mass and the mean', () => {
    const d = alignedDomain(-4.3, 4.3, 0.013);
    expect(d.size % 2).toBe(0);
    expect(Math.abs(domainDt(d) / 0.013 - 1)).toBeLessThan(1e-8);
    expect(d.tMin).toBeLessThanOrEqual(-4.3);
    expect(d.tMax).toBeGreaterThanOrEqual(4.3);
    const dp = discretize(0.05, 1, d);
    expect(dp.pmf.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const ts = domainTs(dp.domain);
    const mean = ts.reduce((s, t, i) => s + t * dp.pmf[i], 0);
    expect(mean).toBeCloseTo(truncatedPrv(0.05, 1, d.tMin, d.tMax).mean(), 12);
    // the shift is smaller than half a cell
    expect(Math.abs(dp.domain.shifts)).toBeLessThan(domainDt(d) / 2);
  });

  it("Opacus's test values (tests/prv_accountant.py, delta 1e-6) to 4 places", () => {
    const cases: [number, number, number, number][] = [
      [0.8, 0.001, 100, 0.27040336405801868],
      [3.0, 0.2, 100, 3.3812205102218442],
      [1.5, 0.05, 100, 1.9538531356842002],
      [2.0, 0.001, 1000, 0.071218782538115227],
    ];
    for (const [sigma, q, steps, expected] of cases)
      expect(prvEpsilon([{ noiseMultiplier: sigma, sampleRate: q, steps }], 1e-6)).toBeCloseTo(expected, 4);
  });

  it('q = 1: brackets the exact epsilon of the composed Gaussian mechanism (Balle & Wang 2018)', () => {
    const sigma = 2;
    const steps = 10;
    const mu = Math.sqrt(steps) / sigma;
    const deltaOf = (eps: number) => phi(-eps / mu + mu / 2) - Math.exp(eps) * phi(-eps / mu - mu / 2);
    let lo = 0;
    let hi = 20;
    for (let i = 0; i < 100; i++) {
      const mid = (lo + hi) / 2;
      if (deltaOf(mid) > 1e-5) lo = mid;
      else hi = mid;
    }
    const exact = hi;
    const upper = prvEpsilon([{ noiseMultiplier: sigma, sampleRate: 1, steps }], 1e-5);
    expect(upper).toBeGreaterThan(exact);
    expect(upper - exact).toBeLessThan(0.02); // eps_error 0.01 plus the delta_error's slack
  });

  it('epsilon grows with the steps and falls with sigma; a split history composes as one', () => {
    const eps = (sigma: number, steps: number) => prvEpsilon([{ noiseMultiplier: sigma, sampleRate: 0.02, steps }], 1e-5);
    expect(eps(1, 50)).toBeLessThan(eps(1, 200));
    expect(eps(0.8, 200)).toBeGreaterThan(eps(1, 200));
    expect(eps(1, 200)).toBeGreaterThan(eps(2, 200));
    const split = prvEpsilon(
      [
        { noiseMultiplier: 1, sampleRate: 0.02, steps: 120 },
        { noiseMultiplier: 1, sampleRate: 0.02, steps: 80 },
      ],
      1e-5,
    );
    expect(Math.abs(split - eps(1, 200))).toBeLessThan(0.02);
    expect(prvEpsilon([], 1e-5)).toBe(0);
  });

  it("lies below RDP's epsilon (both conversions) at Opacus's MNIST setting sigma 1.3, 15 epochs of q = 0.004", () => {
    const h = [{ noiseMultiplier: 1.3, sampleRate: 0.004, steps: 15 * 250 }];
    const prv = prvEpsilon(h, 1e-5);
    expect(prv).toBeLessThan(rdpEpsilon(h, 1e-5).epsilon);
    expect(prv).toBeLessThan(rdpEpsilon(h, 1e-5, 'classic').epsilon);
    expect(prv).toBeGreaterThan(0.5);
  });
});
