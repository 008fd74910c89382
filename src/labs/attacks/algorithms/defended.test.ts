/**
 * Attacks against defended classifiers (src/core/defences): the runner honours the defence (EOT
 * refused for attacks with their own gradients; JPEG under the naive mode attacked through the
 * undefended model), naive and BPDA differ where rounding zeroes the gradient, and nothing leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyTask, type TinyTask } from '../../../core/adversarial/testing';
import { defend } from '../../../core/defences';
import { attackRunner, runAttack } from './registry';

let task: TinyTask;
beforeAll(async () => {
  await tf.setBackend('cpu');
  task = await tinyTask(3, { keep: 12 });
});
afterAll(() => task.dispose());

const pgd = { name: 'pgd', eps: 0.3, steps: 10, stepSize: 0.05, randomStart: false, seed: 1 };

describe('attacks on a defended classifier', () => {
  it('naive PGD gets no gradient through bit-depth reduction; BPDA does', async () => {
    const naive = await runAttack(defend(task.clf, 'bit-depth:3', 'none'), task.x, task.y, pgd);
    const bpda = await runAttack(defend(task.clf, 'bit-depth:3', 'bpda'), task.x, task.y, pgd);
    // zero gradient: PGD without a random start never moves
    expect(Math.max(...naive.norms.linf)).toBe(0);
    expect(Math.max(...bpda.norms.linf)).toBeGreaterThan(0.1);
    const fooled = (o: typeof naive) => o.fooled.reduce((s, v) => s + v, 0);
    expect(fooled(bpda)).toBeGreaterThan(fooled(naive));
    tf.dispose([naive.adversarial, bpda.adversarial]);
  });

  it('JPEG under none: the attack runs on the undefended model, predictions are the defended model', async () => {
    const clf = defend(task.clf, 'jpeg:20', 'none');
    const out = await attackRunner(pgd).run(clf, task.x, task.y, 0.3, 1, { keepTrace: false });
    const plain = await runAttack(task.clf, task.x, task.y, pgd);
    // same adversarial images as attacking the undefended model
    const [a, b] = [await out.adversarial.data(), await plain.adversarial.data()];
    expect(Array.from(a)).toEqual(Array.from(b));
    const z = tf.tidy(() => tf.argMax(clf.logits(out.adversarial), 1));
    expect(Array.from(out.predictions)).toEqual(Array.from(await z.data()));
    tf.dispose([out.adversarial, plain.adversarial, z]);
  });

  it('refuses EOT for attacks that take their own gradients, runs it for PGD', async () => {
    const clf = defend(task.clf, 'gaussian:0.05', 'eot', 3);
    await expect(runAttack(clf, task.x, task.y, { name: 'cw', steps: 5 })).rejects.toThrow(/Carlini-Wagner L2 takes its own gradients/);
    await expect(runAttack(clf, task.x, task.y, { name: 'deepfool' })).rejects.toThrow(/DeepFool takes its own gradients/);
    const out = await runAttack(clf, task.x, task.y, pgd);
    expect(out.gradientEvaluations).toBe(10);
    out.adversarial.dispose();
  });

  it('leaks no tensors over repeated attacks in every mode', async () => {
    const runs: [string, 'none' | 'bpda' | 'eot', object][] = [
      ['bit-depth:1,median:2', 'none', pgd],
      ['median:2', 'bpda', { name: 'apgd-ce', eps: 0.3, steps: 5, seed: 2 }],
      ['jpeg:50', 'none', pgd],
      ['jpeg:50', 'bpda', { name: 'cw', steps: 5 }],
      ['gaussian:0.1', 'eot', { name: 'fgsm', eps: 0.2 }],
      ['gaussian:0.1', 'bpda', { name: 'deepfool', steps: 5 }],
    ];
    const once = async () => {
      for (const [spec, mode, atk] of runs) {
        const out = await runAttack(defend(task.clf, spec, mode, 2), task.x, task.y, atk as typeof pgd);
        out.adversarial.dispose();
      }
    };
    await once();
    const before = tf.memory().numTensors;
    await once();
    expect(tf.memory().numTensors).toBe(before);
  });
});
