/**
 * Throughput of a classifier on whatever TensorFlow.js backend is active: inference (images/s),
 * input gradients of the cross-entropy (images/s, the work of one attack step) and PGD (image-steps/s:
 * images x steps per second, L-inf eps 0.3, step 0.01, random start, seed 0, through `runAttack`).
 *
 * The same code runs in the browser's compute worker (rlab bench-browser: WebGPU, WebGL, WASM) and in
 * Node. Each measure runs `warmup` times first (kernel compilation, shader caches, memory pools), then
 * `reps` times; every timed run ends by reading its result back (`await data()`), so GPU work that was
 * queued but not finished is counted.
 */
import * as tf from '@tensorflow/tfjs';
import { AttackCancelled, runAttack } from './algorithms/registry';
import { inputGradient } from '../../core/adversarial/loss';
import type { Classifier } from '../../core/models/classifier';

export interface BenchmarkOptions {
  /** Runs of each measure before the timed ones. Default 1. */
  warmup?: number;
  /** Timed runs of inference and of the input gradient. Default 5. */
  reps?: number;
  /** Steps of the timed PGD run. Default 40. */
  pgdSteps?: number;
  /** Timed PGD runs. Default 1. */
  pgdReps?: number;
  signal?: AbortSignal;
  /** Called before each measure starts (for a progress line). */
  onPhase?: (phase: 'inference' | 'input-gradient' | 'pgd') => void;
}

export interface Timing {
  /** Timed runs. */
  runs: number;
  /** Mean milliseconds per run. */
  msPerRun: number;
}

export interface BenchmarkResult {
  backend: string;
  batchSize: number;
  warmup: number;
  inference: Timing & { imagesPerSecond: number };
  inputGradient: Timing & { imagesPerSecond: number };
  /** imageSteps: images x gradient steps of one timed run, as the attack counted them. */
  pgd: Timing & { steps: number; imageSteps: number; imageStepsPerSecond: number };
}

async function timeRuns(warmup: number, reps: number, signal: AbortSignal | undefined, run: () => Promise<void>): Promise<Timing> {
  for (let i = 0; i < warmup; i++) {
    if (signal?.aborted) throw new AttackCancelled();
    await run();
  }
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) {
    if (signal?.aborted) throw new AttackCancelled();
    await run();
  }
  return { runs: reps, msPerRun: (performance.now() - t0) / reps };
}

/** Throughput of `clf` on the batch x (labels y) on the active backend. Frees every tensor it makes. */
export async function benchmarkClassifier(
  clf: Classifier,
  x: tf.Tensor4D,
  y: ArrayLike<number>,
  opts: BenchmarkOptions = {},
): Promise<BenchmarkResult> {
  const warmup = opts.warmup ?? 1;
  const reps = opts.reps ?? 5;
  const pgdSteps = opts.pgdSteps ?? 40;
  const pgdReps = opts.pgdReps ?? 1;
  for (const [v, what, min] of [
    [warmup, 'warmup', 0],
    [reps, 'reps', 1],
    [pgdSteps, 'pgdSteps', 1],
    [pgdReps, 'pgdReps', 1],
  ] as const)
    if (!Number.isInteger(v) || v < min) throw new Error(`benchmark: ${what} must be a whole number >= ${min}, got ${v}`);
  const n = x.shape[0];
  if (n < 1 || y.length !== n) throw new Error(`benchmark: ${n} images but ${y.length} labels`);
  const labels = Array.from(y);
  const labelT = tf.tensor1d(labels, 'int32');
  try {
    opts.onPhase?.('inference');
    const inference = await timeRuns(warmup, reps, opts.signal, async () => {
      const z = tf.tidy(() => clf.logits(x));
      try {
        await z.data();
      } finally {
        z.dispose();
      }
    });
    opts.onPhase?.('input-gradient');
    const gradient = await timeRuns(warmup, reps, opts.signal, async () => {
      const { grad } = await inputGradient(clf, x, labelT);
      try {
        await grad.data();
      } finally {
        grad.dispose();
      }
    });
    opts.onPhase?.('pgd');
    let imageSteps = 0;
    const pgd = async (steps: number) => {
      const out = await runAttack(
        clf,
        x,
        labels,
        { name: 'pgd', norm: 'linf', eps: 0.3, steps, stepSize: 0.01, randomStart: true, seed: 0 },
        { keepTrace: false, signal: opts.signal },
      );
      try {
        await out.adversarial.data();
      } finally {
        out.adversarial.dispose();
      }
      imageSteps = n * out.gradientEvaluations;
    };
    // the warm-up of PGD: a short run compiles the same kernels
    for (let i = 0; i < warmup; i++) await pgd(Math.min(2, pgdSteps));
    const pgdTiming = await timeRuns(0, pgdReps, opts.signal, () => pgd(pgdSteps));
    return {
      backend: tf.getBackend(),
      batchSize: n,
      warmup,
      inference: { ...inference, imagesPerSecond: (1000 * n) / inference.msPerRun },
      inputGradient: { ...gradient, imagesPerSecond: (1000 * n) / gradient.msPerRun },
      pgd: { ...pgdTiming, steps: pgdSteps, imageSteps, imageStepsPerSecond: (1000 * imageSteps) / pgdTiming.msPerRun },
    };
  } finally {
    labelT.dispose();
  }
}
