import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../../../core/models/classifier';
import { empiricalRobustAccuracy, smoothedPgdL2 } from './smooth-attack';
import { certifiedAccuracyByRadius, certifySplit } from './smoothing';

/** Class 1 when the first pixel is above 0.5: the smoothed classifier's exact robust radius is |x0 - 0.5|. */
const halfPlane: Classifier = {
  logits: (x) =>
    tf.tidy(() => {
      const x0 = x.reshape([x.shape[0], -1]).slice([0, 0], [-1, 1]);
      return tf.concat([tf.scalar(0.5).sub(x0), x0.sub(0.5)], 1).mul(20) as tf.Tensor2D;
    }),
  inputShape: [2, 2, 1],
  numClasses: 2,
  outputKind: 'logits',
};

describe('PGD-L2 with EOT on the smoothed classifier', () => {
  it('moves the image straight at the boundary, by exactly eps, inside [0, 1]', () => {
    const x = tf.tensor4d([0.7, 0.2, 0.3, 0.4], [1, 2, 2, 1]);
    const adv = smoothedPgdL2(halfPlane, x, [1], 0.1, 0.25, { steps: 10, samples: 16 }, 1);
    const d = Array.from(adv.sub(x).dataSync());
    expect(d[0]).toBeCloseTo(-0.1, 4);
    for (const v of d.slice(1)) expect(Math.abs(v)).toBeLessThan(1e-5);
    tf.dispose([x, adv]);
  });

  it('certified accuracy never exceeds the empirical robust accuracy at any radius, and the attack breaks what is not certified', async () => {
    // first pixels 0.7, 0.62, 0.9, 0.45 (labels 1, 1, 1, 1: the last one is misclassified)
    const split = {
      n: 4,
      shape: [2, 2, 1] as [number, number, number],
      pixels: new Uint8Array([179, 50, 50, 50, 158, 50, 50, 50, 230, 50, 50, 50, 115, 50, 50, 50]),
      labels: new Uint8Array([1, 1, 1, 1]),
    };
    const s = { sigma: 0.25, samples0: 100, samples: 2000, alpha: 0.001, batch: 500, seed: 3 };
    const radii = [0, 0.1, 0.2, 0.3, 0.5];
    const before = tf.memory().numTensors;
    const certs = await certifySplit(halfPlane, split, { start: 0, n: 4 }, s);
    const images = [0, 1, 2, 3].map((i) => Float32Array.from(split.pixels.subarray(i * 4, i * 4 + 4), (v) => v / 255));
    const emp = await empiricalRobustAccuracy(halfPlane, images, certs, radii, s, { steps: 10, samples: 16 });
    const cert = certifiedAccuracyByRadius(certs, radii);
    for (let r = 0; r < radii.length; r++) expect(cert[r]).toBeLessThanOrEqual(emp[r]);
    // exact radii 0.2, 0.12, 0.4: at 0.3 only the third stands, at 0.5 none
    expect(emp).toEqual([0.75, 0.75, 0.5, 0.25, 0]);
    expect(cert[0]).toBe(0.75);
    expect(tf.memory().numTensors).toBe(before);
  });
});
