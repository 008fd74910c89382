import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../core/engine/node-backend';
import type { LabeledImages } from '../../core/data/types';
import { Rng } from '../../core/random';
import { defaultLeak } from './experiment/leak';
import { loadNodeSplit } from '../../cli/node-io';
import { runLeak } from './leak-run';

/** Two random 12x12 grey images with labels 3 and 5 (lenet-sigmoid takes any size its convolutions keep). */
function tinySplit(): LabeledImages {
  const rng = new Rng(4);
  return { n: 2, shape: [12, 12, 1], pixels: Uint8Array.from({ length: 2 * 144 }, () => rng.int(256)), labels: Uint8Array.from([3, 5]) };
}

describe('runLeak restarts', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  it('keeps the trial with the smallest matching loss; trial 1 is the single run', async () => {
    const data = tinySplit();
    const s = { ...defaultLeak(), method: 'dlg' as const, iterations: 2 };
    const single = await runLeak(data, 10, s);
    const seen: number[] = [];
    const multi = await runLeak(data, 10, { ...s, restarts: 3 }, (p) => void seen.push(p.trial), 1);
    expect(multi.trialLosses).toHaveLength(3);
    expect(multi.trialLosses[0]).toBe(single.result.loss);
    const best = Math.min(...multi.trialLosses);
    expect(multi.result.loss).toBe(best);
    expect(multi.trial).toBe(multi.trialLosses.indexOf(best) + 1);
    // the trials start from different dummies
    expect(new Set(multi.trialLosses).size).toBe(3);
    expect([...new Set(seen)]).toEqual([1, 2, 3]);
    expect(single.trial).toBe(1);
  });

  it("tolerances 'none' runs every L-BFGS iteration where PyTorch's tolerances stop early, and ends lower", async () => {
    const data = tinySplit();
    const s = { ...defaultLeak(), method: 'dlg' as const, iterations: 40 };
    const torch = await runLeak(data, 10, s);
    const none = await runLeak(data, 10, { ...s, tolerances: 'none' });
    // 40 steps of 20 iterations, one evaluation each (no line search)
    expect(none.result.evaluations).toBe(40 * 20);
    expect(torch.result.evaluations).toBeLessThan(none.result.evaluations);
    expect(none.result.loss).toBeLessThan(torch.result.loss);
  });

  it("reports the network's probability of the true label and the shared gradient's norm, which a confident right answer shrinks", async () => {
    // the seeded untrained LeNet puts nearly every image in class 9; MNIST test image 7 is a 9, image 0 a 7
    const test = await loadNodeSplit('mnist', 'test');
    const s = { ...defaultLeak(), method: 'dlg' as const, iterations: 1, seed: 0 };
    const seven = await runLeak(test, 10, { ...s, index: 0 });
    const nine = await runLeak(test, 10, { ...s, index: 7 });
    expect(nine.trueLabelProbability[0]).toBeGreaterThan(0.9);
    expect(seven.trueLabelProbability[0]).toBeLessThan(0.1);
    expect(nine.gradientNorm).toBeGreaterThan(0);
    expect(nine.gradientNorm * 10).toBeLessThan(seven.gradientNorm);
    // a batch of two: one probability per image, in order
    const pair = await runLeak(test, 10, { ...s, index: 6, batch: 2 });
    expect(pair.trueLabelProbability[1]).toBeCloseTo(nine.trueLabelProbability[0], 5);
  });
});
