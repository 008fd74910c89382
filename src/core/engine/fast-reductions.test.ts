import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from './node-backend';
import { Rng } from '../random';

describe('the JavaScript wasm Sum and Mean over leading axes', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm', 1);
  });
  const shape = [3, 5, 4, 6];
  const rng = new Rng(3);
  const values = Array.from({ length: 360 }, () => 2 * rng.next() - 1);
  const sumOn = async (backend: string, axis: number[], keepDims: boolean) => {
    await tf.setBackend(backend);
    return tf.tidy(() => {
      const t = tf.tensor(values, shape);
      const s = tf.sum(t, axis, keepDims);
      const m = tf.mean(t, axis, keepDims);
      return { shape: s.shape, values: [...Array.from(s.dataSync()), ...Array.from(m.dataSync())] };
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

describe('the JavaScript wasm Tile for leading repeats', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm', 1);
  });
  for (const [shape, reps] of [
    [
      [1, 1, 1, 5],
      [3, 4, 2, 1],
    ],
    [
      [1, 1, 1, 5],
      [7, 1, 1, 1],
    ],
    [
      [1, 2, 3],
      [5, 1, 1],
    ],
    [
      [2, 3],
      [2, 2],
    ], // not a leading repeat: the original kernel
    [
      [1, 3],
      [1, 1],
    ],
  ] as const) {
    it(`equals the CPU backend for ${shape.join('x')} tiled ${reps.join('x')}`, async () => {
      const values = Array.from({ length: (shape as readonly number[]).reduce((a, b) => a * b, 1) }, (_, i) => i + 0.5);
      const tileOn = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(() => {
          const t = tf.tile(tf.tensor(values, [...shape]), [...reps]);
          return { shape: t.shape, values: Array.from(t.dataSync()) };
        });
      };
      const fast = await tileOn('wasm');
      expect(fast).toEqual(await tileOn('cpu'));
      await tf.setBackend('wasm');
    });
  }
});
