/**
 * The discrete Fourier transform of any length, for the PRV accountant's self-composition (which, as
 * Opacus's `_compose_fourier` with scipy's rfft/irfft, is a circular convolution of exactly the domain's
 * length N, usually not a power of two). Power-of-two lengths go straight to fft.js (a radix-4 FFT);
 * other lengths through Bluestein's chirp-z algorithm (Bluestein 1970; e.g. Oppenheim & Schafer,
 * "Discrete-Time Signal Processing", section 9.6): with jk = (j^2 + k^2 - (k - j)^2) / 2,
 * X_k = c_k sum_j (x_j c_j) conj(c_{k-j}), c_j = exp(-i pi j^2 / N), a convolution done by fft.js at a
 * power of two M >= 2N - 1. The chirp's angle is taken from j^2 mod 2N (exact in doubles for N < 2^26),
 * so it keeps full precision at large j.
 */
import FFT from 'fft.js';

const isPow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;

/**
 * fft.js plans (twiddle tables, bit reversal) and Bluestein kernels' spectra by size, the few most recent
 * kept: building a plan of 2^19 points costs as much as several transforms, and an accountant reading
 * epsilon repeatedly (the inverse's bisection) asks for the same few sizes.
 */
const KEEP = 4;
const plans = new Map<number, FFT>();
const kernels = new Map<number, { chirpRe: Float64Array; chirpIm: Float64Array; spectrum: Float64Array }>();

function remember<V>(cache: Map<number, V>, key: number, make: () => V): V {
  let v = cache.get(key);
  if (v === undefined) {
    v = make();
    if (cache.size >= KEEP) cache.delete(cache.keys().next().value as number);
  } else cache.delete(key);
  cache.set(key, v);
  return v;
}

const plan = (m: number) => remember(plans, m, () => new FFT(m));

/** Interleaved complex vector (re, im, re, im, ...) of length 2N. */
export type Complex = Float64Array;

/** The forward DFT X_k = sum_j x_j exp(-2 pi i jk / N) of an interleaved complex vector. */
export function dft(x: Complex): Complex {
  const n = x.length / 2;
  if (!Number.isInteger(n) || n < 1) throw new Error('dft needs an interleaved complex vector of even length >= 2');
  if (n === 1) return Float64Array.from(x);
  if (isPow2(n)) {
    const f = plan(n);
    const out = new Float64Array(2 * n);
    f.transform(out, x);
    return out;
  }
  return bluestein(x, n);
}

/** The inverse DFT x_j = (1 / N) sum_k X_k exp(2 pi i jk / N). */
export function idft(spectrum: Complex): Complex {
  const n = spectrum.length / 2;
  const c = new Float64Array(spectrum.length);
  for (let k = 0; k < n; k++) {
    c[2 * k] = spectrum[2 * k];
    c[2 * k + 1] = -spectrum[2 * k + 1];
  }
  const y = dft(c);
  for (let k = 0; k < n; k++) {
    y[2 * k] /= n;
    y[2 * k + 1] = -y[2 * k + 1] / n;
  }
  return y;
}

function bluesteinKernel(n: number, m: number) {
  const chirpRe = new Float64Array(n);
  const chirpIm = new Float64Array(n);
  const twoN = 2 * n;
  for (let j = 0; j < n; j++) {
    const angle = (Math.PI * ((j * j) % twoN)) / n;
    chirpRe[j] = Math.cos(angle);
    chirpIm[j] = -Math.sin(angle);
  }
  // b_j = conj(c_j) at j and at m - j (the kernel's negative lags, wrapped)
  const b = new Float64Array(2 * m);
  b[0] = chirpRe[0];
  b[1] = -chirpIm[0];
  for (let j = 1; j < n; j++) {
    b[2 * j] = b[2 * (m - j)] = chirpRe[j];
    b[2 * j + 1] = b[2 * (m - j) + 1] = -chirpIm[j];
  }
  const spectrum = new Float64Array(2 * m);
  plan(m).transform(spectrum, b);
  return { chirpRe, chirpIm, spectrum };
}

function bluestein(x: Complex, n: number): Complex {
  let m = 1;
  while (m < 2 * n - 1) m *= 2;
  const f = plan(m);
  const { chirpRe, chirpIm, spectrum: fb } = remember(kernels, n, () => bluesteinKernel(n, m));
  const a = new Float64Array(2 * m);
  for (let j = 0; j < n; j++) {
    const xr = x[2 * j];
    const xi = x[2 * j + 1];
    a[2 * j] = xr * chirpRe[j] - xi * chirpIm[j];
    a[2 * j + 1] = xr * chirpIm[j] + xi * chirpRe[j];
  }
  const fa = new Float64Array(2 * m);
  f.transform(fa, a);
  for (let k = 0; k < m; k++) {
    const ar = fa[2 * k];
    const ai = fa[2 * k + 1];
    const br = fb[2 * k];
    const bi = fb[2 * k + 1];
    fa[2 * k] = ar * br - ai * bi;
    fa[2 * k + 1] = ar * bi + ai * br;
  }
  f.inverseTransform(a, fa);
  const out = new Float64Array(2 * n);
  for (let k = 0; k < n; k++) {
    const yr = a[2 * k];
    const yi = a[2 * k + 1];
    out[2 * k] = yr * chirpRe[k] - yi * chirpIm[k];
    out[2 * k + 1] = yr * chirpIm[k] + yi * chirpRe[k];
  }
  return out;
}

/**
 * The n-fold circular self-convolution of a real vector p of length N: irfft(rfft(p) ** n), each
 * spectral value raised to the n-th power in polar form, |z|^n exp(i n arg z), as numpy's complex power
 * does for large integer n (C's cpow).
 */
export function circularSelfConvolve(p: Float64Array, n: number): Float64Array {
  const len = p.length;
  const x = new Float64Array(2 * len);
  for (let j = 0; j < len; j++) x[2 * j] = p[j];
  const s = dft(x);
  for (let k = 0; k < len; k++) {
    const re = s[2 * k];
    const im = s[2 * k + 1];
    const r = Math.pow(Math.hypot(re, im), n);
    const th = n * Math.atan2(im, re);
    s[2 * k] = r * Math.cos(th);
    s[2 * k + 1] = r * Math.sin(th);
  }
  const y = idft(s);
  const out = new Float64Array(len);
  for (let j = 0; j < len; j++) out[j] = y[2 * j];
  return out;
}
