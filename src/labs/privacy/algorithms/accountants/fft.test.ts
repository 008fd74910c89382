import { describe, expect, it } from 'vitest';
import { circularSelfConvolve, dft, idft, inverseRealDft, realDft } from './fft';

/** The DFT by its definition, O(N^2). */
function naiveDft(x: Float64Array): Float64Array {
  const n = x.length / 2;
  const out = new Float64Array(2 * n);
  for (let k = 0; k < n; k++)
    for (let j = 0; j < n; j++) {
      const a = (-2 * Math.PI * ((j * k) % n)) / n;
      out[2 * k] += x[2 * j] * Math.cos(a) - x[2 * j + 1] * Math.sin(a);
      out[2 * k + 1] += x[2 * j] * Math.sin(a) + x[2 * j + 1] * Math.cos(a);
    }
  return out;
}

const random = (n: number, seed: number) => {
  let s = seed;
  return Float64Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  });
};

describe('DFT of any length', () => {
  it('equals the definition at power-of-two and other lengths (Bluestein)', () => {
    for (const n of [1, 2, 3, 8, 12, 100, 257, 1000]) {
      const x = random(2 * n, n);
      const fast = dft(x);
      const slow = naiveDft(x);
      const scale = Math.max(...slow.map(Math.abs));
      for (let i = 0; i < 2 * n; i++) expect(Math.abs(fast[i] - slow[i])).toBeLessThan(1e-12 * scale * Math.max(1, Math.log2(n)));
      const back = idft(fast);
      for (let i = 0; i < 2 * n; i++) expect(back[i]).toBeCloseTo(x[i], 12);
    }
  });

  it('the real DFT is the first N/2 + 1 values of the complex one, and inverts', () => {
    for (const n of [2, 6, 16, 100, 514]) {
      const x = random(n, 3 * n);
      const c = new Float64Array(2 * n);
      x.forEach((v, j) => (c[2 * j] = v));
      const full = naiveDft(c);
      const half = realDft(x);
      expect(half.length).toBe(n + 2);
      for (let i = 0; i < n + 2; i++) expect(half[i]).toBeCloseTo(full[i], 11);
      const back = inverseRealDft(half, n);
      for (let j = 0; j < n; j++) expect(back[j]).toBeCloseTo(x[j], 13);
    }
  });

  it('the n-fold circular self-convolution equals n - 1 plain circular convolutions', () => {
    for (const len of [6, 16, 50]) {
      const raw = random(len, 7 * len).map((v) => v + 0.5);
      const total = raw.reduce((a, b) => a + b, 0);
      const p = raw.map((v) => v / total); // a PMF, as the accountant composes
      let plain = Float64Array.from(p);
      for (let t = 1; t < 5; t++) {
        const next = new Float64Array(len);
        for (let i = 0; i < len; i++) for (let j = 0; j < len; j++) next[(i + j) % len] += plain[i] * p[j];
        plain = next;
      }
      const fast = circularSelfConvolve(p, 5);
      expect(fast.length).toBe(len);
      for (let i = 0; i < len; i++) expect(fast[i]).toBeCloseTo(plain[i], 14);
    }
  });
});
