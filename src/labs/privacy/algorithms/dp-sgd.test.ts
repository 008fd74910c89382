import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../../core/engine/node-backend';
import { Rng } from '../../../core/random';
import { toyData } from '../../../core/test-utils';
import { batchTensor } from '../../../core/data/batches';
import { buildModel } from '../../../core/models/architectures';
import { train } from '../../../core/train/train';
import type { Recipe } from '../../../core/train/recipes';
import { dpGradient, dpSgdTraining, expectedBatchSize, poissonSampler, poissonSteps } from './dp-sgd';

const dpRecipe = (dp: NonNullable<Recipe['dp']>, epochs = 1): Recipe => ({
  id: 'toy-dp',
  dataset: 'mnist',
  architecture: 'cnn-opacus',
  epochs,
  batchSize: Math.round(dp.sampleRate * 96),
  learningRate: 0.25,
  schedule: 'constant',
  optimizer: { kind: 'sgd', momentum: 0, nesterov: false, weightDecay: 0 },
  seed: 3,
  holdout: 0,
  dp,
  evaluations: [],
});

const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

describe('DP-SGD', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm', 1);
  });

  it('Poisson sampling: floor(1/q) batches, each image in with probability q, sizes varying, empty batches possible, seeded', () => {
    expect(poissonSteps(0.004)).toBe(250);
    expect(poissonSteps(0.1)).toBe(10);
    expect(expectedBatchSize(60000, 0.004)).toBe(240);
    const s = poissonSampler(0.05);
    const a = s.draw(2000, new Rng(1));
    const b = s.draw(2000, new Rng(1));
    expect(a.length).toBe(20);
    expect(a.map((x) => Array.from(x))).toEqual(b.map((x) => Array.from(x)));
    const sizes = a.map((x) => x.length);
    const mean = sizes.reduce((p, v) => p + v, 0) / sizes.length;
    // binomial(2000, 0.05): mean 100, sd 9.7; the mean of 20 draws is within 4 of 100 with > 99.9%
    expect(Math.abs(mean - 100)).toBeLessThan(8);
    expect(new Set(sizes).size).toBeGreaterThan(5);
    for (const x of a) for (let i = 1; i < x.length; i++) expect(x[i]).toBeGreaterThan(x[i - 1]);
    // at q = 0.001 on 100 images, most batches are empty
    const tiny = poissonSampler(0.001).draw(100, new Rng(2));
    expect(tiny.filter((x) => x.length === 0).length).toBeGreaterThan(800);
  });

  it('with sigma 0 and a huge C, the gradient is the mean gradient; a small C bounds every example', () => {
    const model = buildModel('cnn-opacus', [28, 28, 1], 10, 4);
    const data = toyData(12, 4);
    const { x, y } = batchTensor(
      data,
      Array.from({ length: 12 }, (_, i) => i),
    );
    const seeds = model.trainableWeights.map((_, i) => i + 1);
    const plain = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(tf.oneHot(y, 10), model.apply(x) as tf.Tensor2D) as tf.Scalar,
      model.trainableWeights.map((w) => w.read() as tf.Variable),
    );
    const r = dpGradient(model, x, y, { noiseMultiplier: 0, clip: 1e6, sampleRate: 0.5 }, 12, seeds);
    model.trainableWeights.forEach((w, i) => {
      const want = plain.grads[(w.read() as tf.Variable).name].dataSync();
      const got = r.grads[i].dataSync();
      let worst = 0;
      for (let j = 0; j < want.length; j++) worst = Math.max(worst, Math.abs(got[j] - want[j]));
      expect(worst).toBeLessThan(1e-5 + 1e-3 * Math.max(...Array.from(want, Math.abs)));
    });
    expect(r.loss.dataSync()[0]).toBeCloseTo(plain.value.dataSync()[0], 4);
    // C = 0.01: every example's clipped gradient has norm <= C, so the sum's is <= 12 C
    const small = dpGradient(model, x, y, { noiseMultiplier: 0, clip: 0.01, sampleRate: 0.5 }, 12, seeds);
    expect(Math.min(...small.norms.dataSync())).toBeGreaterThan(0.01);
    expect(small.sumNorm.dataSync()[0]).toBeLessThanOrEqual(12 * 0.01 * (1 + 1e-5));
    // an empty batch gives noise alone: std sigma C / expected per coordinate
    const empty = dpGradient(model, x.slice(0, 0), y.slice(0, 0), { noiseMultiplier: 2, clip: 0.5, sampleRate: 0.5 }, 4, seeds);
    const v = Array.from(empty.grads[2].dataSync() as Float32Array);
    const sd = Math.sqrt(v.reduce((p, a) => p + a * a, 0) / v.length);
    expect(sd).toBeGreaterThan(0.25 * 0.9);
    expect(sd).toBeLessThan(0.25 * 1.1);
    tf.dispose([x, y, plain.value, ...Object.values(plain.grads)]);
    for (const g of [r, small, empty]) tf.dispose([...g.grads, g.loss, g.norms, g.sumNorm, g.noiseNorm]);
    model.dispose();
  });

  it('in the training loop: sigma 0, huge C and q = 1 is one plain SGD step on the mean gradient', async () => {
    const data = toyData(24, 5);
    const recipe = dpRecipe({ noiseMultiplier: 0, clip: 1e6, sampleRate: 1 });
    const dp = await train(recipe, data, dpSgdTraining(recipe.dp!));
    // the same initialisation (train() draws the init seed first from the recipe's seed) and one SGD step
    const init = buildModel('cnn-opacus', [28, 28, 1], 10, new Rng(recipe.seed).seed());
    const { x, y } = batchTensor(
      data,
      Array.from({ length: 24 }, (_, i) => i),
    );
    const vars = init.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(tf.oneHot(y, 10), init.apply(x) as tf.Tensor2D) as tf.Scalar,
      vars,
    );
    const want = vars.map((v) => Array.from(tf.sub(v, tf.mul(grads[v.name], 0.25)).dataSync()));
    const got = weightsOf(dp.model);
    want.forEach((w, i) => {
      let worst = 0;
      for (let j = 0; j < w.length; j++) worst = Math.max(worst, Math.abs(got[i][j] - w[j]));
      expect(worst).toBeLessThan(1e-4);
    });
    tf.dispose([x, y, value, ...Object.values(grads)]);
    init.dispose();
    dp.model.dispose();
  });

  it('seeded runs repeat bit for bit, noise changes the weights, and tf.memory stays flat', async () => {
    const data = toyData(96, 6);
    const recipe = dpRecipe({ noiseMultiplier: 1.1, clip: 1, sampleRate: 0.125 });
    const a = await train(recipe, data, dpSgdTraining(recipe.dp!));
    const before = tf.memory().numTensors;
    const b = await train(recipe, data, dpSgdTraining(recipe.dp!));
    expect(weightsOf(b.model)).toEqual(weightsOf(a.model));
    b.model.dispose();
    // the loop's own tensors are gone once the returned model is disposed
    expect(tf.memory().numTensors).toBe(before);
    const c = await train({ ...recipe, seed: 4 }, data, dpSgdTraining(recipe.dp!));
    expect(weightsOf(c.model)).not.toEqual(weightsOf(a.model));
    expect(a.history[0].trainLoss).toBeGreaterThan(0);
    a.model.dispose();
    c.model.dispose();
  });

  it('train() refuses a DP recipe without its step and sampler', async () => {
    const recipe = dpRecipe({ noiseMultiplier: 1, clip: 1, sampleRate: 0.5 });
    await expect(train(recipe, toyData(8, 1))).rejects.toThrow(/DP-SGD/);
  });
});
