/**
 * DeepFool, L2, multi-class (Moosavi-Dezfooli, Fawzi, Frossard 2016, Algorithm 2), with the overshoot
 * of the authors' code and the clipping to [0, 1] at every step, exactly as Foolbox 3's L2DeepFoolAttack:
 *
 *   x_0 = x, r_tot = 0; while argmax Z(x_i) = y and i < maxIter:
 *     for every class k != y:  w'_k = grad Z_k(x_i) - grad Z_y(x_i),  f'_k = Z_k(x_i) - Z_y(x_i)
 *     l = argmin_{k != y} |f'_k| / ||w'_k||_2
 *     r_i = (|f'_l| / ||w'_l||_2 + 1e-4) * w'_l / ||w'_l||_2,   r_tot += r_i
 *     x_{i+1} = clip_[0,1]( x + (1 + overshoot) r_tot )
 *
 * Z are the logits and y the true label (the model's prediction on every image DeepFool attacks: an
 * image that is already misclassified is returned unchanged, with success 1 and norm 0). All classes
 * are candidates (Foolbox's `candidates` = number of classes). Norms get + 1e-8 as in Foolbox.
 * The + 1e-4 on the linearised distance is Foolbox's (an L2 length in [0, 1] pixel units): without it
 * a step lands exactly on the linearised boundary, and the overshoot only ever adds 2% of the last
 * step (r_i is measured from the overshot iterate). When clipping removes part of every step (on MNIST
 * the background pixels at 0 and the strokes at 1), the margin then only shrinks geometrically, the
 * label "flips" by float32 rounding (margins ~1e-6) or never (an exact tie gives r_i = 0 for ever).
 * On a linear model one iteration lands at (1 + overshoot) (d + 1e-4) n, d the distance to the nearest
 * decision boundary and n its unit normal (unless clipping to [0, 1] intervenes).
 * Success is decided on the returned tensor: the adversarial batch is evaluated in one forward pass (the
 * logits of a row depend slightly on the batch it is computed in, float32), an image whose label the
 * iteration saw flip but which that pass still classifies as y takes further steps while it has any
 * left, and the predictions and success flags reported are those of that pass. An image not fooled
 * within maxIter is returned unchanged (Foolbox returns its last iterate, with success false).
 * ART's DeepFool differs: no + 1e-4 (tol 1e-7 on the norms only), x_{i+1} = clip(x_i + r_i) without
 * r_tot, and the overshoot applied once at the end, x + (1 + epsilon) (x_last - x), clipped.
 * Defaults: overshoot 0.02, at most 50 iterations. Untargeted only (the paper defines no targeted
 * variant). Each iteration costs one forward pass and K backward passes (the Jacobian of the K logits).
 * Trace: every iterate of the images still being attacked (others NaN), loss = the linearised
 * distance |f'_l| / ||w'_l||_2 to the nearest boundary (0 once misclassified).
 */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../../../core/models/classifier';
import { argmaxRows, finish, prepare, readFloats, Recorder } from '../../../core/adversarial/common';
import type { AttackHooks, AttackOutcome } from '../../../core/adversarial/types';
import { type DeepFoolSpec, resolveDeepFool } from './deepfool-def';
export { type DeepFoolSpec, type ResolvedDeepFool, resolveDeepFool, deepfool } from './deepfool-def';

/** Logits and the Jacobian of all K logits with respect to the input, for m images: one pass over K*m copies. */
async function logitsAndJacobian(clf: Classifier, xs: tf.Tensor4D, k: number): Promise<{ z: Float32Array; jac: Float32Array }> {
  const m = xs.shape[0];
  let zK: tf.Tensor | null = null;
  let grad: tf.Tensor | null = null;
  try {
    grad = tf.tidy(() => {
      const tiled = tf.tile(xs, [k, 1, 1, 1]) as tf.Tensor4D; // row j*m + i = image i, for class j
      const rowClass = tf.tensor1d(
        Int32Array.from({ length: k * m }, (_, r) => Math.floor(r / m)),
        'int32',
      );
      const mask = tf.oneHot(rowClass, k).toFloat();
      return tf.grad((t: tf.Tensor) => {
        const z = clf.logits(t as tf.Tensor4D);
        zK = tf.keep(tf.slice(z, [0, 0], [m, k]));
        return tf.sum(tf.mul(z, mask)) as tf.Scalar;
      })(tiled);
    });
    const [jac, z] = await Promise.all([grad.data(), (zK as tf.Tensor | null)!.data()]);
    return { z: Float32Array.from(z), jac: Float32Array.from(jac) };
  } finally {
    grad?.dispose();
    (zK as tf.Tensor | null)?.dispose();
  }
}

/** Linearised distance added to every step, in L2 pixel units ([0, 1] images), as Foolbox 3 does "for numerical stability". */
export const DEEPFOOL_STEP_MARGIN = 1e-4;

