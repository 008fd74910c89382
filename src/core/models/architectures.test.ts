import { buildTextModel, TEXT_ARCHITECTURES, type TextArchitectureId } from './text-model';
import { beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ARCHITECTURES, buildModel, describeModel, type ArchitectureId } from './architectures';

const zoo = join(__dirname, '../../../models');

describe('architectures', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const arch of Object.keys(ARCHITECTURES) as ArchitectureId[])
    it(`${arch} maps a batch of images to one logit per class`, () => {
      const shape: [number, number, number] = arch.startsWith('vgg') ? [32, 32, 3] : [28, 28, 1];
      const m = buildModel(arch, shape, 10, 1);
      const out = tf.tidy(() => m.predict(tf.zeros([2, ...shape])) as tf.Tensor);
      expect(out.shape).toEqual([2, 10]);
      out.dispose();
      m.dispose();
    });

  it("lenet-sigmoid has the DLG authors' shapes (7x7x12 = 588 and 8x8x12 = 768 features) and uniform(-0.5, 0.5) weights", () => {
    for (const [shape, features] of [
      [[28, 28, 1], 588],
      [[32, 32, 3], 768],
    ] as const) {
      const m = buildModel('lenet-sigmoid', [...shape], 10, 3);
      expect(m.layers.at(-1)!.getWeights()[0].shape).toEqual([features, 10]);
      const all = m.getWeights().flatMap((w) => Array.from(w.dataSync()));
      expect(Math.max(...all)).toBeLessThanOrEqual(0.5);
      expect(Math.min(...all)).toBeGreaterThanOrEqual(-0.5);
      // uniform on [-0.5, 0.5]: variance 1/12
      expect(all.reduce((a, v) => a + v * v, 0) / all.length).toBeCloseTo(1 / 12, 2);
      m.dispose();
    }
  });

  // the recipes must still build what the zoo ships, or a retrained model would differ from its card
  // every folder of models/ is a zoo model (files beside them, such as ROBUSTNESS.md, are not)
  for (const id of readdirSync(zoo, { withFileTypes: true }).flatMap((d) => (d.isDirectory() && !d.name.startsWith('.') ? [d.name] : [])))
    it(`rebuilds the zoo's ${id} layer for layer, with the same weight shapes`, () => {
      const card = JSON.parse(readFileSync(join(zoo, id, 'card.json'), 'utf8')) as {
        architecture: string;
        layers: string;
        inputShape: [number, number, number];
        classNames: string[];
        kind?: string;
        features?: { buckets: number };
      };
      if (card.kind === 'text') {
        // a text model (text-model.ts): hashed features in, its own architectures
        const t = card.architecture.split(':')[0] as TextArchitectureId;
        expect(card.architecture).toBe(`${t}: ${TEXT_ARCHITECTURES[t]}`);
        const m = buildTextModel(t, card.features!.buckets, card.classNames.length, 1);
        expect(describeModel(m)).toBe(card.layers);
        const manifest = JSON.parse(readFileSync(join(zoo, id, 'model.json'), 'utf8')) as {
          weightsManifest: { weights: { shape: number[] }[] }[];
        };
        expect(m.weights.map((w) => w.shape)).toEqual(manifest.weightsManifest.flatMap((g) => g.weights.map((w) => w.shape)));
        m.dispose();
        return;
      }
      const arch = card.architecture.split(':')[0] as ArchitectureId;
      expect(card.architecture).toBe(`${arch}: ${ARCHITECTURES[arch]}`);
      const m = buildModel(arch, card.inputShape, card.classNames.length, 1);
      expect(describeModel(m)).toBe(card.layers);
      const manifest = JSON.parse(readFileSync(join(zoo, id, 'model.json'), 'utf8')) as {
        weightsManifest: { weights: { shape: number[] }[] }[];
      };
      expect(m.weights.map((w) => w.shape)).toEqual(manifest.weightsManifest.flatMap((g) => g.weights.map((w) => w.shape)));
      m.dispose();
    });
});
