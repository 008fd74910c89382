/**
 * Attacks on the shipped zoo models (models/<id>/, loaded with their sha256 check) and real test
 * images, where a toy model would not show the property: the robust model is what APGD is built for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { runAttack, type AttackSpec } from '../labs/attacks/algorithms/registry';
import { imagesAsFloats } from '../core/data/datasets';
import { initNodeBackend } from '../core/engine/node-backend';
import { loadNodeModel, loadNodeSplit, type ResolvedModel } from './node-io';

const N = 100;
const EPS = 0.3;

describe("attacks on the zoo's mnist-cnn-robust", () => {
  let robust: ResolvedModel;
  let x: tf.Tensor4D;
  let y: Int32Array;
  beforeAll(async () => {
    await initNodeBackend('wasm');
    robust = await loadNodeModel('mnist-cnn-robust', [28, 28, 1]);
    const test = await loadNodeSplit('mnist', 'test');
    x = tf.tensor4d(imagesAsFloats(test, 0, N), [N, 28, 28, 1]);
    y = Int32Array.from(test.labels.subarray(0, N));
  });
  afterAll(() => {
    x.dispose();
    robust.model.dispose();
  });

  const broken = async (spec: AttackSpec) => {
    const r = await runAttack(robust.classifier, x, y, spec);
    r.adversarial.dispose();
    return r.success.reduce((s, v) => s + v, 0);
  };

  it('APGD-CE breaks at least as many images as PGD with the same budget (20 gradient steps, eps 0.3, seed 0)', async () => {
    const steps = 20;
    const pgd = await broken({ name: 'pgd', eps: EPS, steps, stepSize: (2.5 * EPS) / steps, seed: 0 });
    const apgd = await broken({ name: 'apgd-ce', eps: EPS, steps, seed: 0 });
    // the model is robust: neither attack breaks everything, so the comparison means something
    expect(pgd).toBeLessThan(N / 2);
    expect(apgd).toBeGreaterThanOrEqual(pgd);
  });
});