export async function runDeepFool(
  clf: Classifier,
  x: tf.Tensor4D,
  y: Int32Array | number[],
  spec: DeepFoolSpec,
  hooks?: AttackHooks,
): Promise<AttackOutcome> {
  const s = resolveDeepFool(spec);
  const p = await prepare(clf, x, y, undefined);
  const { n, d, k, labels } = p;
  const rec = new Recorder(p, hooks);
  const queries = new Int32Array(n).fill(p.queries);
  const x0 = Float32Array.from(await x.data());
  const cur = Float32Array.from(x0);
  const rTot = new Float32Array(n * d);
  /** DeepFool steps taken per image (at most s.steps). */
  const iters = new Int32Array(n);
  /** 0: being attacked; 1: its label flipped during the iteration; 2: failed (no steps left). */
  const state = new Uint8Array(n);
  /** The final pass still classified it as y: step again even if the next iteration's logits say it crossed. */
  const force = new Uint8Array(n);
  const shape = x.shape.slice(1) as [number, number, number];
  let passes = 0;
  for (;;) {
    for (;;) {
      await rec.checkpoint();
      const rows = Int32Array.from(Array.from({ length: n }, (_, i) => i).filter((i) => state[i] === 0));
      if (rows.length === 0) break;
      const m = rows.length;
      const batch = new Float32Array(m * d);
      rows.forEach((img, j) => batch.set(cur.subarray(img * d, (img + 1) * d), j * d));
      const xs = tf.tensor4d(batch, [m, ...shape]);
      let res: { z: Float32Array; jac: Float32Array };
      try {
        res = await logitsAndJacobian(clf, xs, k);
      } finally {
        xs.dispose();
      }
      passes++;
      const { z, jac } = res;
      const loss = new Float32Array(m);
      for (let j = 0; j < m; j++) {
        const i = rows[j];
        queries[i]++;
        const yi = labels[i];
        let arg = 0;
        for (let c = 1; c < k; c++) if (z[j * k + c] > z[j * k + arg]) arg = c;
        if (arg !== yi && !force[i]) {
          state[i] = 1;
          continue;
        }
        force[i] = 0;
        if (iters[i] >= s.steps) {
          state[i] = 2;
          continue;
        }
        const gy = jac.subarray((yi * m + j) * d, (yi * m + j + 1) * d);
        let bestDist = Infinity;
        let bestK = -1;
        let bestNorm = 0;
        for (let c = 0; c < k; c++) {
          if (c === yi) continue;
          const gc = jac.subarray((c * m + j) * d, (c * m + j + 1) * d);
          let sq = 0;
          for (let q = 0; q < d; q++) {
            const w = gc[q] - gy[q];
            sq += w * w;
          }
          const norm = Math.sqrt(sq);
          const dist = Math.abs(z[j * k + c] - z[j * k + yi]) / (norm + 1e-8);
          if (dist < bestDist) {
            bestDist = dist;
            bestK = c;
            bestNorm = norm;
          }
        }
        loss[j] = bestDist;
        const gl = jac.subarray((bestK * m + j) * d, (bestK * m + j + 1) * d);
        const scale = (bestDist + DEEPFOOL_STEP_MARGIN) / (bestNorm + 1e-8);
        const base = i * d;
        for (let q = 0; q < d; q++) {
          rTot[base + q] += scale * (gl[q] - gy[q]);
          cur[base + q] = Math.min(1, Math.max(0, x0[base + q] + (1 + s.overshoot) * rTot[base + q]));
        }
        iters[i]++;
      }
      rec.record(0, z, loss, rows);
    }
    // the tensor returned: fooled images at their iterate, the others unchanged; success is decided on it
    const out = Float32Array.from(cur);
    for (let i = 0; i < n; i++) if (state[i] !== 1) out.set(x0.subarray(i * d, (i + 1) * d), i * d);
    const adv = tf.tensor4d(out, x.shape);
    let logits: Float32Array;
    try {
      logits = await readFloats(tf.tidy(() => clf.logits(adv)));
    } catch (e) {
      adv.dispose();
      throw e;
    }
    for (let i = 0; i < n; i++) queries[i]++;
    const pred = argmaxRows(logits, n, k);
    let again = false;
    for (let i = 0; i < n; i++) {
      if (state[i] !== 1 || pred[i] !== labels[i]) continue;
      // the label flipped in the iteration's batch but not here: keep going (or give up and return x)
      again = true;
      if (iters[i] < s.steps) {
        state[i] = 0;
        force[i] = 1;
      } else state[i] = 2;
    }
    if (!again) return finish(clf, x, adv, p, rec, { gradientEvaluations: passes * k, queries, logits });
    adv.dispose();
  }
}
