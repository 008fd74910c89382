import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../../core/engine/node-backend';
import { clippedGradientSum, perExampleGradients, perExampleNorms, unfold, unfoldTransposed } from './per-example';

/** Convolutions with stride, same padding with an odd remainder, an even kernel, no bias; pooling; dense layers (TensorFlow.js has no gradient of a dilated convolution). */
function testModel(seed: number): tf.Sequential {
  const init = (s: number) => tf.initializers.glorotNormal({ seed: seed + s });
  const bias = (s: number) => tf.initializers.randomNormal({ seed: seed + 100 + s, stddev: 0.1 });
  const m = tf.sequential();
  // 11x11 with k 4, stride 2, same: output 6, total padding 3 (1 before, 2 after)
  m.add(
    tf.layers.conv2d({
      inputShape: [11, 11, 2],
      filters: 4,
      kernelSize: 4,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(1),
      biasInitializer: bias(1),
    }),
  );
  m.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 1 }));
  m.add(
    tf.layers.conv2d({
      filters: 3,
      kernelSize: [2, 3],
      padding: 'valid',
      activation: 'tanh',
      kernelInitializer: init(2),
      biasInitializer: bias(2),
    }),
  );
  m.add(tf.layers.conv2d({ filters: 5, kernelSize: 2, padding: 'same', useBias: false, activation: 'relu', kernelInitializer: init(3) }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 6, activation: 'sigmoid', kernelInitializer: init(4), biasInitializer: bias(4) }));
  m.add(tf.layers.dense({ units: 4, kernelInitializer: init(5), biasInitializer: bias(5) }));
  return m;
}

/** The slow reference: one tf.variableGrads per example. */
function loopGradients(model: tf.LayersModel, x: tf.Tensor4D, y: tf.Tensor1D): number[][][] {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const out: number[][][] = vars.map(() => []);
  for (let i = 0; i < x.shape[0]; i++) {
    tf.tidy(() => {
      const xi = tf.slice(x, [i, 0, 0, 0], [1, -1, -1, -1]);
      const yi = tf.oneHot(tf.cast(tf.slice(y, [i], [1]), 'int32'), 4);
      const { grads } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(yi, model.apply(xi) as tf.Tensor2D, undefined, 0, tf.Reduction.SUM) as tf.Scalar,
        vars,
      );
      vars.forEach((v, k) => out[k].push(Array.from(grads[v.name].dataSync())));
    });
  }
  return out;
}

