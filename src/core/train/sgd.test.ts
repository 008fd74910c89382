import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../engine/node-backend';
import { Sgd } from './sgd';

/** PyTorch's torch.optim.SGD update (dampening 0), in float64, on one weight. */
function reference(w0: number, grads: (w: number) => number, steps: number, lr: number[], m: number, wd: number, nesterov: boolean) {
  let w = w0;
  let b = 0;
  for (let t = 0; t < steps; t++) {
    const g = grads(w) + wd * w;
    b = t === 0 ? g : m * b + g;
    w -= lr[t] * (nesterov ? g + m * b : b);
  }
  return w;
}

describe('Sgd', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  for (const nesterov of [false, true]) {
    it(`follows PyTorch's update with ${nesterov ? 'Nesterov' : 'heavy-ball'} momentum and weight decay`, () => {
      // loss = (w - 3)^2 per weight: gradient 2 (w - 3); two weights, only the first decays
      const v = tf.variable(tf.tensor1d([1, -2]));
      const sgd = new Sgd([v], [true], { momentum: 0.9, nesterov, weightDecay: 0.05 });
      const plain = tf.variable(tf.tensor1d([0.5]));
      const sgdNoDecay = new Sgd([plain], [false], { momentum: 0.9, nesterov, weightDecay: 0.05 });
      const lrs = [0.01, 0.05, 0.1, 0.02, 0.07];
      for (const lr of lrs) {
        for (const [opt, x] of [
          [sgd, v],
          [sgdNoDecay, plain],
        ] as const) {
          const g = tf.tidy(() => tf.mul(tf.sub(x, 3), 2));
          opt.step([g], lr);
          g.dispose();
        }
      }
      const got = Array.from(v.dataSync());
      const grad = (w: number) => 2 * (w - 3);
      expect(got[0]).toBeCloseTo(reference(1, grad, 5, lrs, 0.9, 0.05, nesterov), 5);
      expect(got[1]).toBeCloseTo(reference(-2, grad, 5, lrs, 0.9, 0.05, nesterov), 5);
      expect(plain.dataSync()[0]).toBeCloseTo(reference(0.5, grad, 5, lrs, 0.9, 0, nesterov), 5);
      // the decay moves the weight: without it the answer differs
      expect(Math.abs(got[0] - reference(1, grad, 5, lrs, 0.9, 0, nesterov))).toBeGreaterThan(1e-3);
      sgd.dispose();
      sgdNoDecay.dispose();
      tf.dispose([v, plain]);
    });
  }

  it('saves and restores its momentum: a restored optimiser continues exactly', async () => {
    const opts = { momentum: 0.9, nesterov: true, weightDecay: 5e-4 };
    const a = tf.variable(tf.tensor2d([1, 2, 3, 4], [2, 2]));
    const b = tf.variable(tf.tensor2d([1, 2, 3, 4], [2, 2]));
    const sa = new Sgd([a], [true], opts);
    const g = tf.tensor2d([0.5, -1, 2, 0.25], [2, 2]);
    sa.step([g], 0.1);
    sa.step([g], 0.1);
    const sb = new Sgd([b], [true], opts);
    b.assign(a);
    sb.setState(await sa.state());
    sa.step([g], 0.05);
    sb.step([g], 0.05);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(() => sb.setState([new Float32Array(3)])).toThrow(/does not fit/);
    const before = tf.memory().numTensors;
    sa.step([g], 0.1);
    expect(tf.memory().numTensors).toBe(before);
    // an optimiser made and disposed leaves nothing behind (its buffers' initial zeros included)
    new Sgd([a, b], [true, false], opts).dispose();
    expect(tf.memory().numTensors).toBe(before);
    sa.dispose();
    sb.dispose();
    tf.dispose([a, b, g]);
  });
});
