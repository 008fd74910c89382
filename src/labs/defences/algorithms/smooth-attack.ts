/**
 * The empirical side of randomized smoothing: PGD-L2 against the smoothed classifier itself, with the
 * gradient of the smoothed soft classifier estimated over m noise draws per step (expectation over
 * transformation), as SmoothAdv (Salman et al., "Provably Robust Deep Learning via Adversarially
 * Trained Smoothed Classifiers", NeurIPS 2019, their `PGD_L2` with `num_noise_vec`): it maximises
 * -log(mean_j softmax(f(x' + e_j))_y) over ||x' - x||_2 <= eps, steps of 2.5 eps / steps along the
 * normalised gradient, projected onto the ball and onto [0, 1]; it starts at x (no random start) and
 * the noise is fresh at every step.
 *
 * The attack succeeds only where PREDICT (smoothing.ts) at x' returns a wrong class: a smoothed
 * classifier has no exact output, and PREDICT is the paper's way to read it with a bounded error
 * (a class other than g(x') with probability <= alpha). An image counts as robust at eps when its
 * certificate is correct (CERTIFY's class is the label) and the attack at eps does not succeed. So an
 * image certified at radius r >= eps is robust at eps unless PREDICT errs (probability <= alpha):
 * certified accuracy at r never exceeds this empirical robust accuracy at r, up to that alpha.
 */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../../../core/models/classifier';
import { ABSTAIN, imageStream, predict, type ImageCertificate, type SmoothingSettings } from './smoothing';

export interface SmoothAttackSettings {
  /** PGD steps. */
  steps: number;
  /** Noise draws per step (m). */
  samples: number;
}

/**
 * PGD-L2 with EOT on the smoothed classifier at one radius, from `x` (N x H x W x C in [0, 1], labels
 * `y`). Returns the adversarial batch (the caller disposes it).
 */
export function smoothedPgdL2(
  clf: Classifier,
  x: tf.Tensor4D,
  y: ArrayLike<number>,
  eps: number,
  sigma: number,
  a: SmoothAttackSettings,
  seed: number,
): tf.Tensor4D {
  if (eps <= 0 || a.steps === 0) return x.clone();
  const [n, h, w, c] = x.shape;
  const m = a.samples;
  const stepSize = (2.5 * eps) / a.steps;
  const onehot = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(y), 'int32'), clf.numClasses));
  const lossOf = (adv: tf.Tensor4D, s: number) => {
    // every image repeated m times with its own noise: [n * m, h, w, c]
    const rep = adv
      .reshape([n, h * w * c])
      .tile([1, m])
      .reshape([n * m, h, w, c]) as tf.Tensor4D;
    const noisy = rep.add(tf.randomNormal(rep.shape, 0, sigma, 'float32', s)) as tf.Tensor4D;
    const probs = tf.softmax(clf.logits(noisy)).reshape([n, m, clf.numClasses]).mean(1);
    // SmoothAdv: the cross-entropy of the averaged softmax
    return tf.neg(tf.log(tf.sum(probs.mul(onehot), 1).add(1e-12)).sum()) as tf.Scalar;
  };
  let adv = x.clone();
  for (let k = 0; k < a.steps; k++) {
    const next = tf.tidy(() => {
      const g = tf.grad((v: tf.Tensor) => lossOf(v as tf.Tensor4D, seed + k))(adv) as tf.Tensor4D;
      const norm = g.reshape([n, -1]).norm(2, 1).reshape([n, 1, 1, 1]).add(1e-12);
      const stepped = adv.add(g.div(norm).mul(stepSize));
      const delta = stepped.sub(x);
      const dn = delta.reshape([n, -1]).norm(2, 1).reshape([n, 1, 1, 1]);
      const scale = tf.minimum(1, tf.div(eps, dn.add(1e-12)));
      return x.add(delta.mul(scale)).clipByValue(0, 1) as tf.Tensor4D;
    });
    adv.dispose();
    adv = next;
  }
  onehot.dispose();
  return adv;
}

/**
 * Empirical robust accuracy of the smoothed classifier at each radius, over certified images (their
 * labels and CERTIFY's predictions): PGD-L2 + EOT at that radius, then PREDICT at the result.
 */
export async function empiricalRobustAccuracy(
  clf: Classifier,
  images: Float32Array[],
  certs: readonly Pick<ImageCertificate, 'prediction' | 'label' | 'index'>[],
  radii: readonly number[],
  s: SmoothingSettings & { seed: number },
  a: SmoothAttackSettings,
  opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<number[]> {
  const [h, w, c] = clf.inputShape;
  const size = h * w * c;
  const robust = radii.map(() => 0);
  const total = radii.length * images.length;
  let done = 0;
  for (let i = 0; i < images.length; i++) {
    const cert = certs[i];
    for (let r = 0; r < radii.length; r++) {
      if (opts.signal?.aborted) throw new Error('certification cancelled');
      if (cert.prediction === cert.label) {
        const x = tf.tensor4d(images[i], [1, h, w, c]);
        const adv = smoothedPgdL2(clf, x, [cert.label], radii[r], s.sigma, a, s.seed * 1000003 + cert.index * 101 + r);
        const advPixels = (await adv.data()) as Float32Array;
        tf.dispose([x, adv]);
        // PREDICT's noise: its own stream (not the certificate's)
        const p = await predict(clf, advPixels.slice(0, size), s, imageStream(s.seed ^ 0x2545f491, cert.index * 64 + r), {
          signal: opts.signal,
        });
        const fooled = p.prediction !== ABSTAIN && p.prediction !== cert.label;
        if (!fooled) robust[r]++;
      }
      done++;
      opts.onProgress?.(done, total);
    }
  }
  return robust.map((k) => (images.length === 0 ? 0 : k / images.length));
}
