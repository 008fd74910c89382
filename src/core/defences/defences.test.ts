import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradWithLogits, crossEntropyPerImage } from '../adversarial/common';
import { inputGradient } from '../adversarial/loss';
import type { AttackOutcome } from '../adversarial/types';
import { Rng } from '../random';
import { classifierOf, linearModel, randomImages } from '../test-utils';
import {
  attackThroughDefence,
  bitDepth,
  compose,
  defend,
  formatDefence,
  gaussian,
  jpeg,
  jpegBatch,
  jpegRoundTrip,
  median,
  parseDefence,
} from './index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const img = (v: number[], h: number, w: number) => tf.tensor4d(v, [1, h, w, 1]);
const values = async (t: tf.Tensor) => {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
};

describe('bit-depth reduction', () => {
  it('rounds to 2^bits levels, half to even like np.rint', async () => {
    const x = img([0, 0.2, 0.5, 0.51, 0.8, 1], 1, 6);
    expect(await values(bitDepth(1).apply(x, new Rng(0)))).toEqual([0, 0, 0, 1, 1, 1]);
    // 3 intervals: 0.5 * 3 = 1.5 rounds to 2 (even)
    const two = await values(bitDepth(2).apply(x, new Rng(0)));
    expect(two.map((v) => Math.round(v * 3))).toEqual([0, 1, 2, 2, 2, 3]);
    x.dispose();
  });
});

describe('median smoothing', () => {
  // reference: scipy.ndimage.median_filter(x, size=(1, k, k, 1), mode='reflect') (EvadeML-Zoo's median_filter_py)
  const x = [0.1, 0.9, 0.3, 0.7, 0.2, 0.5, 0.0, 0.8, 0.4, 0.6, 1.0, 0.25, 0.75, 0.15, 0.35, 0.45, 0.55, 0.05, 0.95, 0.65];
  it('matches scipy for a 2 x 2 window (upper median, reflect padding above and left)', async () => {
    const t = img(x, 4, 5);
    const y = await values(median(2).apply(t, new Rng(0)));
    const ref = [0.1, 0.9, 0.9, 0.7, 0.7, 0.5, 0.5, 0.8, 0.7, 0.6, 1.0, 0.5, 0.75, 0.75, 0.4, 1.0, 0.55, 0.55, 0.75, 0.65];
    y.forEach((v, i) => expect(v).toBeCloseTo(ref[i], 6));
    t.dispose();
  });
  it('matches scipy for a 3 x 3 window', async () => {
    const t = img(x, 4, 5);
    const y = await values(median(3).apply(t, new Rng(0)));
    const ref = [0.1, 0.3, 0.7, 0.4, 0.4, 0.5, 0.5, 0.4, 0.4, 0.35, 0.5, 0.5, 0.4, 0.6, 0.6, 0.45, 0.45, 0.55, 0.65, 0.65];
    y.forEach((v, i) => expect(v).toBeCloseTo(ref[i], 6));
    t.dispose();
  });
  it('filters each channel on its own', async () => {
    const t = tf.tensor4d([0, 1, 0, 1, 1, 0, 1, 0], [1, 2, 2, 2]);
    // channel 0: [[0,0],[1,1]] stays; channel 1: [[1,1],[0,0]]: the bottom row's windows hold 1,1,0,0 -> 1
    const y = await values(median(2).apply(t, new Rng(0)));
    expect(y).toEqual([0, 1, 0, 1, 1, 1, 1, 1]);
    t.dispose();
  });
});

describe('JPEG', () => {
  it('keeps a flat grey image and is the same at every call', () => {
    const flat = new Float32Array(64).fill(128 / 255);
    const out = jpegRoundTrip(flat, 8, 8, 1, 75);
    for (const v of out) expect(Math.round(v * 255)).toBe(128);
  });
  it('loses more detail at a lower quality (a checkerboard)', () => {
    const board = Float32Array.from({ length: 16 * 16 }, (_, i) => ((i % 16) + Math.floor(i / 16)) % 2);
    const err = (q: number) => jpegRoundTrip(board, 16, 16, 1, q).reduce((s, v, i) => s + Math.abs(v - board[i]), 0) / board.length;
    expect(err(10)).toBeGreaterThan(err(95) + 0.05);
    expect(err(95)).toBeLessThan(0.1);
    expect(Array.from(jpegRoundTrip(board, 16, 16, 1, 50))).toEqual(Array.from(jpegRoundTrip(board, 16, 16, 1, 50)));
  });
  it('a batch (encoded as one tiled picture) decodes exactly as each image alone', () => {
    const n = 5;
    const [h, w] = [11, 13];
    const rng = new Rng(21);
    const px = Float32Array.from({ length: n * h * w }, () => rng.next());
    const batch = jpegBatch(px, n, h, w, 1, 40);
    for (let i = 0; i < n; i++) {
      const alone = jpegRoundTrip(px.subarray(i * h * w, (i + 1) * h * w), h, w, 1, 40);
      expect(Array.from(batch.subarray(i * h * w, (i + 1) * h * w))).toEqual(Array.from(alone));
    }
  });
  it('applies per image of a batch, colour images too', async () => {
    const x = randomImages(3, [8, 8, 3], 4);
    const y = jpeg(90).apply(x, new Rng(0));
    expect(y.shape).toEqual([3, 8, 8, 3]);
    const d = await values(tf.max(tf.abs(tf.sub(x, y))));
    expect(d[0]).toBeGreaterThan(0);
    expect(d[0]).toBeLessThan(0.6);
    x.dispose();
    y.dispose();
  });
});

