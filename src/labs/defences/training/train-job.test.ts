import { toyData } from '../../../core/test-utils';
import 'fake-indexeddb/auto';
import type { WorkerJobContext } from '../../../worker/jobs';
import { testJobContext, testServices } from '../../../worker/job-testing';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../../core/engine/node-backend';
import { defaultTraining, type TrainingSettings } from '../experiment/training';
import { exportZip, readExport } from './model-export';
import { importModelJob, trainJob, type TrainEvent, type TrainRequest } from './train-job';
import { getUserModel, listUserModels, loadRun, userStore } from './user-models';

const trainSplit = toyData(400, 1);
const testSplit = toyData(60, 2);

const services = testServices(trainSplit, testSplit);

/** A job context whose signal aborts once the job reports a batch at that step. */
function context(abortAfter?: number) {
  const c = testJobContext<TrainEvent>(
    services,
    abortAfter === undefined ? undefined : (e) => e.kind === 'batch' && e.point.step >= abortAfter,
  );
  return { ...c, events: c.items };
}

const settings = (over: Partial<TrainingSettings>): TrainingSettings => ({
  ...defaultTraining(),
  batchSize: 32,
  slice: 320,
  holdout: 64,
  probeEvery: 4,
  testImages: 60,
  eps: 0.1,
  stepSize: 0.125,
  learningRate: 2e-3,
  ...over,
});

async function run(req: Omit<TrainRequest, 'jobId'>, abortAfter?: number) {
  const c = context(abortAfter);
  try {
    const out = await trainJob(c.ctx, { jobId: 1, ...req });
    c.flush();
    return { out, events: c.events };
  } finally {
    c.cleanup();
  }
}

