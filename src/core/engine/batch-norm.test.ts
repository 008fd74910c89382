import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from './node-backend';
import { batchNormalization } from '../models/batch-norm-layer';
import { serializeLayersModel, loadLayersModel } from '../models/io';

/** conv -> batch norm -> relu -> dense, with the given batch-norm layer; weights from a seed. */
function model(bn: tf.layers.Layer): tf.Sequential {
  const m = tf.sequential();
  m.add(
    tf.layers.conv2d({
      inputShape: [6, 5, 3],
      filters: 7,
      kernelSize: 3,
      padding: 'same',
      useBias: false,
      kernelInitializer: tf.initializers.heNormal({ seed: 1 }),
    }),
  );
  m.add(bn);
  m.add(tf.layers.reLU());
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
  // gamma and beta away from 1 and 0, so a gradient that ignores them shows
  const [g, b, mm, mv] = bn.getWeights();
  bn.setWeights([tf.randomUniform(g.shape, 0.5, 1.5, 'float32', 3), tf.randomNormal(b.shape, 0, 0.3, 'float32', 4), mm, mv]);
  return m;
}

/** Training-mode loss, every weight's gradient and the input gradient, then the moving statistics. */
function run(m: tf.Sequential): { loss: number; grads: number[][]; moving: number[][] } {
  return tf.tidy(() => {
    const x = tf.randomNormal([8, 6, 5, 3], 0.3, 2, 'float32', 5);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32'), 4);
    const f = (xx: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, m.apply(xx, { training: true }) as tf.Tensor) as tf.Scalar;
    const { value, grads } = tf.variableGrads(() => f(x));
    const dx = tf.grad(f)(x);
    const names = Object.keys(grads).sort();
    const moving = m.layers[1].getWeights().slice(2);
    return {
      loss: value.dataSync()[0],
      grads: [...names.map((k) => Array.from(grads[k].dataSync())), Array.from(dx.dataSync())],
      moving: moving.map((w) => Array.from(w.dataSync())),
    };
  });
}

const worst = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]) / (1e-3 + Math.abs(b[i]))));

describe('batch normalisation with the closed-form gradient', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm', 1);
  });
  afterAll(async () => {
    await tf.setBackend('wasm');
  });

  for (const backend of ['wasm', 'cpu'])
    it(`trains like TensorFlow.js's own layer on ${backend}: same loss, gradients (input and every weight) and moving statistics`, async () => {
      await tf.setBackend(backend);
      const stock = model(tf.layers.batchNormalization({ momentum: 0.9 }));
      const fused = model(batchNormalization({ momentum: 0.9 }));
      const a = run(stock);
      const b = run(fused);
      expect(b.loss).toBeCloseTo(a.loss, 5);
      expect(b.grads.length).toBe(a.grads.length);
      b.grads.forEach((g, i) => expect(worst(g, a.grads[i])).toBeLessThan(2e-3));
      b.moving.forEach((g, i) => expect(worst(g, a.moving[i])).toBeLessThan(1e-5));
      // the moving statistics moved (from 0 and 1)
      expect(b.moving[0].some((v) => Math.abs(v) > 1e-3)).toBe(true);
      stock.dispose();
      fused.dispose();
    });

  it('leaves inference to the stock layer and saves as a stock BatchNormalization', async () => {
    await tf.setBackend('wasm');
    const m = model(batchNormalization());
    const x = tf.randomNormal([2, 6, 5, 3], 0, 1, 'float32', 6);
    const { modelJson, weights } = await serializeLayersModel(m);
    expect(JSON.parse(modelJson).modelTopology.config.layers[1].class_name).toBe('BatchNormalization');
    const loaded = await loadLayersModel(new TextEncoder().encode(modelJson), async () => weights);
    const [p, q] = [m, loaded.model].map((mm) => Array.from((mm.predict(x) as tf.Tensor).dataSync()));
    expect(q).toEqual(p);
    tf.dispose([x]);
    m.dispose();
    loaded.model.dispose();
  });

  it('leaks no tensors', async () => {
    await tf.setBackend('wasm');
    const m = model(batchNormalization());
    run(m);
    const before = tf.memory().numTensors;
    run(m);
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });
});
