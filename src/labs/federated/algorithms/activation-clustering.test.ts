import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../core/random';
import { Matrix } from 'ml-matrix';
import { activationClustering } from './activation-clustering';
import { lastHiddenActivations, principalDirections, type Activations } from './representations';
import { spectralSignatures } from './spectral-signatures';
import { detectionScores } from './badnets';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function gauss(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * 20-dimensional activations of two classes of 100: class 0 holds 90 points around the origin and a
 * planted cluster of 10 (rows 90..99) shifted by 6 along the first axes; class 1 is one blob.
 */
function planted(): { acts: Activations; labels: Uint8Array; poisoned: number[] } {
  const rng = new Rng(3);
  const dim = 20;
  const n = 200;
  const values = new Float32Array(n * dim);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i < 100 ? 0 : 1;
    for (let d = 0; d < dim; d++) values[i * dim + d] = gauss(rng) + (i >= 90 && i < 100 && d < 4 ? 6 : 0);
  }
  return { acts: { n, dim, values }, labels, poisoned: Array.from({ length: 10 }, (_, j) => 90 + j) };
}

describe('activation clustering', () => {
  it('flags exactly a planted small cluster and nothing in a class of one blob', () => {
    const { acts, labels, poisoned } = planted();
    const r = activationClustering(acts, labels, { classes: 2, seed: 0 });
    expect(Array.from(r.flagged)).toEqual(poisoned);
    expect(detectionScores(r.flagged, poisoned)).toMatchObject({ precision: 1, recall: 1 });
    expect(r.classes[0].sizes.slice().sort((a, b) => a - b)).toEqual([10, 90]);
    expect(r.classes[1].flagged).toEqual([]);
    // the same with the unwhitened PCA projection
    expect(Array.from(activationClustering(acts, labels, { classes: 2, reduce: 'pca' }).flagged)).toEqual(poisoned);
  });

  it("ART's 'smaller' analysis flags the smaller cluster of every class", () => {
    const { acts, labels } = planted();
    const r = activationClustering(acts, labels, { classes: 2, analysis: 'smaller' });
    const inClass1 = Array.from(r.flagged).filter((i) => i >= 100).length;
    expect(inClass1).toBeGreaterThan(0);
    expect(inClass1).toBeLessThanOrEqual(50);
    expect(Array.from(r.flagged).filter((i) => i < 100)).toEqual(Array.from({ length: 10 }, (_, j) => 90 + j));
  });
});

describe('spectral signatures', () => {
  it('removes floor(1.5 eps n) images per class, the planted ones scoring highest', () => {
    const { acts, labels, poisoned } = planted();
    const r = spectralSignatures(acts, labels, { eps: 0.1, classes: 2 });
    expect(r.flagged.length).toBe(30);
    const flagged = new Set(r.flagged);
    for (const p of poisoned) expect(flagged.has(p)).toBe(true);
    const top10 = Array.from({ length: 100 }, (_, i) => i)
      .sort((a, b) => r.scores[b] - r.scores[a])
      .slice(0, 10)
      .sort((a, b) => a - b);
    expect(top10).toEqual(poisoned);
  });

  it('scores by the squared projection on the top singular vector', () => {
    // class 0: points on a line along (3, 4) / 5 with offsets -2, -1, 1, 2: scores 4, 1, 1, 4 around the mean
    const pts = [-2, -1, 1, 2].map((t) => [1 + (3 * t) / 5, 1 + (4 * t) / 5]);
    const acts: Activations = { n: 4, dim: 2, values: Float32Array.from(pts.flat()) };
    const r = spectralSignatures(acts, [0, 0, 0, 0], { eps: 0.34, classes: 1 });
    [4, 1, 1, 4].forEach((s, i) => expect(r.scores[i]).toBeCloseTo(s, 5));
    expect(Array.from(r.flagged)).toEqual([0, 3]); // floor(1.5 * 0.34 * 4) = 2
    const { directions } = principalDirections(new Matrix(pts.map(([x, y]) => [x - 1, y - 1])), 1);
    expect(Math.abs(directions.get(0, 0))).toBeCloseTo(0.6, 6);
    expect(Math.abs(directions.get(1, 0))).toBeCloseTo(0.8, 6);
  });
});

describe('lastHiddenActivations', () => {
  it("returns the input of the model's last layer, without leaking tensors", async () => {
    const m = tf.sequential();
    m.add(tf.layers.flatten({ inputShape: [2, 2, 1] }));
    m.add(
      tf.layers.dense({
        units: 3,
        activation: 'relu',
        kernelInitializer: 'ones',
        biasInitializer: tf.initializers.constant({ value: -1 }),
      }),
    );
    m.add(tf.layers.dense({ units: 2 }));
    const data = {
      n: 3,
      shape: [2, 2, 1] as [number, number, number],
      pixels: Uint8Array.from([0, 0, 0, 0, 255, 255, 0, 0, 255, 255, 255, 255]),
      labels: new Uint8Array(3),
    };
    await lastHiddenActivations(m, data, { batchSize: 2 });
    const before = tf.memory().numTensors;
    const a = await lastHiddenActivations(m, data, { batchSize: 2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(a.dim).toBe(3);
    // relu(sum of pixels - 1): 0, 1, 3 on each unit
    expect(Array.from(a.values)).toEqual([0, 0, 0, 1, 1, 1, 3, 3, 3]);
    m.dispose();
  });
});
