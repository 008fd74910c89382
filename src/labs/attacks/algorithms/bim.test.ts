import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../../core/engine/node-backend';
import { classifierOf, linearModel, randomImages } from '../../../core/test-utils';
import { bimDefaultSteps, kurakinSteps, resolveBim, runBim } from './bim';
import { crossEntropyPerImage, exactSign } from '../../../core/adversarial/common';

const shape: [number, number, number] = [8, 8, 1];
const maxAbs = (t: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]);

describe('BIM / I-FGSM', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  it("uses Kurakin et al.'s defaults: alpha = 1/255, N = min(255 eps + 4, 1.25 * 255 eps)", () => {
    expect(kurakinSteps(0.3)).toBe(80);
    expect(kurakinSteps(8 / 255)).toBe(10);
    expect(kurakinSteps(2 / 255)).toBe(2);
    expect(kurakinSteps(0)).toBe(1);
    // rounded down, as torchattacks' int(min(eps * 255 + 4, 1.25 * eps * 255)): the paper's formula on the 0..255 scale
    for (let e = 0; e <= 255; e++) expect(bimDefaultSteps(e / 255)).toBe(Math.max(1, Math.floor(Math.min(e + 4, 1.25 * e))));
    expect(bimDefaultSteps(0.3)).toBe(80); // min(80.5, 95.6)
    expect(bimDefaultSteps(3 / 255)).toBe(3); // 1.25 * 3 = 3.75, where rounding would give 4
    const r = resolveBim({ name: 'bim', eps: 16 / 255 });
    expect(r.stepSize).toBeCloseTo(1 / 255, 12);
    expect(r.steps).toBe(20);
  });

  it('equals the hand-written iteration x <- Clip_{x,eps}(x + alpha sign grad) from x (no random start)', async () => {
    const m = linearModel(shape, 4, 3);
    const clf = classifierOf(m);
    const x = randomImages(3, shape, 4);
    const y = [0, 1, 2];
    const eps = 0.06;
    const alpha = 0.02;
    const r = await runBim(clf, x, y, { name: 'bim', eps, steps: 5, stepSize: alpha });
    let a = tf.clone(x);
    const labels = tf.tensor1d(y, 'int32');
    for (let i = 0; i < 5; i++) {
      const g = tf.grad((xx: tf.Tensor) => tf.sum(crossEntropyPerImage(clf.logits(xx as tf.Tensor4D), labels)))(a);
      const next = tf.tidy(() =>
        tf.clipByValue(tf.minimum(tf.maximum(tf.add(a, tf.mul(exactSign(g), alpha)), tf.sub(x, eps)), tf.add(x, eps)), 0, 1),
      );
      tf.dispose([a, g]);
      a = next as tf.Tensor4D;
    }
    expect(maxAbs(tf.sub(r.adversarial, a))).toBeLessThan(1e-6);
    expect(maxAbs(tf.sub(r.adversarial, x))).toBeLessThanOrEqual(eps + 1e-6);
    expect(r.trace).toHaveLength(6);
    tf.dispose([r.adversarial, a, labels, x]);
    m.dispose();
  });

  it('ILLC (targeted at the least-likely class) lowers the cross-entropy of that class', async () => {
    const m = linearModel(shape, 4, 5);
    const clf = classifierOf(m);
    const x = randomImages(4, shape, 6);
    const y = Array.from(tf.tidy(() => tf.argMax(clf.logits(x), 1).dataSync()));
    const r = await runBim(clf, x, y, { name: 'bim', eps: 0.05, steps: 6, stepSize: 0.01, target: 'least-likely' });
    // trace loss = -CE(target): it must rise from the first to the last iterate for every image
    const first = r.trace[0].loss;
    const last = r.trace[r.trace.length - 1].loss;
    for (let i = 0; i < 4; i++) expect(last[i]).toBeGreaterThan(first[i]);
    tf.dispose([r.adversarial, x]);
    m.dispose();
  });
});
