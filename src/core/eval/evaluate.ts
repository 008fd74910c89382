/**
 * Clean and robust accuracy over a labelled split, in batches.
 * Robust accuracy = the fraction of images whose prediction on the attacked input is still the true
 * label; images misclassified when clean count as not robust (and are not attacked). For a targeted
 * attack too, robust means "still classified correctly" (missing the target but changing the label
 * counts as broken).
 */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../models/classifier';
import { sweepEpsilons, type EvalAttack as Attack } from './sweep';
import { batchTensor } from '../data/batches';
import type { LabeledImages } from '../data/types';

export type EvalAttack =
  | { attack: 'none' }
  /**
   * An attack (a lab supplies it; the attacks lab's `attackRunner(spec)`). The seed of batch b is the
   * attack's seed + (index of its first image), so a run over N images repeats exactly. With epsilons
   * (Foolbox style), robust accuracy per epsilon through the one sweep path (sweep.ts): bounded attacks
   * run once per epsilon, minimisation attacks (C&W, DeepFool) once.
   */
  | { attack: 'run'; run: Attack; epsilons?: number[] };

export interface EvalResult {
  n: number;
  cleanAccuracy: number;
  /** With epsilons: the robust accuracy at the largest epsilon. */
  robustAccuracy: number;
  seconds: number;
  /** With epsilons: robust accuracy per epsilon, keyed by the epsilon as written by String(eps). */
  robustAccuracyByEps?: Record<string, number>;
  /** For attacks without epsilons, over the attacked (clean-correct) images. */
  attackStats?: {
    attacked: number;
    /** Images the attack fooled (prediction != label). */
    fooled: number;
    /** Queries (forward passes) per image: mean and median over the fooled images (Square Attack's convention). */
    meanQueriesFooled: number | null;
    medianQueriesFooled: number | null;
    /** L2 norm of the perturbation: median over the fooled images. */
    medianL2Fooled: number | null;
    /** L2 norms of the perturbations of the fooled images, ascending (robust accuracy at any L2 threshold follows). */
    l2Fooled: number[];
    /** Attacks made of stages (AutoAttack): per stage, in order, images attacked and fooled, summed over batches. */
    stages?: { stage: string; attacked: number; fooled: number; seconds: number }[];
  };
}

