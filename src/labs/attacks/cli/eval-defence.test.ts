import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { rlab, writeLinearMnistModel } from '../../../cli/test-utils';

let modelPath = '';
const base = () => ['eval', '--model', modelPath, '--dataset', 'mnist', '--n', '8', '--json'];

describe('rlab eval --defence', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    modelPath = await writeLinearMnistModel('rlab-defence-', 'linear');
  });

  it('reports the defence and the mode; naive PGD gets no gradient through bit-depth, BPDA does', async () => {
    const pgd = ['--attack', 'pgd', '--eps', '0.3', '--steps', '10', '--step-size', '0.05'];
    const run = async (mode: string) => {
      // the zoo's MNIST CNN (a random linear model classifies too few of 8 images to compare)
      const r = await rlab(
        'eval',
        '--model',
        'mnist-cnn',
        '--dataset',
        'mnist',
        '--n',
        '8',
        '--json',
        ...pgd,
        '--defence',
        'bit-depth:2',
        '--adaptive',
        mode,
      );
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as { defence: string; adaptive: string; clean_accuracy: number; robust_accuracy: number };
    };
    const naive = await run('none');
    const bpda = await run('bpda');
    expect(naive).toMatchObject({ defence: 'bit-depth:2', adaptive: 'none' });
    expect(naive.clean_accuracy).toBeGreaterThan(0.5);
    expect(naive.robust_accuracy).toBe(naive.clean_accuracy);
    expect(bpda.adaptive).toBe('bpda');
    expect(bpda.robust_accuracy).toBeLessThan(naive.robust_accuracy);
  }, 240_000);

  for (const [why, args, message] of [
    ['an unknown transform', ['--attack', 'fgsm', '--eps', '0.1', '--defence', 'blur:3'], /defence: unknown transform "blur"/],
    [
      'EOT without a randomised transform',
      ['--attack', 'fgsm', '--eps', '0.1', '--defence', 'median:2', '--adaptive', 'eot'],
      /no randomised transform/,
    ],
    ['EOT for C&W', ['--attack', 'cw', '--defence', 'gaussian:0.1', '--adaptive', 'eot'], /takes its own gradients/],
    ['--adaptive without --defence', ['--attack', 'fgsm', '--eps', '0.1', '--adaptive', 'bpda'], /need --defence/],
    ['a bad mode', ['--attack', 'fgsm', '--eps', '0.1', '--defence', 'jpeg:75', '--adaptive', 'fast'], /--adaptive fast is not one of/],
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
