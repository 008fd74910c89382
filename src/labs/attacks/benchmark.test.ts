import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../core/engine/node-backend';
import { tinyTask, type TinyTask } from '../../core/adversarial/testing';
import { benchmarkClassifier } from './benchmark';

describe('benchmarkClassifier', () => {
  let task: TinyTask;
  beforeAll(async () => {
    await initNodeBackend('wasm');
    task = await tinyTask(3);
  });
  afterAll(() => task.dispose());

  it('times inference, input gradients and PGD on the active backend, and frees its tensors', async () => {
    const x = task.x.slice([0, 0, 0, 0], [6, -1, -1, -1]) as tf.Tensor4D;
    const y = task.y.subarray(0, 6);
    const phases: string[] = [];
    const before = tf.memory().numTensors;
    const r = await benchmarkClassifier(task.clf, x, y, { warmup: 1, reps: 2, pgdSteps: 3, onPhase: (p) => phases.push(p) });
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    expect(phases).toEqual(['inference', 'input-gradient', 'pgd']);
    expect(r.backend).toBe('wasm');
    expect(r.batchSize).toBe(6);
    expect(r.inference.runs).toBe(2);
    expect(r.pgd.runs).toBe(1);
    // 6 images x 3 gradient steps, as PGD counted them
    expect(r.pgd.imageSteps).toBe(18);
    for (const v of [r.inference, r.inputGradient, r.pgd]) expect(v.msPerRun).toBeGreaterThan(0);
    for (const v of [r.inference.imagesPerSecond, r.inputGradient.imagesPerSecond, r.pgd.imageStepsPerSecond]) {
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThan(0);
    }
    expect(r.inference.imagesPerSecond).toBeCloseTo((1000 * 6) / r.inference.msPerRun, 6);
    expect(r.pgd.imageStepsPerSecond).toBeCloseTo((1000 * 18) / r.pgd.msPerRun, 6);
  });

  it('refuses bad options and stops when aborted', async () => {
    const x = task.x.slice([0, 0, 0, 0], [2, -1, -1, -1]) as tf.Tensor4D;
    const y = task.y.subarray(0, 2);
    await expect(benchmarkClassifier(task.clf, x, y, { reps: 0 })).rejects.toThrow(/reps must be a whole number >= 1/);
    await expect(benchmarkClassifier(task.clf, x, task.y.subarray(0, 3))).rejects.toThrow(/2 images but 3 labels/);
    const c = new AbortController();
    c.abort();
    const before = tf.memory().numTensors;
    await expect(benchmarkClassifier(task.clf, x, y, { signal: c.signal })).rejects.toThrow(/cancelled/);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
