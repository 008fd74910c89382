/**
 * DeepFool, L2, multi-class (Moosavi-Dezfooli, Fawzi, Frossard 2016, Algorithm 2), with the overshoot
 * of the authors' code, as Foolbox 3's L2DeepFoolAttack and torchattacks apply it:
 *
 *   x_0 = x, r_tot = 0; while argmax Z(x_i) = y and i < maxIter:
 *     for every class k != y:  w'_k = grad Z_k(x_i) - grad Z_y(x_i),  f'_k = Z_k(x_i) - Z_y(x_i)
 *     l = argmin_{k != y} |f'_k| / ||w'_k||_2
 *     r_i = |f'_l| / ||w'_l||_2^2 * w'_l,   r_tot += r_i
 *     x_{i+1} = clip_[0,1]( x + (1 + overshoot) r_tot )
 *
 * Z are the logits and y the true label (the model's prediction on every image DeepFool attacks: an
 * image that is already misclassified is returned unchanged, with success 1 and norm 0). All classes
 * are candidates (Foolbox's `candidates` = number of classes). Norms get + 1e-8 as in Foolbox.
 * On a linear model one iteration lands at (1 + overshoot) times the minimal L2 perturbation to the
 * nearest decision boundary (unless clipping to [0, 1] intervenes).
 * Defaults: overshoot 0.02, at most 50 iterations. Untargeted only (the paper defines no targeted
 * variant). Each iteration costs one forward pass and K backward passes (the Jacobian of the K logits).
 * Trace: every iterate of the images still being attacked (others NaN), loss = the linearised
 * distance |f'_l| / ||w'_l||_2 to the nearest boundary (0 once misclassified).
 */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../models/classifier';
import { finish, inRange, invalid, isWhole, prepare, Recorder } from './common';
import type { AttackHooks, AttackOutcome, DeepFoolSpec } from './types';

export type ResolvedDeepFool = Required<Omit<DeepFoolSpec, 'target' | 'seed'>> & Pick<DeepFoolSpec, 'target' | 'seed'>;

export function resolveDeepFool(s: DeepFoolSpec): ResolvedDeepFool {
  const r: ResolvedDeepFool = {
    name: 'deepfool',
    norm: s.norm ?? 'l2',
    steps: s.steps ?? 50,
    overshoot: s.overshoot ?? 0.02,
    seed: s.seed,
    target: s.target,
  };
  if (r.norm !== 'l2') invalid(`deepfool is an L2 attack here, not "${String(r.norm)}"`);
  if (r.target !== undefined) invalid('deepfool has no targeted variant');
  if (!isWhole(r.steps, 1, 100000)) invalid(`steps must be a whole number >= 1, got ${r.steps}`);
  if (!inRange(r.overshoot, 0, 10)) invalid(`overshoot must be in [0, 10], got ${r.overshoot}`);
  return r;
}

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
  const done = new Uint8Array(n);
  const shape = x.shape.slice(1) as [number, number, number];
  let passes = 0;
  for (let it = 0; it <= s.steps; it++) {
    await rec.checkpoint();
    const rows = Int32Array.from(Array.from({ length: n }, (_, i) => i).filter((i) => !done[i]));
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
      if (arg !== yi) {
        done[i] = 1;
        continue;
      }
      if (it === s.steps) continue;
      const gy = jac.subarray((yi * m + j) * d, (yi * m + j + 1) * d);
      let bestDist = Infinity;
      let bestK = -1;
      let bestF = 0;
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
        const f = z[j * k + c] - z[j * k + yi];
        const dist = Math.abs(f) / (norm + 1e-8);
        if (dist < bestDist) {
          bestDist = dist;
          bestK = c;
          bestF = f;
          bestNorm = norm;
        }
      }
      loss[j] = bestDist;
      const gl = jac.subarray((bestK * m + j) * d, (bestK * m + j + 1) * d);
      const scale = Math.abs(bestF) / (bestNorm + 1e-8) / (bestNorm + 1e-8);
      const base = i * d;
      for (let q = 0; q < d; q++) {
        rTot[base + q] += scale * (gl[q] - gy[q]);
        cur[base + q] = Math.min(1, Math.max(0, x0[base + q] + (1 + s.overshoot) * rTot[base + q]));
      }
    }
    rec.record(0, z, loss, rows);
  }
  // an image not fooled within maxIter is returned unchanged (the attack failed on it)
  for (let i = 0; i < n; i++) if (!done[i]) cur.set(x0.subarray(i * d, (i + 1) * d), i * d);
  const adv = tf.tensor4d(cur, x.shape);
  return finish(clf, x, adv, p, rec, { gradientEvaluations: passes * k, queries });
}
