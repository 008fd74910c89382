import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyTask, type TinyTask } from '../../../core/adversarial/testing';
import type { LabeledImages } from '../../../core/data/types';
import { bitDepth, median } from '../../../core/defences';
import type { AttackSpec } from '../../attacks/index';
import { detectorRunError, evaluateDetector } from './evaluate';

let task: TinyTask;
let split: LabeledImages;
beforeAll(async () => {
  await tf.setBackend('cpu');
  task = await tinyTask(5, { keep: 40 });
  const px = await task.x.data();
  split = { n: task.y.length, shape: [8, 8, 1], pixels: Uint8Array.from(px, (v) => Math.round(v * 255)), labels: Uint8Array.from(task.y) };
});
afterAll(() => task.dispose());

const pgd = { name: 'pgd', norm: 'linf', eps: 0.3, steps: 10, stepSize: 0.05, randomStart: false, seed: 0 } as unknown as AttackSpec;

describe('the detector evaluation', () => {
  it('refuses overlapping clean and attacked images, and a non-PGD adaptive attack', () => {
    expect(detectorRunError(split, pgd, { start: 0, n: 30, cleanN: 20, adaptive: 'none' })).toMatch(/overlap/);
    expect(detectorRunError(split, pgd, { start: 0, n: 20, cleanN: 20, adaptive: 'none' })).toBeNull();
    expect(detectorRunError(split, { ...pgd, name: 'deepfool' } as AttackSpec, { start: 0, n: 20, cleanN: 20, adaptive: 'bpda' })).toMatch(
      /PGD/,
    );
  });

  it('counts what it reports consistently, frees every tensor, and can be cancelled', async () => {
    const before = tf.memory().numTensors;
    const phases: string[] = [];
    const r = await evaluateDetector(task.clf, split, pgd, {
      squeezers: [bitDepth(1), median(2)],
      fpr: 0.1,
      start: 0,
      n: 20,
      cleanN: 20,
      adaptive: 'none',
      batchSize: 8,
      onProgress: (p) => phases.push(p),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(phases[0]).toBe('threshold');
    expect(phases[phases.length - 1]).toBe('attack');
    expect(r.cleanScores).toHaveLength(20);
    expect(r.cleanScores.filter((v) => v > r.threshold).length).toBe(Math.round(r.fprMeasured * 20));
    expect(r.fprMeasured).toBeLessThanOrEqual(0.1);
    expect(r.adversarialScores).toHaveLength(r.successful);
    expect(r.detected).toBe(r.adversarialScores.filter((v) => v > r.threshold).length);
    expect(r.successful).toBeGreaterThan(0);
    expect(r.robustAccuracy).toBeCloseTo((r.cleanCorrect - r.successful) / 20, 10);
    expect(r.robustAccuracyUndetected).toBeGreaterThanOrEqual(r.robustAccuracy);
    expect(r.roc[r.roc.length - 1]).toEqual([1, 1]);
    const ac = new AbortController();
    ac.abort();
    await expect(
      evaluateDetector(task.clf, split, pgd, {
        squeezers: [bitDepth(1)],
        fpr: 0.1,
        start: 0,
        n: 20,
        cleanN: 20,
        adaptive: 'none',
        batchSize: 8,
        signal: ac.signal,
      }),
    ).rejects.toThrow(/cancelled/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