describe('Gaussian noise', () => {
  it('adds N(0, sigma^2) clipped to [0, 1], a new draw at every call', async () => {
    const x = tf.fill([1, 32, 32, 1], 0.5) as tf.Tensor4D;
    const rng = new Rng(3);
    const a = await values(gaussian(0.1).apply(x, rng));
    const b = await values(gaussian(0.1).apply(x, rng));
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    const sd = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length);
    expect(mean).toBeCloseTo(0.5, 1);
    expect(sd).toBeGreaterThan(0.085);
    expect(sd).toBeLessThan(0.115);
    expect(a).not.toEqual(b);
    const wide = await values(gaussian(1).apply(x, rng));
    expect(Math.min(...wide)).toBe(0);
    expect(Math.max(...wide)).toBe(1);
    x.dispose();
  });
});

describe('composition and the spec', () => {
  it('parses, formats and composes in order', async () => {
    const r = parseDefence(' bit-depth:1 , median:2 ');
    expect(r).toEqual({
      transforms: [
        { kind: 'bit-depth', param: 1 },
        { kind: 'median', param: 2 },
      ],
    });
    expect(formatDefence((r as { transforms: [] }).transforms)).toBe('bit-depth:1,median:2');
    expect(parseDefence('')).toEqual({ transforms: [] });
    // bit-depth then median differs from median then bit-depth on this image
    const x = img([0.4, 0.6, 0.6, 0.4], 2, 2);
    const ab = await values(compose([bitDepth(1), median(2)]).apply(x, new Rng(0)));
    expect(ab).toEqual([0, 1, 1, 1]);
    x.dispose();
  });
  it('gives one-line errors', () => {
    const err = (s: string) => (parseDefence(s) as { error: string }).error;
    expect(err('blur:3')).toMatch(/^defence: unknown transform "blur"/);
    expect(err('median:1')).toMatch(/^defence: median window 1 is not a whole number from 2 to 7/);
    expect(err('jpeg:abc')).toMatch(/jpeg needs a number/);
    expect(err('gaussian')).toMatch(/is not name:value/);
    expect(err('bit-depth:9')).toMatch(/bits 9/);
    for (const s of ['blur:3', 'median:1', 'jpeg:abc', 'gaussian']) expect(err(s)).not.toContain('\n');
  });
});

