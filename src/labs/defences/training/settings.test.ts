import { describe, expect, it } from 'vitest';
import { defaultTraining } from '../experiment/training';
import { browserRecipe, checkSettings, emptyLog, overfittingWarning, runData, type TrainLog } from './settings';

const split = (n: number) => ({
  n,
  shape: [1, 1, 1] as [number, number, number],
  pixels: Uint8Array.from({ length: n }, (_, i) => i),
  labels: Uint8Array.from({ length: n }, (_, i) => i % 10),
});

describe('in-browser training', () => {
  it('trains on the first images of the file and holds out its last ones', () => {
    const d = runData(split(100), { slice: 30, holdout: 10 });
    expect(d.n).toBe(40);
    expect(Array.from(d.pixels.subarray(0, 30))).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(Array.from(d.pixels.subarray(30))).toEqual(Array.from({ length: 10 }, (_, i) => 90 + i));
    expect(Array.from(d.labels.subarray(30))).toEqual(Array.from({ length: 10 }, (_, i) => (90 + i) % 10));
    // slice 0: every image but the held-out ones
    expect(runData(split(100), { slice: 0, holdout: 10 }).n).toBe(100);
    expect(checkSettings({ ...defaultTraining(), slice: 95, holdout: 10 }, 100)).toMatch(/95 training images asked for, but 90 remain/);
    expect(checkSettings({ ...defaultTraining(), holdout: 100 }, 100)).toMatch(/must be fewer/);
    expect(checkSettings({ ...defaultTraining(), slice: 90, holdout: 10 }, 100)).toBeNull();
  });

  it('makes the method a recipe of the shared loop', () => {
    const s = defaultTraining();
    expect(browserRecipe('mnist', { ...s, method: 'standard' }, 'cnn-small').adversarial).toBeUndefined();
    expect(browserRecipe('mnist', { ...s, method: 'fgsm-rs', eps: 0.3, stepSize: 0.375 }, 'cnn-small').adversarial).toMatchObject({
      method: 'fgsm-rs',
      eps: 0.3,
      alpha: 0.375,
    });
    const pgd = browserRecipe(
      'cifar10',
      { ...s, method: 'pgd', eps: 8 / 255, stepSize: 2 / 255, steps: 7, schedule: 'constant' },
      'vgg-cifar-bn',
    );
    expect(pgd.adversarial).toMatchObject({ method: 'pgd', steps: 7 });
    expect(pgd.schedule).toBe('constant');
    expect(pgd.augment).toEqual({ padCrop: 4, flip: true });
  });

  it('warns of catastrophic overfitting only when PGD accuracy collapses while training accuracy rises', () => {
    const log = (robust: number[], acc: (step: number) => number): TrainLog => ({
      ...emptyLog(),
      batches: Array.from({ length: 100 }, (_, i) => ({
        step: i + 1,
        epoch: 1,
        loss: 1,
        accuracy: acc(i + 1),
        imagesPerSecond: 1,
        seconds: i,
      })),
      probes: robust.map((r, k) => ({ step: (k + 1) * 25, clean: 0.9, robust: r })),
    });
    const rising = (s: number) => 0.4 + s / 200;
    expect(overfittingWarning(log([0.4, 0.5, 0.45, 0.05], rising))).toMatch(/fell from 50\.0% \(batch 50\) to 5\.0% \(batch 100\)/);
    // the same collapse with a falling training accuracy is not the FGSM signature
    expect(overfittingWarning(log([0.4, 0.5, 0.45, 0.05], (s) => 0.9 - s / 200))).toBeNull();
    // a dip that is not a collapse
    expect(overfittingWarning(log([0.4, 0.5, 0.45, 0.3], rising))).toBeNull();
    expect(overfittingWarning(log([0.5], rising))).toBeNull();
  });
});

describe('observedStep', () => {
  it('counts the accuracy of the training-mode forward pass on the adversarial input when there is one, else on the clean batch', async () => {
    const tf = await import('@tensorflow/tfjs');
    const { observedStep } = await import('./settings');
    const y = tf.tensor1d([0, 1, 2, 3], 'int32');
    const x = tf.zeros([4, 1, 1, 1]) as import('@tensorflow/tfjs').Tensor4D;
    const adv = tf.ones([4, 1, 1, 1]);
    // the clean batch is classified right; the "adversarial" one: 1 of 4 right (all predicted class 3)
    const model = {
      apply: (input: import('@tensorflow/tfjs').Tensor) =>
        input === x ? tf.oneHot(y, 10).mul(5) : tf.oneHot(tf.tensor1d([3, 3, 3, 3], 'int32'), 10).mul(5),
    } as unknown as import('@tensorflow/tfjs').LayersModel;
    const seen: number[] = [];
    const record = async (acc: number) => {
      seen.push(acc);
    };
    const ctx = { model, x, y } as never;
    const adversarial = observedStep('pgd', record, {
      pgd: async (c) => {
        c.model.apply(x, { training: true });
        c.model.apply(adv, { training: true });
        c.model.apply(adv); // inference-mode passes (crafting) are not counted
        return 0.5;
      },
    });
    expect(await adversarial(ctx)).toBe(0.5);
    const clean = observedStep('standard', record, {
      standard: async (c) => {
        c.model.apply(x, { training: true });
        return 0.25;
      },
    });
    await clean(ctx);
    expect(seen).toEqual([0.25, 1]);
  });
});
