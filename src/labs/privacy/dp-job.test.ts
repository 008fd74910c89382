import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../core/engine/node-backend';
import { buildModel } from '../../core/models/architectures';
import type { ModelCard } from '../../core/models/card';
import { toyData } from '../../core/test-utils';
import { testJobContext, testServices } from '../../worker/job-testing';
import type { WorkerServices } from '../../worker/jobs';
import { listUserModels, loadRun, trainingMethodOf, userStore } from '../defences/index';
import { epsilonSpent } from './algorithms/accountants/accountant';
import { DP_RUN, dpClipJob, dpMembershipJob, dpTrainJob, type DpEvent } from './dp-job';
import { defaultDp, type DpSettings } from './experiment/dp';

const trainSplit = toyData(400, 1);
const testSplit = toyData(60, 2);
const services = testServices(trainSplit, testSplit);

// 200 images, expected batch 20: q = 0.1, 10 steps an epoch
const settings = (over: Partial<DpSettings> = {}): DpSettings => ({
  ...defaultDp(),
  slice: 200,
  batch: 20,
  epochs: 2,
  sigma: 1,
  clip: 1,
  learningRate: 0.5,
  delta: 1e-3,
  every: 5,
  probe: 40,
  testImages: 60,
  ...over,
});

async function run(s: DpSettings, abortWhen?: (e: DpEvent) => boolean) {
  const c = testJobContext<DpEvent>(services, abortWhen);
  try {
    const out = await dpTrainJob(c.ctx, { jobId: 1, dataset: 'mnist', settings: s });
    c.flush();
    return { out, events: c.items };
  } finally {
    c.cleanup();
  }
}

const stored = async () => (await listUserModels(await userStore())).cards.map((c) => c.id);

