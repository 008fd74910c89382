import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../../../core/models/classifier';
import {
  ABSTAIN,
  GaussianStream,
  certifiedAccuracyByRadius,
  certifiedRadius,
  certify,
  certifySplit,
  imageStream,
  lowerConfidenceBound,
  maxCertifiableRadius,
  phiInverse,
  predict,
  predictionFromCounts,
} from './smoothing';

/** Class 1 when the first pixel is above 0.5, else class 0: its smoothed version is robust exactly within |x0 - 0.5|. */
const halfPlane: Classifier = {
  logits: (x) =>
    tf.tidy(() => {
      const x0 = x.reshape([x.shape[0], -1]).slice([0, 0], [-1, 1]);
      return tf.concat([tf.scalar(0.5).sub(x0), x0.sub(0.5)], 1) as tf.Tensor2D;
    }),
  inputShape: [2, 2, 1],
  numClasses: 2,
  outputKind: 'logits',
};

/** Always class 3 of 5. */
const constant: Classifier = {
  logits: (x) => tf.tidy(() => tf.oneHot(tf.fill([x.shape[0]], 3, 'int32') as tf.Tensor1D, 5).toFloat() as tf.Tensor2D),
  inputShape: [2, 2, 1],
  numClasses: 5,
  outputKind: 'logits',
};

const image = (x0: number) => new Float32Array([x0, 0.2, 0.3, 0.4]);

/** P(X >= k) for X ~ Binomial(n, p), summed exactly in logs. */
function upperTail(k: number, n: number, p: number): number {
  const logC = (m: number, j: number) => {
    let s = 0;
    for (let i = 1; i <= j; i++) s += Math.log(m - j + i) - Math.log(i);
    return s;
  };
  let t = 0;
  for (let j = k; j <= n; j++) t += Math.exp(logC(n, j) + j * Math.log(p) + (n - j) * Math.log(1 - p));
  return t;
}

describe('randomized smoothing statistics', () => {
  it('the Clopper-Pearson bound and the radius at the paper-scale known values', () => {
    const p = lowerConfidenceBound(10000, 10000, 0.001);
    expect(p).toBeCloseTo(Math.pow(0.001, 1 / 10000), 12);
    expect(certifiedRadius(p, 0.25)).toBeCloseTo(0.7996, 4);
    expect(maxCertifiableRadius(10000, 0.001, 0.25)).toBeCloseTo(0.7996, 4);
    expect(maxCertifiableRadius(10000, 0.001, 0.5)).toBeCloseTo(1.5993, 4);
  });

  it('the lower bound is the p at which nA or more successes have probability alpha (one-sided)', () => {
    for (const [k, n, alpha] of [
      [15, 20, 0.05],
      [97, 100, 0.001],
      [1, 10, 0.01],
    ]) {
      const lo = lowerConfidenceBound(k, n, alpha);
      expect(upperTail(k, n, lo)).toBeCloseTo(alpha, 8);
      expect(lo).toBeLessThan(k / n);
    }
    expect(lowerConfidenceBound(0, 50, 0.001)).toBe(0);
    expect(() => lowerConfidenceBound(11, 10, 0.001)).toThrow(/nA <= n/);
  });

  it('Phi inverse at known quantiles', () => {
    expect(phiInverse(0.975)).toBeCloseTo(1.959964, 6);
    expect(phiInverse(0.5)).toBe(0);
    expect(phiInverse(0.999)).toBeCloseTo(3.090232, 6);
  });

  it("PREDICT's two-sided binomial test: abstains at 60 of 100 (p = 0.0569) for alpha 0.05, not at 62", () => {
    const a = predictionFromCounts(new Int32Array([0, 60, 40, 0]), 0.05);
    expect(a.pValue).toBeCloseTo(0.056887933640981075, 10);
    expect(a.prediction).toBe(ABSTAIN);
    const b = predictionFromCounts(new Int32Array([0, 38, 62, 0]), 0.05);
    expect(b.prediction).toBe(2);
    expect(b.pValue).toBeLessThan(0.05);
  });

  it('certified accuracy counts correct certificates with radius >= r', () => {
    const ims = [
      { prediction: 1, label: 1, radius: 0.3 },
      { prediction: 2, label: 1, radius: 0.9 },
      { prediction: ABSTAIN, label: 0, radius: 0 },
      { prediction: 0, label: 0, radius: 0.6 },
    ];
    expect(certifiedAccuracyByRadius(ims, [0, 0.25, 0.5, 1])).toEqual([0.5, 0.5, 0.25, 0]);
  });
});

