import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createJobContext } from '../../../core/jobs';
import { initNodeBackend } from '../../../core/engine/node-backend';
import { buildModel } from '../../../core/models/architectures';
import { asClassifier } from '../../../core/models/classifier';
import type { ModelCard } from '../../../core/models/card';
import { evaluate } from '../../../core/eval/evaluate';
import { Rng } from '../../../core/random';
import type { WorkerJobContext, WorkerServices } from '../../../worker/jobs';
import { attackRunner, attacksLab } from '../../attacks/index';
import { tradeoffJob, trainingMethodOf } from './tradeoff';

const zooCard = (id: string) =>
  JSON.parse(readFileSync(new URL(`../../../../models/${id}/card.json`, import.meta.url), 'utf8')) as ModelCard;

describe('the trade-off chart', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  it('labels each model with its training method, from its card', () => {
    expect(trainingMethodOf(zooCard('mnist-cnn'))).toBe('standard');
    expect(trainingMethodOf(zooCard('mnist-cnn-robust'))).toBe('PGD-AT');
    expect(trainingMethodOf(zooCard('fashion-cnn-robust'))).toBe('FGSM-RS');
    expect(trainingMethodOf(zooCard('cifar10-cnn-robust'))).toBe('FGSM-RS + PGD');
    expect(trainingMethodOf(zooCard('mnist-dp-sigma1.3'))).toBe('DP-SGD');
    const mine = { ...zooCard('mnist-cnn'), id: 'my-mnist-trades', recipe: 'in-browser', notes: ['method: trades'] };
    expect(trainingMethodOf(mine)).toBe('TRADES');
  });

  it('measures every model with the same attack on the same images, as evaluate does', async () => {
    const rng = new Rng(3);
    const n = 24;
    const pixels = Uint8Array.from({ length: n * 784 }, () => rng.int(256));
    const labels = Uint8Array.from({ length: n }, () => rng.int(10));
    const test = { n, shape: [28, 28, 1] as [number, number, number], pixels, labels };
    const models = new Map([1, 2].map((seed) => [`m${seed}`, buildModel('cnn-small', [28, 28, 1], 10, seed)]));
    const card = (id: string) => ({ ...zooCard('mnist-cnn'), id });
    const services = {
      dataset: () => test,
      downloadModel: async (c: ModelCard) => {
        // a fresh copy each time (the job disposes it)
        const src = models.get(c.id)!;
        const copy = buildModel('cnn-small', [28, 28, 1], 10, 99);
        copy.setWeights(src.getWeights());
        return { files: null, loaded: { model: copy, classifier: asClassifier(copy), weightBytes: 0 } };
      },
    } as unknown as WorkerServices;
    const job = createJobContext(1, null, () => {});
    const ctx = { ...job.ctx, jobId: 1, services, onCleanup: () => {} } as WorkerJobContext;
    const attack = { ...attacksLab.defaults().attack, name: 'fgsm', eps: 0.1 };
    const before = tf.memory().numTensors;
    const out = await tradeoffJob(ctx, { jobId: 1, dataset: 'mnist', models: [card('m1'), card('m2')], attack, start: 0, n });
    expect(tf.memory().numTensors).toBe(before);
    expect(out.points.map((p) => p.model)).toEqual(['m1', 'm2']);
    for (const p of out.points) {
      const direct = await evaluate(asClassifier(models.get(p.model)!), test, {
        attack: 'run',
        run: attackRunner({ name: 'fgsm', norm: 'linf', eps: 0.1, randomStart: false, seed: 0 } as never),
      });
      expect(p.clean).toBe(direct.cleanAccuracy);
      expect(p.robust).toBe(direct.robustAccuracy);
      expect(p.method).toBe('standard');
    }
  });
});