function median(v: number[]): number | null {
  if (v.length === 0) return null;
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * What one batch contributed. `evaluate` folds these in batch order, so a run resumed from saved batches
 * (options.resume) returns exactly what one uninterrupted run returns (only `seconds` differs).
 */
export interface EvalBatch {
  /** Index of the batch's first image in the split; with the batch size, names the batch. */
  start: number;
  n: number;
  clean: number;
  /** Without epsilons: images still correct after the attack. */
  robust: number;
  attacked: number;
  fooledQueries: number[];
  fooledL2: number[];
  stages: { stage: string; attacked: number; fooled: number; seconds: number }[];
  /** With epsilons: images still correct per epsilon, in the order of the epsilons. */
  robustByEps: number[] | null;
  seconds: number;
}

export interface EvalOptions {
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /**
   * Resume: batches an earlier run with the same split, attack, seed and batch size finished (they are
   * not run again), and a callback given each batch this run finishes (to save it).
   */
  resume?: { done: EvalBatch[]; onBatch: (b: EvalBatch) => void };
}

export async function evaluate(clf: Classifier, split: LabeledImages, attack: EvalAttack, opts: EvalOptions = {}): Promise<EvalResult> {
  const bs = opts.batchSize ?? 250;
  const epsilons = attack.attack === 'run' ? attack.epsilons : undefined;
  const saved = new Map((opts.resume?.done ?? []).map((b) => [b.start, b]));
  /** Clean predictions and the attack on one batch (x, y are disposed by the caller). */
  const evaluateBatch = async (x: tf.Tensor4D, y: tf.Tensor1D, start: number): Promise<EvalBatch> => {
    const t0 = performance.now();
    const labels = (await y.data()) as Int32Array;
    const b: EvalBatch = {
      start,
      n: labels.length,
      clean: 0,
      robust: 0,
      attacked: 0,
      fooledQueries: [],
      fooledL2: [],
      stages: [],
      robustByEps: epsilons ? epsilons.map(() => 0) : null,
      seconds: 0,
    };
    const predT = tf.tidy(() => tf.argMax(clf.logits(x), 1));
    const pred = await predT.data();
    predT.dispose();
    const correct: number[] = [];
    for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) correct.push(i);
    b.clean = correct.length;
    if (attack.attack === 'none') {
      b.robust = correct.length;
    } else if (attack.attack === 'run' && correct.length > 0) {
      const sel = tf.tensor1d(correct, 'int32');
      const xs = tf.gather(x, sel) as tf.Tensor4D;
      sel.dispose();
      const ys = Int32Array.from(correct, (i) => labels[i]);
      const seed = attack.run.seed + start;
      const hooks = { signal: opts.signal, keepTrace: false };
      try {
        if (epsilons && b.robustByEps) {
          const r = await sweepEpsilons(clf, xs, ys, attack.run, epsilons, hooks, { seed });
          r.robust.forEach((rb, j) => (b.robustByEps![j] += rb.reduce((s, v) => s + v, 0)));
        } else {
          const r = await attack.run.run(clf, xs, ys, undefined, seed, hooks);
          r.adversarial.dispose();
          b.attacked = ys.length;
          for (const st of r.stages ?? []) b.stages.push({ ...st });
          for (let i = 0; i < ys.length; i++) {
            if (r.fooled[i]) {
              b.fooledQueries.push(r.queries[i]);
              b.fooledL2.push(r.norms.l2[i]);
            } else {
              b.robust++;
            }
          }
        }
      } finally {
        xs.dispose();
      }
    }
    b.seconds = (performance.now() - t0) / 1000;
    return b;
  };
  const batches: EvalBatch[] = [];
  for (let start = 0; start < split.n; start += bs) {
    if (opts.signal?.aborted) throw new Error('evaluation cancelled');
    const size = Math.min(bs, split.n - start);
    const old = saved.get(start);
    if (old && old.n === size) {
      batches.push(old);
    } else {
      const idx = Array.from({ length: size }, (_, i) => start + i);
      const { x, y } = batchTensor(split, idx);
      try {
        const b = await evaluateBatch(x, y, start);
        batches.push(b);
        opts.resume?.onBatch(b);
      } finally {
        x.dispose();
        y.dispose();
      }
    }
    opts.onProgress?.(start + size, split.n);
    await new Promise((r) => setTimeout(r, 0));
  }
  return foldBatches(batches, split.n, attack, epsilons);
}

/** The result of a run from its batches, in batch order. */
function foldBatches(batches: EvalBatch[], n: number, attack: EvalAttack, epsilons: number[] | undefined): EvalResult {
  const sum = (f: (b: EvalBatch) => number) => batches.reduce((s, b) => s + f(b), 0);
  const clean = sum((b) => b.clean);
  const seconds = sum((b) => b.seconds);
  if (epsilons) {
    const byEps: Record<string, number> = {};
    epsilons.forEach((e, j) => (byEps[String(e)] = sum((b) => b.robustByEps?.[j] ?? 0) / n));
    const largest = epsilons.reduce((best, e, j) => (e > epsilons[best] ? j : best), 0);
    return { n, cleanAccuracy: clean / n, robustAccuracy: byEps[String(epsilons[largest])], seconds, robustAccuracyByEps: byEps };
  }
  const result: EvalResult = { n, cleanAccuracy: clean / n, robustAccuracy: sum((b) => b.robust) / n, seconds };
  if (attack.attack === 'run') {
    const fooledQueries = batches.flatMap((b) => b.fooledQueries);
    const fooledL2 = batches.flatMap((b) => b.fooledL2);
    const stages: EvalBatch['stages'] = [];
    for (const st of batches.flatMap((b) => b.stages)) {
      const at = stages.find((x) => x.stage === st.stage);
      if (at) Object.assign(at, { attacked: at.attacked + st.attacked, fooled: at.fooled + st.fooled, seconds: at.seconds + st.seconds });
      else stages.push({ ...st });
    }
    result.attackStats = {
      attacked: sum((b) => b.attacked),
      fooled: fooledQueries.length,
      meanQueriesFooled: fooledQueries.length ? fooledQueries.reduce((s, v) => s + v, 0) / fooledQueries.length : null,
      medianQueriesFooled: median(fooledQueries),
      medianL2Fooled: median(fooledL2),
      l2Fooled: [...fooledL2].sort((a, b) => a - b),
      ...(stages.length > 0 ? { stages } : {}),
    };
  }
  return result;
}
