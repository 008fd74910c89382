import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { rlab, writeLinearMnistModel } from '../../../cli/test-utils';

let modelPath = '';
const base = () => ['eval', '--model', modelPath, '--dataset', 'mnist', '--n', '8', '--json'];

describe('rlab eval with every attack', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    modelPath = await writeLinearMnistModel('rlab-attacks-', 'linear');
  });

  it('--epsilons prints one JSON object with a robust accuracy per epsilon; minimisation attacks too', async () => {
    const p = await rlab(...base(), '--attack', 'pgd', '--epsilons', '0,0.05,0.1', '--steps', '3', '--step-size', '0.05');
    expect(p.code).toBe(0);
    expect(p.stdout.trim().split('\n')).toHaveLength(1);
    const o = JSON.parse(p.stdout);
    expect(Object.keys(o.robust_accuracy_by_eps).sort()).toEqual(['0', '0.05', '0.1']);
    expect(o.robust_accuracy_by_eps['0']).toBe(o.clean_accuracy);
    expect(o.attack.epsilons).toEqual([0, 0.05, 0.1]);
    const d = await rlab(...base(), '--attack', 'deepfool', '--epsilons', '0.5,1,2', '--steps', '5');
    expect(d.code).toBe(0);
    expect(Object.keys(JSON.parse(d.stdout).robust_accuracy_by_eps).sort()).toEqual(['0.5', '1', '2']);
  });

  it('accepts the other attacks with their own parameters and reports them', async () => {
    const sq = JSON.parse((await rlab(...base(), '--attack', 'square', '--eps', '0.1', '--queries', '20', '--p-init', '0.5')).stdout);
    expect(sq.attack).toMatchObject({ name: 'square', queries: 20, p_init: 0.5, eps: 0.1 });
    expect(sq).toHaveProperty('queries_mean_fooled');
    const cw = JSON.parse(
      (await rlab(...base(), '--attack', 'cw', '--steps', '5', '--binary-search', '2', '--targeted', '--target', '3')).stdout,
    );
    expect(cw.attack).toMatchObject({ name: 'cw', norm: 'l2', steps: 5, binary_search_steps: 2, c: 0.001, target: 3 });
    const ap = JSON.parse((await rlab(...base(), '--attack', 'apgd-ce', '--norm', 'l2', '--eps', '3', '--steps', '4')).stdout);
    // an L2 ball of radius 3 is an ordinary MNIST budget (the L2 range is [0, 28] there)
    expect(ap.attack).toMatchObject({ name: 'apgd-ce', norm: 'l2', eps: 3, steps: 4, random_start: true });
    const bim = JSON.parse((await rlab(...base(), '--attack', 'bim', '--eps', '0.3', '--target', 'least-likely')).stdout);
    expect(bim.attack).toMatchObject({ name: 'bim', steps: 80, target: 'least-likely' });
  });

  for (const [why, args, message] of [
    ['a flag of another attack', ['--attack', 'pgd', '--eps', '0.1', '--queries', '10'], /--queries does not apply to --attack pgd/],
    ['eps for a minimisation attack', ['--attack', 'cw', '--eps', '0.1'], /--eps does not apply to --attack cw/],
    ['a norm the attack lacks', ['--attack', 'fgsm', '--norm', 'l2', '--eps', '0.1'], /supports --norm linf/],
    ['a bad target', ['--attack', 'pgd', '--eps', '0.1', '--target', 'cat'], /--target "cat"/],
    ['a target out of range', ['--attack', 'pgd', '--eps', '0.1', '--target', '12'], /--target 12 is not a class of the model/],
    ['a targeted DeepFool', ['--attack', 'deepfool', '--targeted'], /--targeted does not apply/],
    ['a bad epsilons list', ['--attack', 'fgsm', '--epsilons', '0.1,x'], /--epsilons "x"/],
    ['an L2 eps beyond sqrt(28*28)', ['--attack', 'pgd', '--norm', 'l2', '--eps', '28.5'], /--eps "28.5" is not an L2 eps in \[0, 28\]/],
    [
      'an L2 curve beyond sqrt(28*28)',
      ['--attack', 'deepfool', '--epsilons', '1,30'],
      /--epsilons "30" is not a comma-separated list of L2 epsilons in \[0, 28\]/,
    ],
    ['an L-inf eps of 3', ['--attack', 'apgd-ce', '--eps', '3'], /--eps "3" is not an eps in \[0, 1\]/],
  ] as const) {
    it(`fails with a one-line message on ${why}`, async () => {
      const r = await rlab(...base(), ...args);
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }
});
