import { toyData } from '../../../core/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../../core/engine/node-backend';
import { buildModel } from '../../../core/models/architectures';
import { batchNormalization } from '../../../core/models/batch-norm-layer';
import { Rng } from '../../../core/random';
import { train, type StepContext, type TrainState } from '../../../core/train/train';
import type { Recipe } from '../../../core/train/recipes';
import { holdoutPgd } from '../../attacks/index';
import { hasTrainingModeLayers, recipeStep, tradesAdversary, tradesKlSum, tradesLoss, tradesStep } from './trades';

/** The formula in plain doubles: mean CE + beta * sum_i KL(p_i || q_i) / B. */
function formula(clean: number[][], adv: number[][], y: number[], beta: number): number {
  const logSoftmax = (z: number[]) => {
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
    return z.map((v) => v - lse);
  };
  let ce = 0;
  let kl = 0;
  clean.forEach((z, i) => {
    const lp = logSoftmax(z);
    const lq = logSoftmax(adv[i]);
    ce -= lp[y[i]];
    lp.forEach((l, c) => (kl += Math.exp(l) * (l - lq[c])));
  });
  return ce / clean.length + (beta * kl) / clean.length;
}

const CLEAN = [
  [2.0, -1.0, 0.5],
  [0.1, 0.3, -0.7],
];
const ADV = [
  [0.2, 1.5, -0.3],
  [-1.2, 2.2, 0.4],
];
const Y = [0, 2];

/** Random images in [0, 1] with a seeded generator. */
function images(n: number, seed: number): tf.Tensor4D {
  const rng = new Rng(seed);
  return tf.tensor4d(
    Float32Array.from({ length: n * 784 }, () => rng.next()),
    [n, 28, 28, 1],
  );
}

const toyRecipe: Recipe = {
  id: 'toy-trades',
  dataset: 'mnist',
  architecture: 'cnn-small',
  epochs: 2,
  batchSize: 32,
  learningRate: 2e-3,
  seed: 5,
  holdout: 64,
  adversarial: { method: 'trades', eps: 0.1, alpha: 0.05, steps: 2, beta: 6, epsWarmupEpochs: 0 },
  evaluations: [],
};