describe('the noise stream', () => {
  it('is N(image, sigma^2), seeded, and the same whatever the chunking', () => {
    const base = new Float32Array([0.1, 0.9]);
    const big = new Float32Array(200000);
    new GaussianStream(7).fillNoisy(big, base, 0.5);
    let m0 = 0;
    let v0 = 0;
    for (let i = 0; i < big.length; i += 2) {
      m0 += big[i];
      v0 += (big[i] - 0.1) ** 2;
    }
    expect(m0 / 100000).toBeCloseTo(0.1, 2);
    expect(v0 / 100000).toBeCloseTo(0.25, 2);
    // chunks of odd length (the polar method's spare normal carried over) give the same numbers
    const one = new Float32Array([0.1]);
    const s = new GaussianStream(7);
    const a = new Float32Array(7);
    const b = new Float32Array(13);
    s.fillNoisy(a, one, 0.5);
    s.fillNoisy(b, one, 0.5);
    const c = new Float32Array(20);
    new GaussianStream(7).fillNoisy(c, one, 0.5);
    expect([...a, ...b]).toEqual(Array.from(c));
    // the base image repeats: the same normals on pixel 1 (0.9) as on the one-pixel image (0.1)
    expect(big[0]).toBe(c[0]);
    expect(big[1] - 0.8).toBeCloseTo(c[1], 6);
    expect(imageStream(1, 5)).not.toEqual(imageStream(1, 6));
  });
});

describe('CERTIFY and PREDICT', () => {
  const settings = { sigma: 0.25, samples0: 100, samples: 1000, alpha: 0.001, batch: 128 };

  it('a base model that always votes one class gets exactly the radius cap, never more', async () => {
    const c = await certify(constant, image(0.5), settings, new GaussianStream(1));
    expect(c.prediction).toBe(3);
    expect(c.count).toBe(1000);
    expect(Array.from(c.selectionCounts)).toEqual([0, 0, 0, 100, 0]);
    expect(c.pALower).toBeCloseTo(Math.pow(0.001, 1 / 1000), 12);
    expect(c.radius).toBeCloseTo(maxCertifiableRadius(1000, 0.001, 0.25), 12);
    expect(c.radius).toBeCloseTo(0.25 * phiInverse(Math.pow(0.001, 1 / 1000)), 12);
  });

  it('the half-plane: the certificate is below its true radius |x0 - 0.5| and close to it; on the boundary it abstains', async () => {
    const c = await certify(halfPlane, image(0.7), { ...settings, samples: 10000, batch: 1000 }, new GaussianStream(3));
    // the true radius of the smoothed half-plane is the distance to its boundary, 0.2
    expect(c.prediction).toBe(1);
    expect(c.count / 10000).toBeCloseTo(0.7881, 1); // Phi(0.2 / 0.25)
    expect(c.radius).toBeLessThan(0.2);
    expect(c.radius).toBeGreaterThan(0.17);
    const b = await certify(halfPlane, image(0.5), settings, new GaussianStream(3));
    expect(b.prediction).toBe(ABSTAIN);
    expect(b.radius).toBe(0);
    const p = await predict(halfPlane, image(0.5), settings, new GaussianStream(3));
    expect(p.prediction).toBe(ABSTAIN);
    const q = await predict(halfPlane, image(0.2), settings, new GaussianStream(3));
    expect(q.prediction).toBe(0);
  });

  it('is deterministic for a seed, the same for every batch size, and differs between seeds', async () => {
    const split = {
      n: 3,
      shape: [2, 2, 1] as [number, number, number],
      pixels: new Uint8Array([140, 10, 20, 30, 128, 0, 0, 0, 115, 9, 9, 9]),
      labels: new Uint8Array([1, 1, 0]),
    };
    const run = (batch: number, seed: number, start = 0, n = 3) =>
      certifySplit(halfPlane, split, { start, n }, { ...settings, batch, seed });
    const a = await run(128, 5);
    const b = await run(37, 5);
    expect(b.map((c) => Array.from(c.counts))).toEqual(a.map((c) => Array.from(c.counts)));
    expect(b.map((c) => c.radius)).toEqual(a.map((c) => c.radius));
    // an image's certificate does not depend on the slice it was certified in
    const last = await run(128, 5, 2, 1);
    expect(Array.from(last[0].counts)).toEqual(Array.from(a[2].counts));
    const other = await run(128, 6);
    expect(other.map((c) => Array.from(c.counts))).not.toEqual(a.map((c) => Array.from(c.counts)));
    expect(a.map((c) => c.label)).toEqual([1, 1, 0]);
  });

  it('reports progress up to every sample, can be cancelled, and leaks no tensors', async () => {
    const split = {
      n: 2,
      shape: [2, 2, 1] as [number, number, number],
      pixels: new Uint8Array(8).fill(200),
      labels: new Uint8Array([1, 1]),
    };
    const seen: [number, number, number][] = [];
    await certifySplit(halfPlane, split, { start: 0, n: 2 }, { ...settings, seed: 0 }, { onProgress: (i, t, s) => seen.push([i, t, s]) });
    expect(seen[seen.length - 1]).toEqual([2, 2, 2 * 1100]);
    for (let k = 1; k < seen.length; k++) expect(seen[k][2]).toBeGreaterThanOrEqual(seen[k - 1][2]);
    const before = tf.memory().numTensors;
    for (let r = 0; r < 3; r++) await certify(halfPlane, image(0.7), settings, new GaussianStream(r));
    expect(tf.memory().numTensors).toBe(before);
    const ac = new AbortController();
    await expect(
      certify(halfPlane, image(0.7), settings, new GaussianStream(1), {
        signal: ac.signal,
        onSamples: (d) => d >= 300 && ac.abort(),
      }),
    ).rejects.toThrow(/cancelled/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
