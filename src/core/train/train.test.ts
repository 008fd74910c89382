import { toyData } from '../test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../engine/node-backend';
import { Rng } from '../random';
import { batchTensor } from '../data/batches';
import type { LabeledImages } from '../data/types';
import { learningRateAt, oneCycle, train, type TrainState } from './train';
import type { Recipe } from './recipes';
// the holdout robustness of adversarial recipes is measured with the attacks lab's PGD (tests may reach into labs)
import { holdoutPgd } from '../../labs/attacks/index';

/** train() with the zoo's holdout attack (adversarial recipes need one). */
const trainWithProbe = (r: Recipe, d: LabeledImages, o: Parameters<typeof train>[2] = {}) =>
  train(r, d, { holdoutAttack: holdoutPgd, ...o });

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
    const a = await trainWithProbe(recipe, data);
    const b = await trainWithProbe(recipe, data);
    const wa = a.model.getWeights().map((w) => Array.from(w.dataSync()));
    const wb = b.model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(wa).toEqual(wb);
    expect(a.history[a.history.length - 1].holdoutClean).toBeGreaterThan(0.9);
    expect(a.history[0].holdoutRobust).not.toBeNull();
    const c = await trainWithProbe({ ...recipe, seed: 6 }, data);
    expect(c.model.getWeights()[0].dataSync()[0]).not.toBe(wa[0][0]);
    for (const m of [a, b, c]) m.model.dispose();
    expect(tf.memory().numTensors).toBeLessThan(50);
  });

  it('PGD adversarial training learns the task and differs from FGSM-RS', async () => {
    const data = toyData(256, 3);
    const pgdRecipe: Recipe = { ...recipe, adversarial: { method: 'pgd', eps: 0.1, alpha: 0.04, steps: 3, epsWarmupEpochs: 1 } };
    const a = await trainWithProbe(pgdRecipe, data);
    const b = await trainWithProbe(recipe, data);
    expect(a.history[a.history.length - 1].holdoutClean).toBeGreaterThan(0.9);
    expect(a.history[a.history.length - 1].holdoutRobust).not.toBeNull();
    expect(Array.from(a.model.getWeights()[0].dataSync())).not.toEqual(Array.from(b.model.getWeights()[0].dataSync()));
    a.model.dispose();
    b.model.dispose();
  });

  it('a run stopped after an epoch and resumed ends with the same weights, bit for bit', async () => {
    const data = toyData(256, 2);
    const r = { ...recipe, augment: { padCrop: 2, flip: true } };
    const whole = await trainWithProbe(r, data);
    let state: TrainState | null = null;
    const store = {
      load: async () => state,
      save: async (s: TrainState) => {
        state = structuredClone(s);
      },
    };
    const first = await trainWithProbe(r, data, { checkpoint: store, stopAfterEpoch: 1 });
    expect(first.complete).toBe(false);
    expect(state!.epochsDone).toBe(1);
    first.model.dispose();
    const before = tf.memory().numTensors;
    const resumed = await trainWithProbe(r, data, { checkpoint: store });
    expect(resumed.complete).toBe(true);
    expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2]);
    const wa = whole.model.getWeights().map((w) => Array.from(w.dataSync()));
    const wb = resumed.model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(wb).toEqual(wa);
    resumed.model.dispose();
    whole.model.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
    // a state of another recipe is refused, not silently used
    await expect(trainWithProbe({ ...r, id: 'other' }, data, { checkpoint: store })).rejects.toThrow(/saved run is of toy/);
    // so is a state of the same recipe with other settings (here the learning rate)
    await expect(trainWithProbe({ ...r, learningRate: 1e-3 }, data, { checkpoint: store })).rejects.toThrow(/other recipe settings/);
  });

  it('a fine-tuning phase goes on from a finished run of the recipe without it, bit for bit like one whole run', async () => {
    const data = toyData(256, 4);
    const ft: Recipe = {
      ...recipe,
      fineTune: { epochs: 1, learningRate: 1e-3, adversarial: { method: 'pgd', eps: 0.1, alpha: 0.04, steps: 3 } },
    };
    let state: TrainState | null = null;
    const store = {
      load: async () => state,
      save: async (s: TrainState) => {
        state = structuredClone(s);
      },
    };
    const whole = await trainWithProbe(ft, data, { checkpoint: store });
    expect(whole.history.map((h) => [h.epoch, h.eps])).toEqual([
      [1, 0.1],
      [2, 0.1],
      [3, 0.1],
    ]);
    const wholeLast = state!.weights.map((w) => Array.from(w));
    state = null;
    const base = await trainWithProbe(recipe, data, { checkpoint: store });
    const baseLast = state!.weights.map((w) => Array.from(w));
    // the phase trains: its last weights are not the base run's
    expect(wholeLast).not.toEqual(baseLast);
    const resumed = await trainWithProbe(ft, data, { checkpoint: store });
    expect(resumed.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(state!.weights.map((w) => Array.from(w))).toEqual(wholeLast);
    expect(resumed.selectedEpoch).toBe(whole.selectedEpoch);
    // a run that went into the phase is not taken for a run of the recipe without it
    await expect(trainWithProbe(recipe, data, { checkpoint: store })).rejects.toThrow(/other recipe settings/);
    for (const m of [whole, base, resumed]) m.model.dispose();
  });

  it('a run saved within an epoch, or cancelled, resumes from that batch to the same weights, bit for bit', async () => {
    const data = toyData(256, 7); // 192 training images: 6 batches per epoch
    const r: Recipe = {
      ...recipe,
      augment: { padCrop: 2, flip: true },
      learningRate: 0.05,
      optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 5e-4 },
    };
    const weights = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
    const whole = await trainWithProbe(r, data);
    const states: TrainState[] = [];
    const recording = { load: async () => null, save: async (s: TrainState) => void states.push(structuredClone(s)) };
    const saving = await trainWithProbe(r, data, { checkpoint: recording, saveEvery: { batches: 4 } });
    // saving changes nothing, and happens after batch 4 of each epoch and at each epoch's end
    expect(weights(saving.model)).toEqual(weights(whole.model));
    expect(states.map((s) => [s.epochsDone, s.step, s.partial?.batches])).toEqual([
      [0, 4, 4],
      [1, 6, undefined],
      [1, 10, 4],
      [2, 12, undefined],
    ]);
    for (const within of [states[0], states[2]]) {
      const before = tf.memory().numTensors;
      let state: TrainState | null = structuredClone(within);
      const store = { load: async () => state, save: async (s: TrainState) => void (state = structuredClone(s)) };
      const resumed = await trainWithProbe(r, data, { checkpoint: store });
      expect(weights(resumed.model)).toEqual(weights(whole.model));
      expect(resumed.history.map((h) => [h.epoch, h.trainLoss, h.holdoutClean, h.holdoutRobust])).toEqual(
        whole.history.map((h) => [h.epoch, h.trainLoss, h.holdoutClean, h.holdoutRobust]),
      );
      resumed.model.dispose();
      expect(tf.memory().numTensors).toBeLessThanOrEqual(before);
    }
    // cancelled after the 9th step (batch 3 of epoch 2): saved there, and it resumes to the same end
    let state: TrainState | null = null;
    const store = { load: async () => state, save: async (s: TrainState) => void (state = structuredClone(s)) };
    const stop = new AbortController();
    await expect(
      trainWithProbe(r, data, { checkpoint: store, signal: stop.signal, onBatch: (step) => step === 8 && stop.abort() }),
    ).rejects.toThrow(/cancelled/);
    expect([state!.epochsDone, state!.step, state!.partial?.batches]).toEqual([1, 9, 3]);
    const resumed = await trainWithProbe(r, data, { checkpoint: store });
    expect(weights(resumed.model)).toEqual(weights(whole.model));
    for (const m of [whole, saving, resumed]) m.model.dispose();
  });

  it('a batch-normalised network learns, moves its running statistics and resumes bit for bit', async () => {
    const data = toyData(256, 4);
    const r: Recipe = { ...recipe, architecture: 'vgg-cifar-bn', adversarial: undefined };
    const whole = await trainWithProbe(r, data);
    expect(whole.history[whole.history.length - 1].holdoutClean).toBeGreaterThan(0.9);
    const bn = whole.model.layers.find((l) => l.getClassName() === 'BatchNormalization')!;
    const [, , movingMean, movingVar] = bn.getWeights().map((w) => Array.from(w.dataSync()));
    expect(movingMean.some((v) => v !== 0)).toBe(true); // initialised to 0
    expect(movingVar.some((v) => v !== 1)).toBe(true); // initialised to 1
    let state: TrainState | null = null;
    const store = { load: async () => state, save: async (s: TrainState) => void (state = structuredClone(s)) };
    (await trainWithProbe(r, data, { checkpoint: store, stopAfterEpoch: 1 })).model.dispose();
    const resumed = await trainWithProbe(r, data, { checkpoint: store });
    expect(resumed.model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(
      whole.model.getWeights().map((w) => Array.from(w.dataSync())),
    );
    resumed.model.dispose();
    whole.model.dispose();
  });

  it("crafting in training mode moves the running statistics in the attack too; batch-norm momentum is the recipe's", async () => {
    const data = toyData(80, 7);
    const base: Recipe = { ...recipe, architecture: 'vgg-cifar-bn', epochs: 1, holdout: 16, batchNormMomentum: 0.9 };
    // one step: 64 training images in one batch
    // (at a tiny eps, so that every pass sees nearly the same batch)
    const one: Recipe = { ...base, batchSize: 64, adversarial: { method: 'fgsm-rs', eps: 1e-4, alpha: 1.25e-4, epsWarmupEpochs: 1 } };
    const movingMean = (m: tf.LayersModel) => {
      const bn = m.layers.find((l) => l.getClassName() === 'BatchNormalization')!;
      return { momentum: bn.getConfig().momentum, mean: Array.from(bn.getWeights()[2].dataSync()) };
    };
    const inference = await trainWithProbe(one, data);
    const training = await trainWithProbe({ ...one, adversarial: { ...one.adversarial!, craftIn: 'training' } }, data);
    const a = movingMean(inference.model);
    const b = movingMean(training.model);
    expect(a.momentum).toBe(0.9);
    expect(b.momentum).toBe(0.9);
    // from 0, inference crafting leaves the step's update only: 0.1 x the batch mean. Crafting in training mode
    // adds the attack's pass before it: 0.9 x 0.1 x the attack's batch mean + 0.1 x the step's, about 0.19 x it
    const large = a.mean.map((_, i) => i).filter((i) => Math.abs(a.mean[i]) > 5e-3);
    expect(large.length).toBeGreaterThan(4);
    for (const i of large) expect(b.mean[i] / a.mean[i]).toBeCloseTo(1.9, 1);
    inference.model.dispose();
    training.model.dispose();
    // and such a run resumes bit for bit from within an epoch
    const r: Recipe = { ...base, epochs: 2, adversarial: { ...recipe.adversarial!, craftIn: 'training' } };
    const whole = await trainWithProbe(r, data);
    let state: TrainState | null = null;
    const store = { load: async () => state, save: async (s: TrainState) => void (state = structuredClone(s)) };
    (await trainWithProbe(r, data, { checkpoint: store, saveEvery: { batches: 1 }, stopAfterEpoch: 1 })).model.dispose();
    const resumed = await trainWithProbe(r, data, { checkpoint: store });
    expect(resumed.model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(
      whole.model.getWeights().map((w) => Array.from(w.dataSync())),
    );
    resumed.model.dispose();
    whole.model.dispose();
  });

  it('SGD with Nesterov momentum, weight decay and label smoothing learns and resumes bit for bit', async () => {
    const data = toyData(256, 6);
    const r: Recipe = {
      ...recipe,
      adversarial: undefined,
      learningRate: 0.05,
      optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 5e-4 },
      labelSmoothing: 0.1,
    };
    const whole = await trainWithProbe(r, data);
    expect(whole.history[whole.history.length - 1].holdoutClean).toBeGreaterThan(0.9);
    let state: TrainState | null = null;
    const store = { load: async () => state, save: async (s: TrainState) => void (state = structuredClone(s)) };
    (await trainWithProbe(r, data, { checkpoint: store, stopAfterEpoch: 1 })).model.dispose();
    expect(state!.betaPowers).toBeUndefined();
    expect(state!.optimizer.length).toBe(whole.model.trainableWeights.length);
    const resumed = await trainWithProbe(r, data, { checkpoint: store });
    const weights = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
    expect(weights(resumed.model)).toEqual(weights(whole.model));
    // an Adam state does not resume an SGD recipe
    await expect(trainWithProbe({ ...r, optimizer: undefined }, data, { checkpoint: store })).rejects.toThrow(/other recipe settings/);
    // weight decay shrinks the kernels and leaves the biases' decay-free updates alone
    const heavy = await trainWithProbe({ ...r, optimizer: { kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 0.5 } }, data);
    const norm = (m: tf.LayersModel, name: RegExp) =>
      m.trainableWeights.filter((w) => name.test(w.originalName)).reduce((s, w) => s + tf.sum(tf.square(w.read())).dataSync()[0], 0);
    expect(norm(heavy.model, /kernel$/)).toBeLessThan(0.5 * norm(whole.model, /kernel$/));
    expect(norm(heavy.model, /bias$/)).toBeGreaterThan(0);
    for (const m of [whole, resumed, heavy]) m.model.dispose();
  });

  it('augmentation shifts with zero padding and flips, drawn from the seed', () => {
    // one 4x4 single-channel image with pixels 0..15 (times 10)
    const split = {
      n: 1,
      shape: [4, 4, 1] as [number, number, number],
      pixels: new Uint8Array(16).map((_, i) => i * 10),
      labels: new Uint8Array([3]),
    };
    const seen = new Set<string>();
    const rng = new Rng(7);
    for (let t = 0; t < 60; t++) {
      const { x, y } = batchTensor(split, [0], { padCrop: 1, flip: true }, rng);
      const v = Array.from(x.dataSync()).map((p) => Math.round(p * 255));
      expect(y.dataSync()[0]).toBe(3);
      // every output pixel is 0 (padding) or a source pixel; the set of source pixels keeps its shape
      const img = [0, 1, 2, 3].map((r) => v.slice(4 * r, 4 * r + 4));
      const rowOk = img.every((row) => row.every((p) => p === 0 || p % 10 === 0));
      expect(rowOk).toBe(true);
      seen.add(v.join(','));
      tf.dispose([x, y]);
    }
    const identity = Array.from({ length: 16 }, (_, i) => i * 10).join(',');
    const flipped = [3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12].map((i) => i * 10).join(',');
    const down = [0, 0, 0, 0, 0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110].join(','); // shifted down by one row
    expect(seen.has(identity)).toBe(true);
    expect(seen.has(flipped)).toBe(true);
    expect(seen.has(down)).toBe(true);
    expect(seen.size).toBeLessThanOrEqual(18); // 3 x 3 offsets x 2 flips
    // no augmentation: the image as it is
    const { x } = batchTensor(split, [0]);
    expect(
      Array.from(x.dataSync())
        .map((p) => Math.round(p * 255))
        .join(','),
    ).toBe(identity);
    x.dispose();
  });

  it('a fine-tuning phase has its own one-cycle schedule after the main one', () => {
    const r: Recipe = {
      ...recipe,
      epochs: 10,
      learningRate: 0.1,
      fineTune: { epochs: 2, learningRate: 0.01, adversarial: recipe.adversarial! },
    };
    // 10 steps per epoch: the main phase is steps 0-99 (peak at step 19), the phase steps 100-119 (peak at step 103)
    expect(learningRateAt(r, 10, 19)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(r, 10, 99)).toBeCloseTo(0.1 / 80, 12);
    expect(learningRateAt(r, 10, 100)).toBeCloseTo(0.01 / 4, 12);
    expect(learningRateAt(r, 10, 103)).toBeCloseTo(0.01, 12);
    expect(learningRateAt(r, 10, 119)).toBeCloseTo(0.01 / 16, 12);
    expect(learningRateAt({ ...r, fineTune: undefined }, 10, 99)).toBe(learningRateAt(r, 10, 99));
  });

  it('one-cycle schedule rises to the peak and falls to zero', () => {
    const lr = Array.from({ length: 100 }, (_, i) => oneCycle(i, 100, 1));
    expect(Math.max(...lr)).toBe(1);
    expect(lr.indexOf(1)).toBe(19);
    expect(lr[99]).toBeCloseTo(1 / 80, 6);
    expect(lr.every((v) => v >= 0)).toBe(true);
  });

  it('a constant schedule keeps the learning rate at every step', () => {
    const r: Recipe = { ...recipe, schedule: 'constant', learningRate: 0.003 };
    expect([0, 5, 19, 39].map((s) => learningRateAt(r, 20, s))).toEqual([0.003, 0.003, 0.003, 0.003]);
    expect(learningRateAt({ ...r, schedule: undefined }, 20, 39)).toBeLessThan(0.003);
  });
});