describe('defend: gradients by mode', () => {
  const shape: [number, number, number] = [4, 4, 1];
  const base = classifierOf(linearModel(shape, 3, 7));
  const ce = (clf: typeof base, x: tf.Tensor4D, y: tf.Tensor1D) => gradWithLogits(clf, x, (z) => crossEntropyPerImage(z, y));

  it('none: zero through bit-depth rounding; bpda: the gradient at the transformed point', async () => {
    const x = randomImages(2, shape, 5);
    const y = tf.tensor1d([0, 2], 'int32');
    const naive = await ce(defend(base, 'bit-depth:1', 'none'), x, y);
    expect(await values(tf.max(tf.abs(naive.grad)))).toEqual([0]);
    naive.grad.dispose();
    const bpda = await ce(defend(base, 'bit-depth:1', 'bpda'), x, y);
    const tx = bitDepth(1).apply(x, new Rng(0));
    const atT = await ce(base, tx, y);
    const [a, b] = [await values(bpda.grad), await values(atT.grad)];
    expect(Math.max(...a.map(Math.abs))).toBeGreaterThan(0.01);
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));
    // the logits are those of the transformed input
    bpda.logits.forEach((v, i) => expect(v).toBeCloseTo(atT.logits[i], 5));
    tf.dispose([x, y, tx]);
  });

  it('bpda with JPEG (no gradient path) is the gradient at the decoded image', async () => {
    const x = randomImages(1, shape, 8);
    const y = tf.tensor1d([1], 'int32');
    const g = await inputGradient(defend(base, 'jpeg:50', 'bpda'), x, y);
    const tx = jpeg(50).apply(x, new Rng(0));
    const ref = await inputGradient(base, tx, y);
    const [a, b] = [await values(g.grad), await values(ref.grad)];
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));
    tf.dispose([x, y, tx]);
  });

  it('eot: the mean of the per-draw gradients over k draws', async () => {
    const x = randomImages(2, shape, 9);
    const y = tf.tensor1d([0, 1], 'int32');
    const k = 4;
    const eot = await ce(defend(base, 'gaussian:0.3', 'eot', k, 11), x, y);
    // the same draws, one gradient each: a bpda classifier on the same seed draws the same noise in turn
    const single = defend(base, 'gaussian:0.3', 'bpda', 1, 11);
    const per: number[][] = [];
    for (let s = 0; s < k; s++) per.push(await values((await ce(single, x, y)).grad));
    const mean = per[0].map((_, i) => per.reduce((acc, g) => acc + g[i], 0) / k);
    const got = await values(eot.grad);
    got.forEach((v, i) => expect(v).toBeCloseTo(mean[i], 5));
    // and the draws differ, so the mean is not any single one of them
    expect(per[0].some((v, i) => Math.abs(v - per[1][i]) > 1e-4)).toBe(true);
    const ig = await inputGradient(defend(base, 'gaussian:0.3', 'eot', k, 11), x, y);
    (await values(ig.grad)).forEach((v, i) => expect(v).toBeCloseTo(mean[i], 5));
    tf.dispose([x, y]);
  });

  it('refuses bad settings with one line', () => {
    expect(() => defend(base, 'bit-depth:1', 'eot', 5)).toThrow(/no randomised transform/);
    expect(() => defend(base, 'median:9', 'none')).toThrow(/^defence: median window 9/);
    expect(defend(base, '', 'bpda')).toBe(base);
  });

  it('JPEG under none: the attack runs on the undefended model and its result goes through the defence', async () => {
    const clf = defend(base, 'jpeg:10', 'none');
    expect(clf.defence?.attackOn).toBe(base);
    const x = randomImages(2, shape, 12);
    let attacked: unknown = null;
    const fake = async (target: typeof base): Promise<AttackOutcome> => {
      attacked = target;
      const adv = tf.clone(x);
      const n = 2;
      return {
        adversarial: adv,
        success: new Uint8Array(n).fill(1),
        fooled: new Uint8Array(n).fill(1),
        predictions: new Int32Array(n).fill(-1),
        targets: null,
        norms: { l0: new Float32Array(n), l2: new Float32Array(n), linf: new Float32Array(n) },
        gradientEvaluations: 0,
        queries: new Int32Array(n),
        trace: [],
      };
    };
    const out = await attackThroughDefence(clf, [0, 1], { label: 'fake' }, fake);
    expect(attacked).toBe(base);
    const ref = Array.from(await values(tf.argMax(clf.logits(x), 1)));
    expect(Array.from(out.predictions)).toEqual(ref);
    expect(Array.from(out.fooled)).toEqual(ref.map((p, i) => (p !== i ? 1 : 0)));
    expect(Array.from(out.queries)).toEqual([1, 1]);
    out.adversarial.dispose();
    x.dispose();
    await expect(
      attackThroughDefence(defend(base, 'gaussian:0.1', 'eot', 2), [0], { label: 'C&W', ownGradients: true }, fake),
    ).rejects.toThrow(/C&W takes its own gradients/);
  });

  it('leaks no tensors over repeated gradients in every mode', async () => {
    const x = randomImages(2, shape, 13);
    const y = tf.tensor1d([0, 1], 'int32');
    const clfs = [
      defend(base, 'bit-depth:2,median:2', 'none'),
      defend(base, 'jpeg:60', 'bpda'),
      defend(base, 'gaussian:0.2', 'eot', 3),
      defend(base, 'median:3,gaussian:0.1', 'none'),
    ];
    const once = async () => {
      for (const c of clfs) {
        if (c.defence?.attackOn) continue;
        (await ce(c, x, y)).grad.dispose();
        (await inputGradient(c, x, y)).grad.dispose();
        tf.tidy(() => c.logits(x)).dispose();
        c.defence!.transform(x).dispose();
      }
    };
    await once();
    const before = tf.memory().numTensors;
    for (let r = 0; r < 3; r++) await once();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
  });
});
