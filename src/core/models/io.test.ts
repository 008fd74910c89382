import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { loadLayersModel, ModelLoadError, serializeLayersModel, sha256Hex } from './io';
import { linearModel, randomImages } from '../test-utils';

const enc = (s: string) => new TextEncoder().encode(s);

async function saved(activation: 'linear' | 'softmax' = 'linear') {
  const m = linearModel([4, 4, 1], 3, 5, activation);
  const { modelJson, weights } = await serializeLayersModel(m);
  return { m, modelJson, weights, sha: { 'weights.bin': await sha256Hex(weights) } };
}

describe('loadLayersModel', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('loads what serializeLayersModel wrote, with identical outputs, when the sha256 matches', async () => {
    const { m, modelJson, weights, sha } = await saved();
    const loaded = await loadLayersModel(enc(modelJson), async () => weights, sha, [4, 4, 1]);
    const x = randomImages(2, [4, 4, 1], 1);
    const a = (m.predict(x) as tf.Tensor).arraySync();
    const b = loaded.classifier.logits(x).arraySync();
    expect(b).toEqual(a);
    expect(loaded.classifier.outputKind).toBe('logits');
  });

  it('refuses weights whose sha256 differs from the card, naming the file', async () => {
    const { modelJson, weights, sha } = await saved();
    const tampered = weights.slice();
    tampered[0] ^= 1;
    await expect(loadLayersModel(enc(modelJson), async () => tampered, sha)).rejects.toThrow(/weights\.bin does not match its model card/);
  });

  it('refuses malformed JSON, a non-model JSON, a truncated weight file and an unsafe path', async () => {
    const { modelJson, weights } = await saved();
    await expect(loadLayersModel(enc('{"modelTopology": '), async () => weights)).rejects.toThrow(/not valid JSON/);
    await expect(loadLayersModel(enc('{"hello": 1}'), async () => weights)).rejects.toThrow(ModelLoadError);
    await expect(loadLayersModel(enc(modelJson), async () => weights.subarray(0, 12))).rejects.toThrow(/bytes but model.json describes/);
    const evil = JSON.parse(modelJson);
    evil.weightsManifest[0].paths = ['../../etc/passwd'];
    await expect(loadLayersModel(enc(JSON.stringify(evil)), async () => weights)).rejects.toThrow(/unsafe weight path/);
  });

  it('refuses NaN weights', async () => {
    const { modelJson, weights } = await saved();
    const bad = weights.slice();
    new DataView(bad.buffer).setFloat32(8, NaN, true);
    await expect(loadLayersModel(enc(modelJson), async () => bad)).rejects.toThrow(/NaN or infinite/);
  });

  it('refuses a model whose input shape does not fit the data set', async () => {
    const { modelJson, weights } = await saved();
    await expect(loadLayersModel(enc(modelJson), async () => weights, undefined, [28, 28, 1])).rejects.toThrow(/takes 4x4x1 images but the data set has 28x28x1/);
  });

  it('takes gradients through logits of a model that ends in softmax', async () => {
    const { m, modelJson, weights } = await saved('softmax');
    const loaded = await loadLayersModel(enc(modelJson), async () => weights);
    expect(loaded.classifier.outputKind).toBe('pre-softmax');
    const x = randomImages(3, [4, 4, 1], 2);
    const [W, b] = m.layers[1].getWeights();
    const expected = tf.add(tf.matMul(tf.reshape(x, [3, 16]), W), b);
    const got = loaded.classifier.logits(x);
    expect(tf.max(tf.abs(tf.sub(got, expected))).dataSync()[0]).toBeLessThan(1e-5);
    // softmax of the recovered logits is the model's output
    const probs = m.predict(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(tf.softmax(got), probs))).dataSync()[0]).toBeLessThan(1e-6);
  });
});
