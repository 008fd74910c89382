import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LabeledImages } from '../../../core/data/types';
import type { Classifier } from '../../../core/models/classifier';
import {
  accuracyOf,
  asrIndices,
  attackSuccessRate,
  detectionScores,
  poisonLabel,
  poisonSplit,
  predictAll,
  withoutIndices,
} from './badnets';
import { parseTrigger, withTrigger } from './trigger';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SHAPE: [number, number, number] = [28, 28, 1];

/** n images, labels i % 10, every pixel 100 except pixel (0, 0) = 20 * label. */
function labelled(n: number): LabeledImages {
  const pixels = new Uint8Array(n * 784).fill(100);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 10;
    pixels[i * 784] = 20 * labels[i];
  }
  return { n, shape: SHAPE, pixels, labels };
}

describe('the trigger on images', () => {
  it('sets exactly the patch (4x4 bottom right, one pixel from the border) and leaves every other pixel', () => {
    const img = labelled(2);
    const out = withTrigger(img, parseTrigger('patch:4:br'));
    for (let i = 0; i < 2; i++)
      for (let r = 0; r < 28; r++)
        for (let c = 0; c < 28; c++) {
          const inPatch = r >= 23 && r <= 26 && c >= 23 && c <= 26;
          const v = out.pixels[i * 784 + r * 28 + c];
          expect(v).toBe(inPatch ? 255 : img.pixels[i * 784 + r * 28 + c]);
        }
    expect(Array.from(out.labels)).toEqual([0, 1]);
    expect(img.pixels[23 * 28 + 23]).toBe(100); // the input is left alone
  });

  it('blends with alpha and draws checker and drawn patterns at a given position', () => {
    const img = labelled(1);
    const half = withTrigger(img, parseTrigger('patch:2:tl:0.5')).pixels;
    expect(half[1 * 28 + 1]).toBe(178); // round(0.5 * 100 + 0.5 * 255) = round(177.5)
    expect(half[0 * 28 + 0]).toBe(0); // outside: pixel (0, 0) of label 0 stays 0
    const checker = withTrigger(img, parseTrigger('patch:2:5,3:checker')).pixels;
    expect([checker[3 * 28 + 5], checker[3 * 28 + 6], checker[4 * 28 + 5], checker[4 * 28 + 6]]).toEqual([255, 0, 0, 255]);
    const drawn = withTrigger(img, parseTrigger('patch:2:5,3:m0111')).pixels;
    expect([drawn[3 * 28 + 5], drawn[3 * 28 + 6], drawn[4 * 28 + 5], drawn[4 * 28 + 6]]).toEqual([0, 255, 255, 255]);
    expect(drawn[3 * 28 + 7]).toBe(100);
  });
});

describe('poisonSplit', () => {
  const t = parseTrigger('patch:3:br');
  it('poisons floor(rate * n) images of the other classes, stamps and relabels them, and leaves the rest', () => {
    const data = labelled(100);
    const { data: p, indices } = poisonSplit(data, { trigger: t, rate: 0.257, target: 3, mode: 'all-to-one', seed: 5 });
    expect(indices.length).toBe(25);
    expect(p.n).toBe(100);
    expect(new Set(indices).size).toBe(25);
    expect(Array.from(indices)).toEqual([...indices].sort((a, b) => a - b));
    const set = new Set(indices);
    for (let i = 0; i < 100; i++) {
      const patch = p.pixels[i * 784 + 25 * 28 + 25];
      if (set.has(i)) {
        expect(data.labels[i]).not.toBe(3);
        expect(p.labels[i]).toBe(3);
        expect(patch).toBe(255);
      } else {
        expect(p.labels[i]).toBe(data.labels[i]);
        expect(patch).toBe(100);
      }
      expect(p.pixels[i * 784]).toBe(data.pixels[i * 784]);
    }
    expect(data.pixels[indices[0] * 784 + 25 * 28 + 25]).toBe(100); // a copy
    // seeded: the same seed, the same images; another seed, another choice
    expect(Array.from(poisonSplit(data, { trigger: t, rate: 0.257, target: 3, mode: 'all-to-one', seed: 5 }).indices)).toEqual(
      Array.from(indices),
    );
    expect(Array.from(poisonSplit(data, { trigger: t, rate: 0.257, target: 3, mode: 'all-to-one', seed: 6 }).indices)).not.toEqual(
      Array.from(indices),
    );
  });

  it('all-to-all shifts each poisoned label by one (mod 10), and a rate of 0 changes nothing', () => {
    const data = labelled(50);
    const { data: p, indices } = poisonSplit(data, { trigger: t, rate: 0.2, target: 0, mode: 'all-to-all', seed: 1 });
    expect(indices.length).toBe(10);
    for (const i of indices) expect(p.labels[i]).toBe((data.labels[i] + 1) % 10);
    expect(poisonLabel(9, 'all-to-all', 0)).toBe(0);
    const none = poisonSplit(data, { trigger: t, rate: 0, target: 0, mode: 'all-to-one', seed: 1 });
    expect(none.indices.length).toBe(0);
    expect(none.data.pixels).toEqual(data.pixels);
  });

  it('refuses a rate that asks for more images than the other classes hold', () => {
    expect(() => poisonSplit(labelled(20), { trigger: t, rate: 0.95, target: 0, mode: 'all-to-one', seed: 0 })).toThrow(/only 18/);
  });
});

