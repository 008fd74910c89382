import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../../../../core/models/architectures';
import { Rng } from '../../../../core/random';
import { NO_DEFENCE, prune, sharedGradient } from './defences';
import { dlg } from './dlg';
import { idlg, idlgLabel } from './idlg';
import { cosineDistance, invertingGradients, totalVariation } from './inverting-gradients';
import { matchedMse, mse, psnr } from './metrics';
import { disposeLeakNet, leakNetOf, releaseSelections, type LeakNet } from './net';

const SHAPE: [number, number, number] = [6, 6, 1];

/** A tiny lenet-sigmoid (6x6 grey, 4 classes) and a smooth test image. */
function setup(seed = 3): { net: LeakNet; x: tf.Tensor4D; image: Float32Array } {
  const model = buildModel('lenet-sigmoid', SHAPE, 4, seed);
  const net = leakNetOf(model);
  model.dispose();
  const image = new Float32Array(36).map((_, i) => 0.5 + 0.4 * Math.sin(i / 3));
  return { net, x: tf.tensor4d(image, [1, ...SHAPE]), image };
}

describe('gradient leakage on a tiny network', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('DLG recovers the image (MSE < 1e-4) and its label from the shared gradient', async () => {
    const { net, x, image } = setup();
    const shared = sharedGradient(net, x, [2], NO_DEFENCE, 1);
    const r = await dlg(net, shared, { batch: 1, iterations: 20, seed: 5 });
    expect(mse(image, r.reconstruction)).toBeLessThan(1e-4);
    expect(r.labels).toEqual([2]);
    tf.dispose([x, ...shared]);
    disposeLeakNet(net);
  });

  it('iDLG reads the label from the last layer (every class), then recovers the image', async () => {
    const { net, x, image } = setup(4);
    for (let label = 0; label < 4; label++) {
      const shared = sharedGradient(net, x, [label], NO_DEFENCE, 1);
      expect(idlgLabel(net, shared)).toBe(label);
      if (label === 1) {
        const r = await idlg(net, shared, { iterations: 20, seed: 2 });
        expect(r.labels).toEqual([1]);
        expect(mse(image, r.reconstruction)).toBeLessThan(1e-4);
      }
      tf.dispose(shared);
    }
    tf.dispose(x);
    disposeLeakNet(net);
  });

  it('seeded runs repeat exactly, and tf.memory stays flat across runs', async () => {
    const { net, x } = setup();
    const shared = sharedGradient(net, x, [1], NO_DEFENCE, 1);
    const run = () => dlg(net, shared, { batch: 1, iterations: 2, seed: 9 });
    const a = await run();
    const before = tf.memory().numTensors;
    const b = await run();
    await invertingGradients(net, shared, { iterations: 3, seed: 9, labels: [1] });
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(b.reconstruction)).toEqual(Array.from(a.reconstruction));
    expect(b.loss).toBe(a.loss);
    tf.dispose([x, ...shared]);
    disposeLeakNet(net);
    releaseSelections();
  });

  it('inverting gradients lowers the cosine distance, keeps the image in [0, 1] and reports progress', async () => {
    const { net, x } = setup();
    const shared = sharedGradient(net, x, [0], NO_DEFENCE, 1);
    const losses: number[] = [];
    const r = await invertingGradients(net, shared, {
      iterations: 40,
      seed: 1,
      labels: [0],
      tv: 1e-4,
      progressEvery: 10,
      onProgress: (p) => {
        losses.push(p.loss);
      },
    });
    expect(losses).toHaveLength(4);
    expect(losses[3]).toBeLessThan(losses[0]);
    expect(Math.min(...r.reconstruction)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...r.reconstruction)).toBeLessThanOrEqual(1);
    // stopping from the progress callback ends the attack
    const stopped = await invertingGradients(net, shared, {
      iterations: 40,
      seed: 1,
      labels: [0],
      progressEvery: 5,
      onProgress: () => false,
    });
    expect(stopped.stopped).toBe(true);
    expect(stopped.steps).toBe(5);
    tf.dispose([x, ...shared]);
    disposeLeakNet(net);
  });

  it('cosine distance and total variation have their known values', () => {
    tf.tidy(() => {
      const a = [tf.tensor([1, 0]), tf.tensor([0])];
      expect(cosineDistance(a, [tf.tensor([0, 1]), tf.tensor([0])]).dataSync()[0]).toBeCloseTo(1, 6);
      expect(cosineDistance(a, [tf.tensor([2, 0]), tf.tensor([0])]).dataSync()[0]).toBeCloseTo(0, 6);
      // one 2x2 image [[0, 1], [0, 1]]: horizontal differences 1, 1; vertical 0, 0
      expect(totalVariation(tf.tensor4d([0, 1, 0, 1], [1, 2, 2, 1])).dataSync()[0]).toBeCloseTo(1, 6);
    });
  });
});

describe('defences and metrics', () => {
  it('pruning zeroes exactly the smallest fraction by magnitude', () => {
    const v = Float32Array.from([0.5, -0.1, 3, -2, 0.05, 1]);
    expect(Array.from(prune(v, 0.5))).toEqual([0, 0, 3, -2, 0, 1]);
    expect(Array.from(prune(v, 0))).toEqual(Array.from(v));
  });

  it('noise has the asked standard deviation; clipping bounds the gradient norm; seeds repeat', async () => {
    await tf.setBackend('cpu');
    const { net, x } = setup();
    const clean = sharedGradient(net, x, [1], NO_DEFENCE, 1);
    const noisy = sharedGradient(net, x, [1], { ...NO_DEFENCE, noise: 0.1 }, 1);
    const again = sharedGradient(net, x, [1], { ...NO_DEFENCE, noise: 0.1 }, 1);
    const diff = noisy.flatMap((g, k) => Array.from(g.dataSync()).map((v, i) => v - clean[k].dataSync()[i]));
    const sd = Math.sqrt(diff.reduce((a, d) => a + d * d, 0) / diff.length);
    expect(sd).toBeGreaterThan(0.09);
    expect(sd).toBeLessThan(0.11);
    expect(Array.from(again[0].dataSync())).toEqual(Array.from(noisy[0].dataSync()));
    const clipped = sharedGradient(net, x, [1], { ...NO_DEFENCE, clip: 0.01 }, 1);
    const norm = Math.sqrt(clipped.reduce((a, g) => a + Array.from(g.dataSync()).reduce((s, v) => s + v * v, 0), 0));
    expect(norm).toBeCloseTo(0.01, 5);
    tf.dispose([x, ...clean, ...noisy, ...again, ...clipped]);
    disposeLeakNet(net);
  });

  it('matched MSE pairs a shuffled batch back; PSNR of MSE 1e-3 is 30 dB', () => {
    const rng = new Rng(1);
    const a = Float32Array.from({ length: 12 }, () => rng.next());
    const shuffled = Float32Array.from([...a.slice(8, 12), ...a.slice(0, 4), ...a.slice(4, 8)]);
    const m = matchedMse(a, shuffled, 3);
    expect(m.mse).toEqual([0, 0, 0]);
    expect(m.order).toEqual([1, 2, 0]);
    expect(psnr(1e-3)).toBeCloseTo(30, 10);
  });
});
