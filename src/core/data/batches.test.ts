import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random';
import { batchTensor } from './batches';

const split = { n: 2, shape: [8, 8, 1] as [number, number, number], pixels: new Uint8Array(128).fill(255), labels: new Uint8Array([3, 4]) };

describe('Gaussian-noise augmentation', () => {
  it('adds unclipped N(0, sigma^2) noise, drawn from the batch rng (the same state gives the same noise)', () => {
    const aug = { padCrop: 0, flip: false, gaussianNoise: 0.5 };
    const rng = new Rng(9);
    const state = rng.getState();
    const { x, y } = batchTensor(split, [0, 1], aug, rng);
    const v = Array.from(x.dataSync()).map((p) => p - 1);
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    expect(Math.abs(mean)).toBeLessThan(0.15);
    expect(sd).toBeGreaterThan(0.4);
    expect(sd).toBeLessThan(0.6);
    // not clipped to [0, 1] (Cohen et al. add the noise to the input as it is)
    expect(Math.max(...x.dataSync())).toBeGreaterThan(1.2);
    expect(Array.from(y.dataSync())).toEqual([3, 4]);
    rng.setState(state);
    const again = batchTensor(split, [0, 1], aug, rng);
    expect(Array.from(again.x.dataSync())).toEqual(Array.from(x.dataSync()));
    const before = tf.memory().numTensors;
    tf.dispose([x, y, again.x, again.y]);
    expect(tf.memory().numTensors).toBe(before - 4);
    // without noise the pixels are exactly /255
    const plain = batchTensor(split, [0], { padCrop: 0, flip: false }, new Rng(1));
    expect(Array.from(plain.x.dataSync()).every((p) => p === 1)).toBe(true);
    tf.dispose([plain.x, plain.y]);
  });
});
