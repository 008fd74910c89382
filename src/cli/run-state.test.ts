import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrainState } from '../core/train/train';
import { fileCheckpointStore } from './run-state';

const state = (): TrainState => ({
  recipeId: 'r',
  recipe: '{"epochs":2}',
  seed: 3,
  epochsDone: 2,
  step: 40,
  rng: 123456789,
  augRng: 42,
  seconds: 12.5,
  history: [],
  weights: [new Float32Array([1, 2, 3]), new Float32Array([Math.PI])],
  optimizer: [
    new Float32Array([40]),
    new Float32Array([0.5, 0.25, 1e-30]),
    new Float32Array([-0]),
    new Float32Array([7, 8, 9]),
    new Float32Array([1]),
  ],
  betaPowers: [0.9 ** 40, 0.999 ** 40],
  best: { score: 0.75, epoch: 1, weights: [new Float32Array([4, 5, 6]), new Float32Array([-1])] },
});

describe('file checkpoint store', () => {
  it('round-trips a run state exactly and replaces the previous one', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'rlab-state-')), 'state');
    const store = fileCheckpointStore(dir);
    expect(await store.load()).toBeNull();
    await store.save({ ...state(), epochsDone: 1 });
    await store.save(state());
    expect(await store.load()).toEqual(state());
    store.clear();
    expect(store.exists()).toBe(false);
  });
  it('refuses a truncated state file', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'rlab-state-')), 'state');
    const store = fileCheckpointStore(dir);
    await store.save(state());
    writeFileSync(join(dir, 'state.bin'), new Uint8Array(8));
    await expect(store.load()).rejects.toThrow(/truncated/);
  });
});