describe('TRADES', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  it('the loss is mean CE + beta * summed KL(clean || adversarial) / batch, on hand values', async () => {
    const [c, a, y] = [tf.tensor2d(CLEAN), tf.tensor2d(ADV), tf.tensor1d(Y, 'int32')];
    for (const beta of [0, 1, 6]) {
      const l = tradesLoss(c, a, y, beta);
      expect((await l.data())[0]).toBeCloseTo(formula(CLEAN, ADV, Y, beta), 5);
      l.dispose();
    }
    // the direction: KL(clean || adv), not KL(adv || clean)
    const kl = tradesKlSum(c, a);
    const reversed = formula(ADV, CLEAN, Y, 1) - formula(ADV, CLEAN, Y, 0);
    const forward = formula(CLEAN, ADV, Y, 1) - formula(CLEAN, ADV, Y, 0);
    expect(Math.abs(forward - reversed)).toBeGreaterThan(0.05);
    expect((await kl.data())[0] / 2).toBeCloseTo(forward, 5);
    tf.dispose([c, a, y, kl]);
  });

  it('the gradient flows through the clean prediction in the KL term (not detached)', async () => {
    const beta = 6;
    const [a, y] = [tf.tensor2d(ADV), tf.tensor1d(Y, 'int32')];
    const g = tf.grad((c: tf.Tensor) => tradesLoss(c as tf.Tensor2D, a, y, beta))(tf.tensor2d(CLEAN));
    const got = (await g.array()) as number[][];
    const h = 1e-4;
    CLEAN.forEach((row, i) =>
      row.forEach((_, j) => {
        const plus = CLEAN.map((r) => [...r]);
        const minus = CLEAN.map((r) => [...r]);
        plus[i][j] += h;
        minus[i][j] -= h;
        const numeric = (formula(plus, ADV, Y, beta) - formula(minus, ADV, Y, beta)) / (2 * h);
        expect(got[i][j]).toBeCloseTo(numeric, 3);
      }),
    );
    tf.dispose([a, y, g]);
  });

  it('the inner maximisation increases the KL and stays in the eps ball and [0, 1]', async () => {
    const model = buildModel('cnn-small', [28, 28, 1], 10, 3);
    const x = images(16, 1);
    const eps = 0.1;
    const klAt = async (xa: tf.Tensor4D) => {
      const k = tf.tidy(() => tradesKlSum(model.apply(x) as tf.Tensor2D, model.apply(xa) as tf.Tensor2D));
      const v = (await k.data())[0];
      k.dispose();
      return v;
    };
    const start = await tradesAdversary(model, x, { eps, stepSize: 0.03, steps: 0 }, 7);
    const one = await tradesAdversary(model, x, { eps, stepSize: 0.03, steps: 1 }, 7);
    const ten = await tradesAdversary(model, x, { eps, stepSize: 0.03, steps: 10 }, 7);
    const [k0, k1, k10] = [await klAt(start), await klAt(one), await klAt(ten)];
    expect(k1).toBeGreaterThan(10 * k0);
    expect(k10).toBeGreaterThan(k1);
    // the start is x + 0.001 N(0, 1)
    const d0 = tf.tidy(() => tf.sub(start, tf.clipByValue(x, 0, 1)));
    const sd = tf.tidy(() => tf.sqrt(tf.mean(tf.square(d0))));
    expect((await sd.data())[0]).toBeGreaterThan(0.0007);
    expect((await sd.data())[0]).toBeLessThan(0.0013);
    const dist = tf.tidy(() => tf.max(tf.abs(tf.sub(ten, x))));
    const [lo, hi] = [tf.min(ten), tf.max(ten)];
    expect((await dist.data())[0]).toBeLessThanOrEqual(eps + 1e-6);
    expect((await dist.data())[0]).toBeGreaterThan(eps - 1e-6);
    expect((await lo.data())[0]).toBeGreaterThanOrEqual(0);
    expect((await hi.data())[0]).toBeLessThanOrEqual(1);
    tf.dispose([x, start, one, ten, d0, sd, dist, lo, hi]);
    model.dispose();
  });

  it('a step minimises the TRADES loss at the adversary it crafted, and leaks no tensors', async () => {
    const model = buildModel('cnn-small', [28, 28, 1], 10, 4);
    const x = images(8, 2);
    const y = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
    const opt = tf.train.adam(1e-3);
    const settings = { eps: 0.1, stepSize: 0.05, steps: 3, beta: 6 };
    const ctx = (rng: Rng): StepContext => ({
      model,
      x,
      y,
      learningRate: 1e-3,
      apply: (f) => opt.minimize(f, true)!,
      labelSmoothing: 0,
      rng,
      adversarial: {
        method: 'trades',
        eps: settings.eps,
        alpha: settings.stepSize,
        steps: settings.steps,
        beta: settings.beta,
        crafter: null!,
      },
    });
    // the loss it reports is the loss at the adversary drawn from the same seed, before the update
    const seed = new Rng(11).seed();
    const xAdv = await tradesAdversary(model, x, settings, seed);
    const expected = tf.tidy(() => tradesLoss(model.apply(x) as tf.Tensor2D, model.apply(xAdv) as tf.Tensor2D, y, 6));
    const want = (await expected.data())[0];
    tf.dispose([xAdv, expected]);
    const got = await tradesStep(ctx(new Rng(11)));
    expect(got).toBeCloseTo(want, 4);
    // the update lowered it
    const xAdv2 = await tradesAdversary(model, x, settings, seed);
    const after = tf.tidy(() => tradesLoss(model.apply(x) as tf.Tensor2D, model.apply(xAdv2) as tf.Tensor2D, y, 6));
    expect((await after.data())[0]).toBeLessThan(want);
    tf.dispose([xAdv2, after]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await tradesStep(ctx(new Rng(20 + i)));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    opt.dispose();
    model.dispose();
  });

  it("with batch norm: the inner loop leaves the moving statistics alone; the outer loss moves them thrice (f(x), f(x'), f(x))", async () => {
    const momentum = 0.9;
    const m = tf.sequential();
    m.add(batchNormalization({ momentum, inputShape: [28, 28, 1] }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
    expect(hasTrainingModeLayers(m)).toBe(true);
    expect(hasTrainingModeLayers(buildModel('cnn-small', [28, 28, 1], 10, 1))).toBe(false);
    const movingMean = () =>
      (
        m.layers
          .find((l) => l.getClassName() === 'BatchNormalization')!
          .getWeights()[2]
          .dataSync() as Float32Array
      )[0];
    const x = images(8, 3);
    const y = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
    const settings = { eps: 0.1, stepSize: 0.05, steps: 2, beta: 6 };
    const m0 = movingMean();
    const seed = new Rng(5).seed();
    const xAdv = await tradesAdversary(m, x, settings, seed);
    expect(movingMean()).toBe(m0);
    // the batch means that the first (and only channel's) batch norm sees: the images themselves
    const [muX, muAdv] = [(await tf.mean(x).data())[0], (await tf.mean(xAdv).data())[0]];
    xAdv.dispose();
    const opt = tf.train.sgd(0);
    await tradesStep({
      model: m,
      x,
      y,
      learningRate: 0,
      apply: (f) => opt.minimize(f, true)!,
      labelSmoothing: 0,
      rng: new Rng(5),
      adversarial: {
        method: 'trades',
        eps: settings.eps,
        alpha: settings.stepSize,
        steps: settings.steps,
        beta: settings.beta,
        crafter: null!,
      },
    });
    let expected = m0;
    for (const mu of [muX, muAdv, muX]) expected -= (expected - mu) * (1 - momentum);
    expect(movingMean()).toBeCloseTo(expected, 5);
    // twice (clean only once) would differ measurably
    let twice = m0;
    for (const mu of [muX, muAdv]) twice -= (twice - mu) * (1 - momentum);
    expect(Math.abs(twice - expected)).toBeGreaterThan(1e-3);
    tf.dispose([x, y]);
    opt.dispose();
    m.dispose();
  });

  it('trains in the shared loop (checkpoint by holdout PGD), needs its step, and resumes bit for bit', async () => {
    const data = toyData(256, 1);
    await expect(train(toyRecipe, data, { holdoutAttack: holdoutPgd })).rejects.toThrow(/TRADES/);
    const whole = await train(toyRecipe, data, { holdoutAttack: holdoutPgd, step: recipeStep });
    expect(whole.history.map((h) => h.holdoutRobust)).not.toContain(null);
    expect(whole.history[1].holdoutClean).toBeGreaterThan(0.5);
    let saved: TrainState | null = null;
    const store = { load: async () => saved, save: async (s: TrainState) => void (saved = s) };
    await train(toyRecipe, data, { holdoutAttack: holdoutPgd, step: recipeStep, checkpoint: store, stopAfterEpoch: 1 });
    const resumed = await train(toyRecipe, data, { holdoutAttack: holdoutPgd, step: recipeStep, checkpoint: store });
    expect(resumed.model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(
      whole.model.getWeights().map((w) => Array.from(w.dataSync())),
    );
    whole.model.dispose();
    resumed.model.dispose();
  });
});
