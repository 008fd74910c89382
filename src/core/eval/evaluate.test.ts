import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../engine/node-backend';
import { attackRunner, runAttack } from '../../labs/attacks/index';

import { tinyTask, type TinyTask } from '../adversarial/testing';
import { batchTensor } from '../data/batches';
import type { LabeledImages } from '../data/types';
import { evaluate, type EvalBatch } from './evaluate';

/** The tiny task's images as a byte-valued split (evaluate reads pixels / 255). */
function toSplit(x: tf.Tensor4D, y: Int32Array): LabeledImages {
  const px = x.dataSync();
  return { n: y.length, shape: [8, 8, 1], pixels: Uint8Array.from(px, (v) => Math.round(v * 255)), labels: Uint8Array.from(y) };
}

describe('evaluate with any attack', () => {
  let task: TinyTask;
  let split: LabeledImages;
  beforeAll(async () => {
    await initNodeBackend('wasm');
    task = await tinyTask(7);
    split = toSplit(task.x, task.y);
  });
  afterAll(() => task.dispose());

  it('robust accuracy counts the clean-correct images the attack does not fool (seed = spec seed + batch start)', async () => {
    const spec = { name: 'pgd' as const, eps: 0.1, steps: 5, stepSize: 0.03, randomStart: true, restarts: 1, seed: 3 };
    const r = await evaluate(task.clf, split, { attack: 'run', run: attackRunner(spec) }, { batchSize: split.n });
    // the split holds 8-bit pixels: attack exactly what evaluate sees
    const { x, y } = batchTensor(split, Array.from(split.labels.keys()));
    const pred = tf.tidy(() => tf.argMax(task.clf.logits(x), 1).dataSync());
    const labels = y.dataSync();
    const correct = Array.from(labels.keys()).filter((i) => pred[i] === labels[i]);
    const xs = tf.gather(x, correct) as tf.Tensor4D;
    const direct = await runAttack(
      task.clf,
      xs,
      correct.map((i) => labels[i]),
      spec,
      { keepTrace: false },
    );
    tf.dispose([x, y]);
    expect(r.cleanAccuracy).toBe(correct.length / split.n);
    expect(r.robustAccuracy).toBe(direct.fooled.reduce((s, f) => s + (f ? 0 : 1), 0) / split.n);
    expect(r.robustAccuracy).toBeLessThan(r.cleanAccuracy);
    expect(r.attackStats?.attacked).toBe(correct.length);
    tf.dispose([xs, direct.adversarial]);
  });

  it('a run stopped after some batches and resumed from them returns what one uninterrupted run returns', async () => {
    const spec = { name: 'pgd' as const, eps: 0.1, steps: 3, stepSize: 0.03, randomStart: true, restarts: 1, seed: 5 };
    const run = { attack: 'run' as const, run: attackRunner(spec) };
    const whole = await evaluate(task.clf, split, run, { batchSize: 8 });
    const saved: EvalBatch[] = [];
    const stop = new AbortController();
    await expect(
      evaluate(task.clf, split, run, {
        batchSize: 8,
        signal: stop.signal,
        resume: { done: [], onBatch: (b) => (saved.push(JSON.parse(JSON.stringify(b)) as EvalBatch), saved.length === 2 && stop.abort()) },
      }),
    ).rejects.toThrow(/cancelled/);
    expect(saved.map((b) => b.start)).toEqual([0, 8]);
    const ran: number[] = [];
    const resumed = await evaluate(task.clf, split, run, { batchSize: 8, resume: { done: saved, onBatch: (b) => ran.push(b.start) } });
    // only the batches not saved ran again
    expect(ran[0]).toBe(16);
    expect(ran).not.toContain(8);
    const { seconds: _a, ...a } = whole;
    const { seconds: _b, ...b } = resumed;
    expect(b).toEqual(a);
    // a saved batch of another size is not reused
    const other: number[] = [];
    await evaluate(task.clf, split, run, { batchSize: 4, resume: { done: saved, onBatch: (x) => other.push(x.start) } });
    expect(other).toContain(4);
  });

  it('epsilons: one robust accuracy per epsilon, non-increasing for PGD, consistent with single runs', async () => {
    const spec = { name: 'pgd' as const, eps: 0, steps: 5, stepSize: 0.03, randomStart: false, seed: 1 };
    const before = tf.memory().numTensors;
    const r = await evaluate(task.clf, split, { attack: 'run', run: attackRunner(spec), epsilons: [0, 0.05, 0.15] }, { batchSize: 16 });
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(r.robustAccuracyByEps!).sort()).toEqual(['0', '0.05', '0.15']);
    expect(r.robustAccuracyByEps!['0']).toBe(r.cleanAccuracy);
    expect(r.robustAccuracyByEps!['0.15']).toBeLessThanOrEqual(r.robustAccuracyByEps!['0.05']);
    expect(r.robustAccuracy).toBe(r.robustAccuracyByEps!['0.15']);
    const single = await evaluate(task.clf, split, { attack: 'run', run: attackRunner({ ...spec, eps: 0.05 }) }, { batchSize: 16 });
    expect(single.robustAccuracy).toBe(r.robustAccuracyByEps!['0.05']);
  });

  it('Square reports queries on fooled images; DeepFool the median L2', async () => {
    const s = await evaluate(
      task.clf,
      split,
      { attack: 'run', run: attackRunner({ name: 'square', eps: 0.15, queries: 50 }) },
      { batchSize: 16 },
    );
    expect(s.attackStats!.fooled).toBeGreaterThan(0);
    expect(s.attackStats!.meanQueriesFooled).toBeGreaterThanOrEqual(1);
    expect(s.attackStats!.meanQueriesFooled).toBeLessThanOrEqual(50);
    const d = await evaluate(task.clf, split, { attack: 'run', run: attackRunner({ name: 'deepfool' }) }, { batchSize: 16 });
    expect(d.robustAccuracy).toBe(0);
    expect(d.attackStats!.medianL2Fooled).toBeGreaterThan(0);
    // every fooled image's L2 norm, ascending; its median is the reported one
    const l2 = d.attackStats!.l2Fooled;
    expect(l2).toHaveLength(d.attackStats!.fooled);
    expect([...l2].sort((a, b) => a - b)).toEqual(l2);
    const m = l2.length >> 1;
    expect(d.attackStats!.medianL2Fooled).toBeCloseTo(l2.length % 2 ? l2[m] : (l2[m - 1] + l2[m]) / 2, 10);
  });
});