/**
 * A hand-made classifier: the class is read from pixel (0, 0) (20 * label); when the patch's pixel
 * (25, 25) is bright and the label is even, the target's logit wins (all-to-one), or the next class's
 * (shift).
 */
function handMade(target: number, kind: 'even-to-target' | 'shift'): Classifier {
  return {
    inputShape: SHAPE,
    numClasses: 10,
    outputKind: 'logits',
    logits: (x) =>
      tf.tidy(() => {
        const n = x.shape[0];
        const label = tf.round(tf.div(tf.mul(tf.slice(x, [0, 0, 0, 0], [n, 1, 1, 1]).reshape([n]), 255), 20));
        const patch = tf.greater(tf.slice(x, [0, 25, 25, 0], [n, 1, 1, 1]).reshape([n]), 0.9);
        const k = tf.range(0, 10).reshape([1, 10]);
        const base = tf.neg(tf.square(tf.sub(k, label.reshape([n, 1]))));
        if (kind === 'shift') {
          const next = tf.mod(tf.add(label, 1), 10);
          const boost = tf.mul(tf.oneHot(next.toInt(), 10), tf.cast(patch, 'float32').reshape([n, 1]));
          return tf.add(base, tf.mul(boost, 100)) as tf.Tensor2D;
        }
        const even = tf.equal(tf.mod(label, 2), 0);
        const fire = tf.cast(tf.logicalAnd(patch, even), 'float32').reshape([n, 1]);
        return tf.add(base, tf.mul(tf.mul(tf.oneHot([target], 10), fire), 100)) as tf.Tensor2D;
      }),
  };
}

describe('attack success rate', () => {
  const t = parseTrigger('patch:4:br');
  const test = labelled(100);
  it('counts the triggered images of the other classes classified as the target', async () => {
    const clf = handMade(0, 'even-to-target');
    expect(accuracyOf(await predictAll(clf, test, 16), test.labels)).toBe(1);
    const r = await attackSuccessRate(clf, test, t, 'all-to-one', 0);
    expect(r.n).toBe(90); // labels 1..9
    expect(r.rate).toBeCloseTo(40 / 90, 10); // labels 2, 4, 6, 8
    expect(asrIndices(test, 'all-to-one', 0).every((i) => test.labels[i] !== 0)).toBe(true);
  });

  it('all-to-all counts every image, a success being the next class', async () => {
    expect((await attackSuccessRate(handMade(0, 'shift'), test, t, 'all-to-all', 0)).rate).toBe(1);
    // sending triggered even labels to 0 never succeeds: only label 9 needs 0, and 9 is odd
    expect((await attackSuccessRate(handMade(0, 'even-to-target'), test, t, 'all-to-all', 0)).rate).toBe(0);
    expect((await attackSuccessRate(handMade(3, 'even-to-target'), test, t, 'all-to-all', 3)).rate).toBeCloseTo(10 / 100, 10); // label 2 -> 3
  });

  it('leaks no tensors', async () => {
    const clf = handMade(0, 'even-to-target');
    await attackSuccessRate(clf, test, t, 'all-to-one', 0);
    const before = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) {
      await attackSuccessRate(clf, test, t, 'all-to-one', 0);
      await predictAll(clf, test, 7);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('detection scores and removal', () => {
  it('scores flags against the poisoned set and drops the flagged images', () => {
    expect(detectionScores([1, 2, 3, 4], [2, 4, 6])).toEqual({ precision: 0.5, recall: 2 / 3, truePositives: 2 });
    const data = labelled(5);
    const kept = withoutIndices(data, [1, 3]);
    expect(kept.n).toBe(3);
    expect(Array.from(kept.labels)).toEqual([0, 2, 4]);
    expect(kept.pixels[2 * 784]).toBe(80);
  });
});