describe('the train job', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  it('trains FGSM-RS, streams batches, probes and epochs, stores the model with a measured card, and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const { out, events } = await run({ dataset: 'mnist', settings: settings({ method: 'fgsm-rs', epochs: 2 }), base: null });
    expect(out.status).toBe('done');
    const batches = events.filter((e) => e.kind === 'batch');
    // 320 images in batches of 32, two epochs
    expect(batches.map((e) => e.point.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    for (const b of batches) {
      expect(b.point.accuracy).toBeGreaterThanOrEqual(0);
      expect(b.point.accuracy).toBeLessThanOrEqual(1);
      expect(b.point.imagesPerSecond).toBeGreaterThan(0);
    }
    // the last batch accuracy is a multiple of 1/32: it was counted on the batch itself
    expect(Math.round(batches[5].point.accuracy * 32)).toBeCloseTo(batches[5].point.accuracy * 32, 6);
    expect(events.filter((e) => e.kind === 'probe').map((e) => e.point.step)).toEqual([4, 8, 12, 16]);
    expect(events.filter((e) => e.kind === 'epoch').map((e) => e.point.step)).toEqual([10, 20]);
    const card = out.card!;
    expect(card.id).toBe('my-mnist-fgsm-rs');
    expect(card.cleanAccuracy.n).toBe(60);
    expect(card.cleanAccuracy.accuracy).toBeGreaterThan(0.8);
    expect(card.robustAccuracy[0]).toMatchObject({ attack: 'pgd', eps: 0.1, steps: 10, n: 60 });
    expect(card.training).toMatch(/^adversarial: FGSM with random start/);
    expect(card.backend).toBe('wasm (test)');
    const db = await userStore();
    expect((await listUserModels(db)).cards.map((c) => c.id)).toContain(card.id);
    expect(await loadRun(db)).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
    await run({ dataset: 'mnist', settings: settings({ method: 'fgsm-rs', epochs: 1 }), base: null });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('paused and resumed, ends with the same weights as a run without a pause', async () => {
    const s = settings({ method: 'pgd', steps: 2, stepSize: 0.05, epochs: 1, probeEvery: 0 });
    const whole = await run({ dataset: 'mnist', settings: s, base: null });
    const paused = await run({ dataset: 'mnist', settings: s, base: null }, 4);
    expect(paused.out.status).toBe('paused');
    const db = await userStore();
    const stored = await loadRun(db);
    expect(stored?.state?.partial?.batches).toBe(4);
    const resumed = await run({ dataset: 'other', settings: defaultTraining(), base: null, resume: true });
    expect(resumed.out.status).toBe('done');
    expect(resumed.out.log.batches.map((b) => b.step)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(resumed.out.card!.weights[0].sha256).toBe(whole.out.card!.weights[0].sha256);
    expect(resumed.out.card!.cleanAccuracy.accuracy).toBe(whole.out.card!.cleanAccuracy.accuracy);
  });

  it('trains TRADES through its step function', async () => {
    const { out, events } = await run({
      dataset: 'mnist',
      settings: settings({ method: 'trades', steps: 2, stepSize: 0.05, beta: 6, slice: 128, probeEvery: 0, testImages: 20 }),
      base: null,
    });
    expect(out.status).toBe('done');
    expect(events.filter((e) => e.kind === 'batch')).toHaveLength(4);
    expect(out.card!.training).toMatch(/^adversarial: TRADES \(Zhang et al\. 2019\), beta 6, PGD-2/);
    expect(out.card!.notes).toContain('method: trades');
  });

  it('fine-tunes the active model: training starts from its weights', async () => {
    const { buildModel } = await import('../../../core/models/architectures');
    const { serializeLayersModel, loadLayersModel } = await import('../../../core/models/io');
    const src = buildModel('cnn-small', [28, 28, 1], 10, 42);
    const { modelJson, weights } = await serializeLayersModel(src);
    const baseWeights = src.getWeights().map((w) => Array.from(w.dataSync()));
    src.dispose();
    const files = { json: new TextEncoder().encode(modelJson), weights: new Map([['weights.bin', weights]]) };
    const loaded = await loadLayersModel(files.json, async () => weights);
    const baseCard = {
      id: 'base-model',
      architecture: 'the base',
      weights: [{ path: 'weights.bin', sha256: 'c'.repeat(64), bytes: weights.length }],
    };
    const active = { card: baseCard, files, loaded };
    const c = context();
    const ctx = { ...c.ctx, services: { ...services, model: () => active } } as WorkerJobContext<TrainEvent>;
    // a constant, tiny learning rate: the fine-tuned weights stay next to the base's
    const s = settings({ method: 'standard', slice: 64, probeEvery: 0, testImages: 20, learningRate: 1e-7, schedule: 'constant' });
    const out = await trainJob(ctx, { jobId: 1, dataset: 'mnist', settings: s, base: baseCard as never });
    c.cleanup();
    loaded.model.dispose();
    expect(out.card!.training).toMatch(/fine-tuned from base-model/);
    expect(out.card!.architecture).toBe('the base');
    const rec = (await getUserModel(await userStore(), out.card!.id))!;
    const tuned = new Float32Array(rec.weights[0].bytes.slice().buffer);
    const first = baseWeights[0];
    const maxDiff = first.reduce((m, v, i) => Math.max(m, Math.abs(v - tuned[i])), 0);
    expect(maxDiff).toBeLessThan(1e-4);
    expect(maxDiff).toBeGreaterThan(0);
  });

  it('re-imports an export, and refuses one with NaN weights without touching what is stored', async () => {
    const db = await userStore();
    const { cards } = await listUserModels(db);
    const rec = (await getUserModel(db, cards[0].id))!;
    const ctx = context().ctx as never;
    const again = await importModelJob(ctx, { jobId: 2, files: [{ name: 'x.zip', bytes: exportZip(rec) }] });
    expect(again).toMatchObject({ already: true, card: { id: rec.id } });
    // the same model with one weight set to NaN, its card's sha256 made to match
    const nan = new Uint8Array(rec.weights[0].bytes);
    new Float32Array(nan.buffer)[3] = Number.NaN;
    const { sha256Hex } = await import('../../../core/models/io');
    const card = { ...rec.card, weights: [{ ...rec.card.weights[0], sha256: await sha256Hex(nan) }] };
    const zip = exportZip({ card, json: rec.json, weights: [{ path: 'weights.bin', bytes: nan }] });
    expect(readExport([{ name: 'x.zip', bytes: zip }]).card.id).toBe(rec.id);
    await expect(importModelJob(ctx, { jobId: 3, files: [{ name: 'x.zip', bytes: zip }] })).rejects.toThrow(/NaN or infinite/);
    expect((await listUserModels(db)).cards.map((c) => c.id)).toEqual(cards.map((c) => c.id));
    expect(Array.from((await getUserModel(db, rec.id))!.weights[0].bytes)).toEqual(Array.from(rec.weights[0].bytes));
  });
});
