import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../core/engine/node-backend';
import { toyData } from '../../core/test-utils';
import { testJobContext, testServices } from '../../worker/job-testing';
import {
  MIA_ATTACKS,
  miaRunKey,
  runMiaAttack,
  targetEpsilon,
  trainMiaModels,
  type MiaConfig,
  type ModelCache,
  type ModelRecord,
} from './mia';
import { miaJob, type MiaEvent } from './mia-job';

const trainSplit = toyData(80, 1);
const testSplit = toyData(20, 2);
const config = (over: Partial<MiaConfig> = {}): MiaConfig => ({
  dataset: 'mnist',
  pool: 40,
  shadows: 3,
  seed: 0,
  training: { architecture: 'cnn-small', epochs: 1, batchSize: 16, learningRate: 0.002 },
  holdout: 10,
  ...over,
});

function memoryCache(): ModelCache & { saved: Map<number, ModelRecord> } {
  const saved = new Map<number, ModelRecord>();
  return { saved, load: async (m) => saved.get(m) ?? null, save: async (m, r) => void saved.set(m, r) };
}

describe('the membership-inference experiment', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  it('trains K + 1 seeded models on LiRA halves, repeats exactly, leaks no tensors, and reuses its cache', async () => {
    const cache = memoryCache();
    const a = await trainMiaModels(config(), trainSplit, testSplit, { cache });
    expect(a.logits).toHaveLength(4);
    // each pool image in exactly floor(4 / 2) = 2 models
    for (let i = 0; i < 40; i++) expect(a.keep.reduce((s, k) => s + k[i], 0)).toBe(2);
    expect(cache.saved.size).toBe(4);
    const before = tf.memory().numTensors;
    const b = await trainMiaModels(config(), trainSplit, testSplit);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(b.logits[3])).toEqual(Array.from(a.logits[3]));
    expect(Array.from(b.poolIndex)).toEqual(Array.from(a.poolIndex));
    // from the cache: nothing trained (no progress steps but cached ones), the same outputs
    const steps: boolean[] = [];
    const c = await trainMiaModels(config(), trainSplit, testSplit, { cache, onProgress: (p) => steps.push(p.cached) });
    expect(steps.every((x) => x)).toBe(true);
    expect(c.logits[2]).toBe(a.logits[2]);
    // another seed: another pool
    expect(miaRunKey(config({ seed: 1 }))).not.toBe(miaRunKey(config()));
    for (const attack of MIA_ATTACKS) {
      const r = runMiaAttack(a, attack);
      expect(r.auc).toBeGreaterThanOrEqual(0);
      expect(r.auc).toBeLessThanOrEqual(1);
      expect(r.scores).toHaveLength(40);
    }
  });

  it('trains every model with DP-SGD when asked (another run key, an epsilon), and refuses too few shadows', async () => {
    const cfg = config({ dp: { sigma: 1, clip: 1 } });
    expect(miaRunKey(cfg)).not.toBe(miaRunKey(config()));
    const before = tf.memory().numTensors;
    const plain = await trainMiaModels(config(), trainSplit, testSplit);
    const dp = await trainMiaModels(cfg, trainSplit, testSplit);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(dp.logits[3])).not.toEqual(Array.from(plain.logits[3]));
    const eps = targetEpsilon(cfg, dp)!;
    expect(eps.rdp).toBeGreaterThan(0);
    expect(eps.prv).toBeGreaterThan(0);
    expect(targetEpsilon(config(), plain)).toBeNull();
    await expect(trainMiaModels(config({ shadows: 2 }), trainSplit, testSplit)).rejects.toThrow(/at least 3 shadow/);
  });

  it('the worker job reports every model, all attacks, exposed members; it cancels', async () => {
    const c = testJobContext<MiaEvent>(testServices(trainSplit, testSplit));
    const res = await miaJob(c.ctx, { config: config(), exposed: 3 });
    c.flush();
    expect(c.items.filter((e) => e.kind === 'model')).toHaveLength(4);
    expect(res.attacks.map((a) => a.attack)).toEqual([...MIA_ATTACKS]);
    expect(res.exposed).toHaveLength(3);
    expect(res.exposed[0].pixels).toHaveLength(784);
    expect(res.members + res.nonMembers).toBe(40);
    const ac = new AbortController();
    ac.abort();
    const c2 = testJobContext<MiaEvent>(testServices(trainSplit, testSplit));
    await expect(miaJob({ ...c2.ctx, signal: ac.signal }, { config: config(), exposed: 3 })).rejects.toThrow(/cancelled/);
  });
});
