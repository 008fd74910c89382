/**
 * Gradient leakage differentiates a gradient. Which of TensorFlow.js's and the engine's kernels carry
 * a second derivative: a gradient-matching loss D(x) = sum ||dL/dtheta(x) - g*||^2 is differentiated
 * on the CPU backend (stock kernels) and on the wasm engine (every replacement of src/core/engine/
 * installed: BatchMatMul, Sum/Mean, Tile, Identity, conv gradients), and the directional derivatives
 * compared with central finite differences of D itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../../../../core/models/architectures';
import { initNodeBackend } from '../../../../core/engine/node-backend';
import { squaredDistance } from './attack';
import { disposeLeakNet, leakNetOf, parameterGradients, parameterGradientsByTape, releaseSelections, type LeakNet } from './net';

const SHAPE: [number, number, number] = [8, 8, 2];

type Gradients = typeof parameterGradients;

function matchingLoss(net: LeakNet, target: tf.Tensor[], y: tf.Tensor2D, grads: Gradients) {
  return (x: tf.Tensor) => squaredDistance(grads(net, x as tf.Tensor4D, y), target);
}

/** The analytic gradient of D at x, and D's central differences along three random directions. */
function check(batch: number, grads: Gradients = parameterGradients): { analytic: number[]; directional: number[]; finite: number[] } {
  const model = buildModel('lenet-sigmoid', SHAPE, 4, 5);
  const net = leakNetOf(model);
  model.dispose();
  const out = tf.tidy(() => {
    const y = tf.oneHot(tf.tensor1d([1, 3, 0].slice(0, batch), 'int32'), 4).toFloat() as tf.Tensor2D;
    const x0 = tf.randomUniform([batch, ...SHAPE], 0, 1, 'float32', 11);
    const target = parameterGradients(net, x0 as tf.Tensor4D, y);
    const x = tf.randomUniform([batch, ...SHAPE], 0, 1, 'float32', 12);
    const d = matchingLoss(net, target, y, grads);
    const g = tf.grad(d)(x);
    const directional: number[] = [];
    const finite: number[] = [];
    const h = 1e-2;
    for (let k = 0; k < 3; k++) {
      const v = tf.randomNormal(x.shape, 0, 1, 'float32', 20 + k);
      directional.push(tf.sum(tf.mul(g, v)).dataSync()[0]);
      const plus = d(tf.add(x, tf.mul(v, h))).dataSync()[0];
      const minus = d(tf.sub(x, tf.mul(v, h))).dataSync()[0];
      finite.push((plus - minus) / (2 * h));
    }
    return { analytic: Array.from(g.dataSync()), directional, finite };
  });
  disposeLeakNet(net);
  releaseSelections();
  return out;
}

describe('second-order gradients through the lab engine', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  const results: Record<string, ReturnType<typeof check>> = {};
  for (const batch of [1, 2])
    for (const backend of ['cpu', 'wasm'] as const)
      it(`${backend}${backend === 'wasm' ? ' + engine kernels' : ''}, batch ${batch}: the gradient of a gradient-matching loss equals finite differences`, async () => {
        if (backend === 'wasm') await initNodeBackend('wasm', 1);
        else await tf.setBackend('cpu');
        const r = check(batch);
        results[`${backend}${batch}`] = r;
        r.directional.forEach((a, k) => {
          expect(Math.abs(a)).toBeGreaterThan(1e-4);
          expect(Math.abs(a - r.finite[k])).toBeLessThan(2e-2 * Math.abs(a) + 1e-5);
        });
        if (backend === 'wasm') {
          const cpu = results[`cpu${batch}`].analytic;
          const scale = Math.max(...cpu.map(Math.abs));
          r.analytic.forEach((v, i) => expect(Math.abs(v - cpu[i])).toBeLessThan(1e-3 * scale));
        }
      });

  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it("TensorFlow.js's nested tape (tf.grad of tf.grads) misses terms: why net.ts writes the parameter gradient by hand", async () => {
    await tf.setBackend('cpu');
    const r = check(1, parameterGradientsByTape);
    // the same loss, so the same finite differences; the nested tape's derivative is off by > 10%
    const ok = r.directional.map((a, k) => Math.abs(a - r.finite[k]) < 0.1 * Math.abs(r.finite[k]));
    expect(ok).toContain(false);
  });

  it("tf.conv2d's filter gradient has no gradient in TensorFlow.js (why net.ts writes convolutions as im2col)", async () => {
    await tf.setBackend('cpu');
    const x = tf.randomUniform([1, 6, 6, 1], 0, 1, 'float32', 1);
    const w = tf.randomUniform([3, 3, 1, 2], -0.5, 0.5, 'float32', 2);
    const d = (xx: tf.Tensor) =>
      tf.sum(tf.square(tf.grad((ww: tf.Tensor) => tf.sum(tf.sigmoid(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 2, 'same'))))(w)));
    expect(() => tf.grad(d)(x)).toThrow(/Conv2DBackpropFilter/);
    tf.dispose([x, w]);
  });
});
