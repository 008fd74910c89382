import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from './node-backend';
import { Rng } from '../random';

describe('the JavaScript wasm Sum over leading axes', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm', 1);
  });
  const shape = [3, 5, 4, 6];
  const rng = new Rng(3);
  const values = Array.from({ length: 360 }, () => 2 * rng.next() - 1);
  const sumOn = async (backend: string, axis: number[], keepDims: boolean) => {
    await tf.setBackend(backend);
    return tf.tidy(() => {
      const s = tf.sum(tf.tensor(values, shape), axis, keepDims);
      return { shape: s.shape, values: Array.from(s.dataSync()) };
    });
  };
  for (const [axis, keepDims] of [
    [[0, 1, 2], false],
    [[0, 1, 2], true],
    [[0], false],
    [[1, 0], false],
    [[0, 2], false], // not leading: the original kernel
    [[3], true],
  ] as const) {
    it(`equals the CPU backend for axes ${axis.join(',')}${keepDims ? ', keepDims' : ''}`, async () => {
      const fast = await sumOn('wasm', [...axis], keepDims);
      const reference = await sumOn('cpu', [...axis], keepDims);
      expect(fast.shape).toEqual(reference.shape);
      fast.values.forEach((v, i) => expect(v).toBeCloseTo(reference.values[i], 5));
      await tf.setBackend('wasm');
    });
  }
  it('is the bias gradient of a convolution', async () => {
    await tf.setBackend('wasm');
    const g = tf.tidy(() => {
      const x = tf.tensor(values, shape);
      const b = tf.zeros([6]);
      return Array.from(
        tf
          .grad((bb: tf.Tensor) => tf.sum(tf.mul(tf.add(x, bb), x)))(b)
          .dataSync(),
      );
    });
    const expected = Array.from({ length: 6 }, (_, c) => values.filter((_, i) => i % 6 === c).reduce((s, v) => s + v, 0));
    g.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
  });
});