function data(n: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  return {
    x: tf.randomNormal([n, 11, 11, 2], 0, 1, 'float32', 7) as tf.Tensor4D,
    y: tf.tensor1d([0, 3, 1, 2, 2, 1, 0].slice(0, n), 'int32'),
  };
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1e-3 + Math.abs(b[i])));
  expect(worst).toBeLessThan(tol);
};

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`per-example gradients on ${backend} (with the engine's kernels)`, () => {
    beforeAll(async () => {
      await initNodeBackend(backend, 1);
    });
    afterAll(async () => {
      await tf.setBackend('wasm');
    });

    it('equal a loop of single-example gradients on dense and conv layers (stride, padding, no bias)', () => {
      const model = testModel(1);
      const { x, y } = data(5);
      const ref = loopGradients(model, x, y);
      const { grads, losses } = perExampleGradients(model, x, y);
      expect(grads.length).toBe(model.trainableWeights.length);
      grads.forEach((g, k) => {
        expect(g.shape).toEqual([5, ...model.trainableWeights[k].shape]);
        close(g.dataSync(), ref[k].flat(), 2e-3);
      });
      // the losses are the per-example cross-entropies
      const logits = model.predict(x) as tf.Tensor2D;
      close(losses.dataSync(), tf.losses.softmaxCrossEntropy(tf.oneHot(y, 4), logits, undefined, 0, tf.Reduction.NONE).dataSync(), 1e-4);
      // norms over all weights equal the loop's
      const norms = perExampleNorms(grads).dataSync();
      const refNorms = [0, 1, 2, 3, 4].map((i) => Math.sqrt(ref.reduce((s, w) => s + w[i].reduce((t, v) => t + v * v, 0), 0)));
      close(norms, refNorms, 1e-3);
      tf.dispose([...grads, losses, logits, x, y]);
      model.dispose();
    });

    it('clips each example to norm C and sums, as the loop would', () => {
      const model = testModel(2);
      const { x, y } = data(5);
      const ref = loopGradients(model, x, y);
      const refNorms = [0, 1, 2, 3, 4].map((i) => Math.sqrt(ref.reduce((s, w) => s + w[i].reduce((t, v) => t + v * v, 0), 0)));
      // a C between the smallest and the largest norm: some examples are clipped, some not
      const sorted = [...refNorms].sort((a, b) => a - b);
      const clip = (sorted[1] + sorted[3]) / 2;
      const factors = refNorms.map((nrm) => Math.min(1, clip / (nrm + 1e-6)));
      const { sum, norms, losses } = clippedGradientSum(model, x, y, clip);
      close(norms.dataSync(), refNorms, 1e-3);
      sum.forEach((s, k) => {
        const expected = ref[k][0].map((_, j) => ref[k].reduce((t, g, i) => t + factors[i] * g[j], 0));
        close(s.dataSync(), expected, 2e-3);
      });
      // each clipped example's norm is at most C: clip one example at a time
      for (let i = 0; i < 5; i++) {
        const one = clippedGradientSum(model, x.slice(i, 1), y.slice(i, 1), clip);
        const n1 = Math.sqrt(one.sum.reduce((t, g) => t + tf.sum(tf.square(g)).dataSync()[0], 0));
        expect(n1).toBeLessThanOrEqual(clip * (1 + 1e-4));
        if (refNorms[i] > clip) expect(n1).toBeGreaterThan(clip * 0.999);
        tf.dispose([...one.sum, one.norms, one.losses]);
      }
      tf.dispose([...sum, norms, losses, x, y]);
      model.dispose();
    });

    it("unfolds as the gather does (the wasm engine's own kernel)", () => {
      const a = tf.randomNormal([2, 7, 6, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
      for (const g of [
        { kh: 3, kw: 2, strides: [2, 1] as [number, number], dilation: [1, 1] as [number, number], padding: 'same' as const },
        { kh: 4, kw: 4, strides: [2, 2] as [number, number], dilation: [1, 1] as [number, number], padding: 'valid' as const },
      ]) {
        const ref = tf.transpose(unfold(a, g), [0, 2, 1]);
        const got = unfoldTransposed(a, g);
        expect(got.shape).toEqual(ref.shape);
        expect(Array.from(got.dataSync())).toEqual(Array.from(ref.dataSync()));
        tf.dispose([ref, got]);
      }
      a.dispose();
    });

    it('leaves no tensors behind', () => {
      const model = testModel(3);
      const { x, y } = data(4);
      const run = () => {
        const a = perExampleGradients(model, x, y);
        tf.dispose([...a.grads, a.losses]);
        const b = clippedGradientSum(model, x, y, 0.5);
        tf.dispose([...b.sum, b.norms, b.losses]);
      };
      run();
      const before = tf.memory().numTensors;
      for (let k = 0; k < 3; k++) run();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, y]);
      model.dispose();
    });
  });
}

describe('per-example gradients refuse what they cannot compute', () => {
  it('a batch-normalised model', async () => {
    await initNodeBackend('wasm', 1);
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3 }));
    m.add(tf.layers.batchNormalization());
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 2 }));
    const x = tf.zeros([2, 6, 6, 1]) as tf.Tensor4D;
    const y = tf.tensor1d([0, 1], 'int32');
    expect(() => perExampleGradients(m, x, y)).toThrow(/BatchNormalization/);
    tf.dispose([x, y]);
    m.dispose();
  });
});
