/**
 * The first visit's test image (STARTER_SAMPLE) still teaches: the studio's default attack, run as its
 * worker job runs it, fools the default model on it and the zoo's more robust model resists, and no
 * earlier test image does both (the choice is the first, as src/cli/starter-image.ts finds it).
 * Zoo files from models/ (checked against their sha256), data from the prepared MNIST test file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabeledImages } from '../core/data/types';
import { initNodeBackend } from '../core/engine/node-backend';
import { robustAlternative, STARTER_SAMPLE } from '../labs/attacks/index';
import { DEFAULT_EXPERIMENT } from '../labs/experiment';
import { loadNodeModel, loadNodeSplit, type ResolvedModel } from './node-io';
import { studioAttack, zooCards } from './starter-image';

describe('the starter image of a first visit', () => {
  let split: LabeledImages;
  let plain: ResolvedModel;
  let robust: ResolvedModel;
  beforeAll(async () => {
    await initNodeBackend('wasm');
    const robustId = robustAlternative(zooCards(), DEFAULT_EXPERIMENT.model, DEFAULT_EXPERIMENT.dataset, DEFAULT_EXPERIMENT.attack)?.model
      .id;
    expect(robustId).toBeDefined();
    split = await loadNodeSplit(DEFAULT_EXPERIMENT.dataset, 'test');
    plain = await loadNodeModel(DEFAULT_EXPERIMENT.model);
    robust = await loadNodeModel(robustId!);
  });
  afterAll(() => {
    plain?.model.dispose();
    robust?.model.dispose();
  });

  it(`is fooled by the default attack on ${DEFAULT_EXPERIMENT.model} and resisted by the robust model`, async () => {
    const p = await studioAttack(plain, split, STARTER_SAMPLE);
    expect(p.cleanPredicted).toBe(p.label);
    expect(p.fooled).toBe(true);
    expect(p.predicted).not.toBe(p.label);
    const r = await studioAttack(robust, split, STARTER_SAMPLE);
    expect(r.cleanPredicted).toBe(r.label);
    expect(r.fooled).toBe(false);
  });

  it('is the first test image that fits', async () => {
    for (let i = 0; i < STARTER_SAMPLE; i++) {
      const p = await studioAttack(plain, split, i);
      const r = await studioAttack(robust, split, i);
      const fits = p.cleanPredicted === p.label && r.cleanPredicted === r.label && p.fooled && !r.fooled;
      expect(fits, `test image ${i} fits too`).toBe(false);
    }
    // eight PGD-40 runs: seconds on an idle machine, more beside background training
  }, 300_000);
});
