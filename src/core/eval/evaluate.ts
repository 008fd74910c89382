/**
 * Clean and robust accuracy over a labelled split, in batches.
 * Robust accuracy = the fraction of images whose prediction on the attacked input is still the true
 * label; images misclassified when clean count as not robust (and are not attacked).
 */
import * as tf from '@tensorflow/tfjs';
import type { LabeledImages } from '../data/datasets';
import type { Classifier } from '../models/classifier';
import { pgd } from '../attacks/pgd';
import { batchTensor } from '../train/train';

export type EvalAttack =
  | { attack: 'none' }
  | { attack: 'fgsm'; eps: number; randomStart?: boolean; seed: number }
  | { attack: 'pgd'; eps: number; steps: number; stepSize: number; randomStart: boolean; restarts: number; seed: number };

export interface EvalResult {
  n: number;
  cleanAccuracy: number;
  robustAccuracy: number;
  seconds: number;
}

export interface EvalOptions {
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export async function evaluate(clf: Classifier, split: LabeledImages, attack: EvalAttack, opts: EvalOptions = {}): Promise<EvalResult> {
  const t0 = performance.now();
  const bs = opts.batchSize ?? 250;
  let clean = 0;
  let robust = 0;
  for (let start = 0; start < split.n; start += bs) {
    if (opts.signal?.aborted) throw new Error('evaluation cancelled');
    const idx = Array.from({ length: Math.min(bs, split.n - start) }, (_, i) => start + i);
    const { x, y } = batchTensor(split, idx);
    const labels = y.dataSync() as Int32Array;
    const pred = tf.tidy(() => tf.argMax(clf.logits(x), 1).dataSync());
    const correct: number[] = [];
    for (let i = 0; i < idx.length; i++) if (pred[i] === labels[i]) correct.push(i);
    clean += correct.length;
    if (attack.attack === 'none') {
      robust += correct.length;
    } else if (correct.length > 0) {
      // attack only the images the model gets right; the seed is tied to the batch position so a
      // run over N images repeats exactly
      const sel = tf.tensor1d(correct, 'int32');
      const xs = tf.gather(x, sel) as tf.Tensor4D;
      const ys = Int32Array.from(correct, (i) => labels[i]);
      const o =
        attack.attack === 'fgsm'
          ? {
              norm: 'linf' as const,
              eps: attack.eps,
              steps: 1,
              stepSize: Math.max(attack.eps, 1e-12),
              randomStart: attack.randomStart ?? false,
              restarts: 1,
            }
          : {
              norm: 'linf' as const,
              eps: attack.eps,
              steps: attack.steps,
              stepSize: attack.stepSize,
              randomStart: attack.randomStart,
              restarts: attack.restarts,
            };
      const r = pgd(clf, xs, ys, { ...o, seed: attack.seed + start, signal: opts.signal });
      robust += r.success.reduce((s, v) => s + (v ? 0 : 1), 0);
      r.adversarial.dispose();
      sel.dispose();
      xs.dispose();
    }
    x.dispose();
    y.dispose();
    opts.onProgress?.(Math.min(start + bs, split.n), split.n);
    await new Promise((r) => setTimeout(r, 0));
  }
  return { n: split.n, cleanAccuracy: clean / split.n, robustAccuracy: robust / split.n, seconds: (performance.now() - t0) / 1000 };
}
