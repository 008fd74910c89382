import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { ModelCard } from '../../../core/models/card';
import { ExportError, exportZip, readExport } from './model-export';
import { USER_RECIPE } from './user-models';

const json = new TextEncoder().encode(JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['weights.bin'], weights: [] }] }));
const weights = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
const card = (over: Partial<ModelCard> = {}): ModelCard => ({
  schema: 1,
  id: 'my-mnist-pgd',
  dataset: 'mnist',
  inputShape: [28, 28, 1],
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  output: 'logits',
  architecture: 'cnn-small',
  layers: '',
  parameters: 2,
  recipe: USER_RECIPE,
  training: 'adversarial: ...',
  command: '',
  seed: 1,
  epochs: 1,
  selectedEpoch: 1,
  trainingSeconds: 1,
  backend: 'wasm',
  tfjsVersion: '4.22.0',
  cleanAccuracy: { n: 10, accuracy: 0.5, command: '' },
  robustAccuracy: [],
  weights: [{ path: 'weights.bin', sha256: 'a'.repeat(64), bytes: 8 }],
  notes: [],
  ...over,
});
const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

describe('model export', () => {
  it('reads back what it wrote, from the zip or from its loose files', () => {
    const zip = exportZip({ card: card(), json, weights: [{ path: 'weights.bin', bytes: weights }] });
    const back = readExport([{ name: 'my-mnist-pgd.zip', bytes: zip }]);
    expect(back.card).toEqual(card());
    expect(Array.from(back.json)).toEqual(Array.from(json));
    expect(back.weights.map((w) => [w.path, Array.from(w.bytes)])).toEqual([['weights.bin', Array.from(weights)]]);
    const loose = readExport([
      { name: 'model.json', bytes: json },
      { name: 'weights.bin', bytes: weights },
      { name: 'card.json', bytes: enc(card()) },
    ]);
    expect(loose.card.id).toBe('my-mnist-pgd');
  });

  it('refuses malformed exports with a message that says what is wrong', () => {
    const bad = (files: { name: string; bytes: Uint8Array }[]) => {
      try {
        readExport(files);
      } catch (e) {
        expect(e).toBeInstanceOf(ExportError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad([{ name: 'x.zip', bytes: new Uint8Array([1, 2, 3, 4]) }])).toMatch(/not a readable zip/);
    expect(bad([{ name: 'x.zip', bytes: zipSync({ 'model.json': json, 'weights.bin': weights }) }])).toMatch(/card\.json is missing/);
    expect(bad([{ name: 'x.zip', bytes: zipSync({ 'card.json': new TextEncoder().encode('{oops'), 'model.json': json }) }])).toMatch(
      /card\.json is not valid JSON/,
    );
    expect(bad([{ name: 'x.zip', bytes: zipSync({ 'card.json': enc({ id: 'x' }), 'model.json': json }) }])).toMatch(/not a model card/);
    expect(bad([{ name: 'x.zip', bytes: zipSync({ 'card.json': enc(card({ recipe: 'mnist-cnn', id: 'mnist-cnn' })) }) }])).toMatch(
      /not a model trained in this lab/,
    );
    expect(bad([{ name: 'x.zip', bytes: zipSync({ 'card.json': enc(card({ inputShape: [32, 32, 3] })), 'model.json': json }) }])).toMatch(
      /MNIST images are 28x28x1/,
    );
    expect(bad([{ name: 'x.zip', bytes: zipSync({ 'card.json': enc(card()), 'weights.bin': weights }) }])).toMatch(
      /model\.json is missing/,
    );
    expect(bad([{ name: 'x.zip', bytes: zipSync({ 'card.json': enc(card()), 'model.json': new TextEncoder().encode('[]') }) }])).toMatch(
      /not a TensorFlow\.js LayersModel/,
    );
    expect(bad([{ name: 'x.zip', bytes: zipSync({ 'card.json': enc(card()), 'model.json': json }) }])).toMatch(/weights\.bin is missing/);
    expect(
      bad([{ name: 'x.zip', bytes: zipSync({ 'card.json': enc(card()), 'model.json': json, 'weights.bin': weights.subarray(0, 4) }) }]),
    ).toMatch(/holds 4 bytes, card\.json says 8/);
  });
});
