import * as tf from '@tensorflow/tfjs';
import { testJobContext, testServices } from '../../worker/job-testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../core/engine/node-backend';
import { toyData } from '../../core/test-utils';
import { defaultPoison, type PoisonSettings } from './experiment/poison';
import { poisonJob, type PoisonBatchPoint } from './poison-job';

const trainSplit = toyData(300, 1);
const testSplit = toyData(60, 2);

const services = testServices(trainSplit, testSplit);

/** A job context whose signal aborts once the job reports that step. */
function context(abortAfter?: number) {
  const c = testJobContext<PoisonBatchPoint>(services, abortAfter === undefined ? undefined : (e) => e.step >= abortAfter);
  return { ...c, points: c.items };
}

const settings = (over: Partial<PoisonSettings> = {}): PoisonSettings => ({ ...defaultPoison(), epochs: 1, ...over });

beforeAll(async () => {
  await initNodeBackend('wasm', 1);
});

describe('the poison job', () => {
  it('trains, measures, defends and sends back triggered samples with saliency, leaking no tensors', async () => {
    const run = async () => {
      const c = context();
      try {
        const out = await poisonJob(c.ctx, {
          jobId: 1,
          dataset: 'mnist',
          settings: settings({ defence: 'spectral' }),
          seed: 0,
          samples: 4,
        });
        c.flush();
        return { out, points: c.points };
      } finally {
        c.cleanup();
      }
    };
    await run();
    const before = tf.memory().numTensors;
    const { out, points } = await run();
    expect(tf.memory().numTensors).toBe(before);
    expect(out.poisoned).toBe(30);
    expect(out.trainImages).toBe(300);
    // toyData's labels are 0..3: the triggered test images counted are those not of class 0
    expect(out.asrImages).toBe(Array.from(testSplit.labels).filter((l) => l !== 0).length);
    expect(out.samples).toHaveLength(4);
    for (const s of out.samples) {
      expect(s.label).not.toBe(0);
      expect(s.attackLabel).toBe(0);
      expect(s.saliency).toHaveLength(784);
      expect(s.triggered[25 * 28 + 25]).toBe(255);
      expect(s.defendedPrediction).not.toBeNull();
    }
    expect(out.triggerBox).toEqual({ x: 23, y: 23, size: 4 });
    expect(out.defence?.flagged).toBeGreaterThan(0);
    for (const v of [out.cleanAccuracy, out.asr, out.saliencyInTrigger, out.defence!.precision, out.defence!.recall]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    // per-batch points of the poisoned model's training, then of the retraining
    expect(points.filter((p) => p.phase === 'poisoned').map((p) => p.step)).toEqual([1, 2, 3]);
    expect(points.some((p) => p.phase === 'retrain')).toBe(true);
  });

  it('stops when cancelled, freeing its tensors', async () => {
    const before = tf.memory().numTensors;
    const c = context(1);
    await expect(poisonJob(c.ctx, { jobId: 1, dataset: 'mnist', settings: settings({ epochs: 3 }), seed: 0, samples: 2 })).rejects.toThrow(
      /cancel/,
    );
    c.cleanup();
    expect(tf.memory().numTensors).toBe(before);
  });
});