describe('the dpTrain job', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  it('streams epsilon and accuracy, ends at the accountant epsilon of the steps taken, stores a card with privacy, leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const s = settings();
    const { out, events } = await run(s);
    const start = events.find((e) => e.kind === 'start');
    expect(start?.kind === 'start' && start.plan).toMatchObject({
      sampleRate: 0.1,
      stepsPerEpoch: 10,
      totalSteps: 20,
      expectedBatch: 20,
      noiseMultiplier: 1,
    });
    const points = events.flatMap((e) => (e.kind === 'point' ? [e.point] : []));
    expect(points.map((p) => p.step)).toEqual([0, 5, 10, 15, 20]);
    expect(out.points).toEqual(points);
    expect(points[0].epsilon).toBe(0);
    for (let i = 1; i < points.length; i++) expect(points[i].epsilon).toBeGreaterThan(points[i - 1].epsilon);
    for (const p of points) {
      expect(p.accuracy).toBeGreaterThanOrEqual(0);
      expect(p.accuracy).toBeLessThanOrEqual(1);
      // the probe holds 40 images: an accuracy is a count of them
      expect(Math.abs(p.accuracy * 40 - Math.round(p.accuracy * 40))).toBeLessThan(1e-9);
    }
    const rdp = (steps: number) => epsilonSpent('rdp', [{ noiseMultiplier: 1, sampleRate: 0.1, steps }], 1e-3).epsilon;
    for (const p of points.slice(1)) expect(p.epsilon).toBeCloseTo(rdp(p.step), 10);
    expect(out.status).toBe('done');
    const card = out.card!;
    expect(card.id).toBe('my-mnist-dp-sigma1');
    expect(card.privacy).toMatchObject({
      method: 'dp-sgd',
      noiseMultiplier: 1,
      clip: 1,
      sampleRate: 0.1,
      expectedBatchSize: 20,
      steps: 20,
      delta: 1e-3,
    });
    expect(card.privacy!.epsilon.map((e) => e.accountant)).toEqual(['rdp', 'rdp-classic', 'prv']);
    for (const e of card.privacy!.epsilon) {
      const want = epsilonSpent(e.accountant as 'rdp', [{ noiseMultiplier: 1, sampleRate: 0.1, steps: 20 }], 1e-3);
      expect(e.epsilon).toBe(want.epsilon);
      expect(e.order).toBe(want.order);
      expect(e.command).toContain(`--steps 20 --delta 0.001 --accountant ${e.accountant}`);
    }
    expect(card.privacy!.epsilon[0].epsilon).toBe(points[points.length - 1].epsilon);
    expect(card.cleanAccuracy.n).toBe(60);
    // the toy task is learnt through the noise (4 classes: chance is 25%)
    expect(card.cleanAccuracy.accuracy).toBeGreaterThan(0.5);
    expect(trainingMethodOf(card)).toBe('DP-SGD');
    expect(card.architecture).toMatch(/^cnn-opacus/);
    expect(await stored()).toContain(card.id);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('finds the noise multiplier for a target epsilon, and spends no more than it', async () => {
    const { out } = await run(settings({ noise: 'epsilon', target: 8, accountant: 'prv', epochs: 1, every: 100 }));
    const p = out.card!.privacy!;
    expect(p.noiseMultiplier).toBe(out.plan.noiseMultiplier);
    expect(p.steps).toBe(10);
    const prv = p.epsilon.find((e) => e.accountant === 'prv')!.epsilon;
    expect(prv).toBeLessThanOrEqual(8);
    expect(prv).toBeGreaterThan(8 - 0.011);
    // the readings: before training and after the epoch
    expect(out.points.map((x) => x.step)).toEqual([0, 10]);
    expect(out.points[1].epsilon).toBeCloseTo(prv, 12);
  });

  it('stopped, stores no model but the run; resumed, ends with the same weights and epsilon as a run without a stop', async () => {
    const before = tf.memory().numTensors;
    const s = settings({ epochs: 2, every: 3 });
    const whole = await run(s);
    const ids = await stored();
    const stopped = await run(s, (e) => e.kind === 'point' && e.point.step >= 6);
    expect(stopped.out.status).toBe('paused');
    expect(stopped.out.card).toBeNull();
    expect(await stored()).toEqual(ids);
    const db = await userStore();
    const saved = await loadRun<unknown, { points: { step: number }[] }>(db, DP_RUN);
    expect(saved?.state?.step).toBe(6);
    expect(saved?.log.points.map((p) => p.step)).toEqual([0, 3, 6]);
    // the Train panel's run is another record
    expect(await loadRun(db)).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
    const c = testJobContext<DpEvent>(services);
    const resumed = await dpTrainJob(c.ctx, { jobId: 1, dataset: 'other', settings: defaultDp(), resume: true });
    c.flush();
    c.cleanup();
    expect(resumed.status).toBe('done');
    expect(resumed.points.map((p) => p.step)).toEqual(whole.out.points.map((p) => p.step));
    expect(resumed.points.map((p) => p.epsilon)).toEqual(whole.out.points.map((p) => p.epsilon));
    expect(resumed.card!.weights[0].sha256).toBe(whole.out.card!.weights[0].sha256);
    expect(resumed.card!.privacy).toEqual(whole.out.card!.privacy);
    // the start event gave the page the readings before the stop
    const start = c.items.find((e) => e.kind === 'start');
    expect(start?.kind === 'start' && start.points.map((p) => p.step)).toEqual([0, 3, 6]);
    expect(await loadRun(db, DP_RUN)).toBeNull();
    await expect(
      dpTrainJob(testJobContext<DpEvent>(services).ctx, { jobId: 1, dataset: 'mnist', settings: s, resume: true }),
    ).rejects.toThrow(/no stored DP-SGD run/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses settings it cannot run, with a message', async () => {
    await expect(run(settings({ delta: 0.01 }))).rejects.toThrow(/δ = 0.01 is not below 1 \/ 200/);
    await expect(run(settings({ batch: 300, slice: 200 }))).rejects.toThrow(/expected batch \(300\) cannot exceed/);
    await expect(run(settings({ slice: 5000 }))).rejects.toThrow(/5000 training images asked for, but the training file has 400/);
  });
});

/** Worker services whose active model (the one in Setup) is `model`, an MNIST network with logits. */
function withActiveModel(base: WorkerServices, model: tf.LayersModel, id: string): WorkerServices {
  return {
    ...base,
    model: () => ({
      card: { id, dataset: 'mnist' } as ModelCard,
      files: { json: new Uint8Array(), weights: new Map() },
      loaded: {
        model,
        weightBytes: 0,
        classifier: { logits: (x) => model.apply(x) as tf.Tensor2D, inputShape: [28, 28, 1], numClasses: 10, outputKind: 'logits' },
      },
    }),
  };
}

describe('the dpClip job', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  const withModel = (model: tf.LayersModel): WorkerServices => withActiveModel(services, model, 'toy-dp');

  it('clips every norm to at most C, keeps norms under C as they are, and draws noise of the expected size', async () => {
    const model = buildModel('cnn-opacus', [28, 28, 1], 10, 3);
    const before = tf.memory().numTensors;
    const c = testJobContext(withModel(model));
    // clip below the smallest norms and above some: take the median of a first look
    const look = await dpClipJob(c.ctx, { jobId: 1, dataset: 'mnist', settings: settings({ clip: 1000, image: 7 }) });
    const median = [...look.norms].sort((a, b) => a - b)[Math.floor(look.norms.length / 2)];
    const clip = median;
    const out = await dpClipJob(c.ctx, { jobId: 1, dataset: 'mnist', settings: settings({ clip, sigma: 1.3, image: 7 }) });
    c.cleanup();
    expect(out.indices[0]).toBe(7);
    expect(out.labels[0]).toBe(trainSplit.labels[7]);
    expect(out.pixels).toEqual(trainSplit.pixels.slice(7 * 784, 8 * 784));
    expect(out.norms.length).toBe(out.indices.length);
    expect(out.norms.length).toBeGreaterThan(5);
    let above = 0;
    out.norms.forEach((n, i) => {
      expect(out.clippedNorms[i]).toBeLessThanOrEqual(clip * (1 + 1e-5));
      if (n < clip) expect(out.clippedNorms[i]).toBeCloseTo(n, 5);
      else {
        above++;
        expect(out.clippedNorms[i]).toBeCloseTo(clip, 4);
      }
    });
    expect(above).toBeGreaterThan(0);
    expect(above).toBeLessThan(out.norms.length);
    // the chosen image's clipped norm, measured on its clipped gradient itself
    expect(out.image.clippedNorm).toBeCloseTo(Math.min(out.image.norm, clip), 4);
    expect(out.image.factor).toBeCloseTo(Math.min(1, clip / out.image.norm), 5);
    // with C far above every norm nothing changes
    look.norms.forEach((n, i) => expect(look.clippedNorms[i]).toBeCloseTo(n, 5));
    // noise: N(0, (sigma C)^2) over d parameters has a norm close to sigma C sqrt(d)
    expect(out.parameters).toBe(model.countParams());
    expect(out.noiseExpected).toBeCloseTo(1.3 * clip * Math.sqrt(out.parameters), 6);
    expect(Math.abs(out.noiseNorm / out.noiseExpected - 1)).toBeLessThan(0.02);
    // the sum of clipped gradients is at most the sum of their norms; the noised sum obeys the triangle inequality
    expect(out.sumNorm).toBeLessThanOrEqual(out.clippedNorms.reduce((a, b) => a + b, 0) * (1 + 1e-5));
    expect(out.noisedNorm).toBeLessThanOrEqual((out.sumNorm + out.noiseNorm) * (1 + 1e-5));
    expect(out.noisedNorm).toBeGreaterThanOrEqual(Math.abs(out.noiseNorm - out.sumNorm) * (1 - 1e-5));
    expect(out.updateNorm).toBeCloseTo(out.noisedNorm / 20, 5);
    expect(out.signalNorm).toBeCloseTo(out.sumNorm / 20, 6);
    // the same settings draw the same batch and noise
    const c2 = testJobContext(withModel(model));
    const again = await dpClipJob(c2.ctx, { jobId: 1, dataset: 'mnist', settings: settings({ clip, sigma: 1.3, image: 7 }) });
    c2.cleanup();
    expect(again.noiseNorm).toBe(out.noiseNorm);
    expect(again.indices).toEqual(out.indices);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('says what is wrong without a model or with an image outside the slice', async () => {
    const c = testJobContext(services);
    await expect(dpClipJob(c.ctx, { jobId: 1, dataset: 'mnist', settings: settings() })).rejects.toThrow(/choose a model in Setup/);
    await expect(dpClipJob(c.ctx, { jobId: 1, dataset: 'mnist', settings: settings({ image: 200 }) })).rejects.toThrow(
      /training image 200 is outside the run's 200 training images/,
    );
  });
});

describe('the dpMembership job', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  const active = (model: tf.LayersModel, train = trainSplit, test = testSplit): WorkerServices =>
    withActiveModel(testServices(train, test), model, 'toy');

  it("scores members against non-members by the model's loss: the AUC is the share of (member, non-member) pairs ordered right", async () => {
    const model = buildModel('cnn-opacus', [28, 28, 1], 10, 5);
    const before = tf.memory().numTensors;
    const c = testJobContext(active(model));
    const out = await dpMembershipJob(c.ctx, { jobId: 1, dataset: 'mnist', settings: settings({ slice: 50 }) });
    c.cleanup();
    expect(out).toMatchObject({ model: 'toy', n: 50 });
    // the same from the losses, by hand: P(loss_member < loss_non-member) + ties / 2
    const loss = (split: typeof trainSplit) =>
      tf.tidy(() => {
        const x = tf.div(tf.tensor4d(Float32Array.from(split.pixels.subarray(0, 50 * 784)), [50, 28, 28, 1]), 255);
        const z = model.apply(x) as tf.Tensor2D;
        return Array.from(
          tf.sub(tf.logSumExp(z, 1), tf.sum(tf.mul(z, tf.oneHot(Array.from(split.labels.subarray(0, 50)), 10)), 1)).dataSync(),
        );
      });
    const a = loss(trainSplit);
    const b = loss(testSplit);
    let pairs = 0;
    for (const u of a) for (const v of b) pairs += u < v ? 1 : u === v ? 0.5 : 0;
    expect(out.auc).toBeCloseTo(pairs / 2500, 2);
    expect(out.memberLoss).toBeCloseTo(a.reduce((s, v) => s + v, 0) / 50, 3);
    expect(tf.memory().numTensors).toBe(before);
    // the same images as members and non-members: nothing to tell apart
    const same = testJobContext(active(model, trainSplit, trainSplit));
    const even = await dpMembershipJob(same.ctx, { jobId: 1, dataset: 'mnist', settings: settings({ slice: 50 }) });
    same.cleanup();
    expect(even.auc).toBeCloseTo(0.5, 12);
    expect(even.advantage).toBeCloseTo(0, 12);
    model.dispose();
  });
});
