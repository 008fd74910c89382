import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../engine/node-backend';
import { Rng } from '../random';
import type { LabeledImages } from '../data/datasets';
import { oneCycle, train } from './train';
import type { Recipe } from './recipes';

/** A learnable toy task: the class is the quadrant of the brightest 7x7 block. */
function toyData(n: number, seed: number): LabeledImages {
  const rng = new Rng(seed);
  const pixels = new Uint8Array(n * 784);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(4);
    labels[i] = c;
    const r0 = c < 2 ? 3 : 17;
    const c0 = c % 2 === 0 ? 3 : 17;
    for (let p = 0; p < 784; p++) pixels[i * 784 + p] = rng.int(60);
    for (let r = r0; r < r0 + 7; r++) for (let k = c0; k < c0 + 7; k++) pixels[i * 784 + r * 28 + k] = 200 + rng.int(55);
  }
  return { n, shape: [28, 28, 1], pixels, labels };
}

const recipe: Recipe = {
  id: 'toy',
  dataset: 'mnist',
  architecture: 'cnn-small',
  epochs: 2,
  batchSize: 32,
  learningRate: 2e-3,
  seed: 5,
  holdout: 64,
  adversarial: { method: 'fgsm-rs', eps: 0.1, alpha: 0.125, epsWarmupEpochs: 1 },
  evaluations: [],
};

describe('train', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  it('learns, and repeats bit for bit for the same seed', async () => {
    const data = toyData(320, 1);
    const a = await train(recipe, data);
    const b = await train(recipe, data);
    const wa = a.model.getWeights().map((w) => Array.from(w.dataSync()));
    const wb = b.model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(wa).toEqual(wb);
    expect(a.history[a.history.length - 1].holdoutClean).toBeGreaterThan(0.9);
    expect(a.history[0].holdoutRobust).not.toBeNull();
    const c = await train({ ...recipe, seed: 6 }, data);
    expect(c.model.getWeights()[0].dataSync()[0]).not.toBe(wa[0][0]);
    for (const m of [a, b, c]) m.model.dispose();
    expect(tf.memory().numTensors).toBeLessThan(50);
  });

  it('one-cycle schedule rises to the peak and falls to zero', () => {
    const lr = Array.from({ length: 100 }, (_, i) => oneCycle(i, 100, 1));
    expect(Math.max(...lr)).toBe(1);
    expect(lr.indexOf(1)).toBe(19);
    expect(lr[99]).toBeCloseTo(1 / 80, 6);
    expect(lr.every((v) => v >= 0)).toBe(true);
  });
});
