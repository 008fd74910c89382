import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { FeatureHasher } from '../data/tokenize';
import { serializeLayersModel, sha256Hex } from '../models/io';
import { isTextModelCard, loadTextModel, type TextModelCard } from '../models/text-model';
import { evaluateText, holdoutRows, trainText, type TextRecipe } from './train-text';

const hashing = { buckets: 256, ngrams: 1, weighting: 'log1p', normalize: true } as const;
const recipe: TextRecipe = {
  id: 'toy',
  dataset: 'toy',
  architecture: 'bow-mlp',
  features: hashing,
  epochs: 3,
  batchSize: 8,
  learningRate: 0.05,
  seed: 3,
  holdout: 8,
};

/** 48 made-up mails: spam says "win cash prize", ham "agenda meeting notes", both with shared filler. */
function toy() {
  const texts: string[] = [];
  const labels = new Uint8Array(48);
  for (let i = 0; i < 48; i++) {
    labels[i] = i % 2;
    texts.push(i % 2 ? `win cash prize now ${i % 5} the a` : `agenda meeting notes ${i % 5} the a`);
  }
  return { f: new FeatureHasher(hashing).features(texts), labels };
}

describe('trainText', () => {
  it('learns a separable toy set, repeats exactly for a seed, and leaks no tensors', async () => {
    const { f, labels } = toy();
    const before = tf.memory().numTensors;
    const a = await trainText(recipe, f, labels);
    const ev = await evaluateText(a.model, f, labels);
    expect(ev.accuracy).toBe(1);
    expect(ev.spamPrecision).toBe(1);
    expect(ev.spamRecall).toBe(1);
    expect(a.history[a.history.length - 1].trainLoss).toBeLessThan(a.history[0].trainLoss);
    const wa = a.model.getWeights().map((w) => Array.from(w.dataSync()));
    a.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const b = await trainText(recipe, f, labels);
    expect(b.model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(wa);
    b.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops when cancelled, without leaking', async () => {
    const { f, labels } = toy();
    const before = tf.memory().numTensors;
    const stop = new AbortController();
    await expect(trainText(recipe, f, labels, { signal: stop.signal, onBatch: (s) => s === 2 && stop.abort() })).rejects.toThrow(
      /cancelled/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('draws a disjoint holdout from the seed', () => {
    const { train, holdout } = holdoutRows(20, 5, 1);
    expect(holdout.length).toBe(5);
    expect(new Set([...train, ...holdout]).size).toBe(20);
    expect(Array.from(holdoutRows(20, 5, 1).holdout)).toEqual(Array.from(holdout));
    expect(() => holdoutRows(5, 5, 1)).toThrow(/holdout/);
  });
});

describe('text model cards and loading', () => {
  it('loads a saved text model checked against its card, and refuses other weights', async () => {
    const { f, labels } = toy();
    const { model } = await trainText({ ...recipe, epochs: 1 }, f, labels);
    const { modelJson, weights } = await serializeLayersModel(model);
    const card = {
      schema: 1,
      kind: 'text',
      id: 'toy',
      dataset: 'toy',
      classNames: ['ham', 'spam'],
      features: { ...hashing, tokenizer: 'test' },
      weights: [{ path: 'weights.bin', sha256: await sha256Hex(weights), bytes: weights.length }],
    } as unknown as TextModelCard;
    expect(isTextModelCard(card)).toBe(true);
    expect(isTextModelCard({ ...card, kind: undefined })).toBe(false);
    const json = new TextEncoder().encode(modelJson);
    const loaded = await loadTextModel(json, async () => weights, card);
    const x = tf.tensor2d(new Float32Array(256).fill(0.1), [1, 256]);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()));
    const bad = Uint8Array.from(weights);
    bad[0] ^= 1;
    await expect(loadTextModel(json, async () => bad, card)).rejects.toThrow(/does not match its model card/);
    await expect(loadTextModel(json, async () => weights, { ...card, features: { ...card.features, buckets: 128 } })).rejects.toThrow(
      /128 features/,
    );
    tf.dispose([x]);
    loaded.dispose();
    model.dispose();
  });
});
