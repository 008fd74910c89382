import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../../cli/paths';
import { certifySettingsFromFlags, commandOf, convFlag, mergeCertifyJson, radiusKey, type CertifyJson } from './certify';

/** `rlab certify --json` on two wasm threads, as its own process (the threaded build and the kernel threads). */
async function certifyOnTwoThreads(conv: string): Promise<CertifyJson> {
  const args = [
    '--import',
    'tsx',
    join(projectRoot(), 'src/cli/rlab.ts'),
    'certify',
    '--model',
    'mnist-cnn-smooth-0.25',
    '--dataset',
    'mnist',
  ];
  args.push('--n', '3', '--samples0', '100', '--samples', '3000', '--batch', '700', '--seed', '5', '--conv', conv, '--json');
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: projectRoot(), env: { ...process.env, RLAB_THREADS: '2' } });
  return JSON.parse(stdout) as CertifyJson;
}

const part = (indices: number[], over: Partial<CertifyJson> = {}): CertifyJson => ({
  model: 'm',
  dataset: 'mnist',
  sigma: 0.25,
  n: indices.length,
  samples0: 100,
  samples: 10000,
  alpha: 0.001,
  seed: 0,
  certified_accuracy_by_radius: {},
  abstain: 0,
  images: indices.map((index) => ({
    index,
    label: 1,
    prediction: index === 2 ? -1 : index === 3 ? 0 : 1,
    count: 9000,
    pA_lower: 0.9,
    radius: index * 0.2,
  })),
  seconds: 10,
  samples_per_second: 0,
  backend: 'wasm',
  ...over,
});

describe('rlab certify', () => {
  it('writes radii as Python prints floats, so JSON keeps their order', () => {
    expect([0, 0.25, 1, 1.5].map(radiusKey)).toEqual(['0.0', '0.25', '1.0', '1.5']);
    const o = mergeCertifyJson([part([0, 1, 2, 3, 4])], [0, 0.25, 1]);
    expect(Object.keys(o.certified_accuracy_by_radius)).toEqual(['0.0', '0.25', '1.0']);
  });

  it('joins consecutive slices into the run over their union, and refuses gaps and other settings', () => {
    const o = mergeCertifyJson([part([3, 4]), part([0, 1, 2])], [0, 0.25, 0.5, 0.8]);
    expect(o.n).toBe(5);
    expect(o.images.map((i) => i.index)).toEqual([0, 1, 2, 3, 4]);
    // correct: 0 (r 0), 1 (r 0.2), 4 (r 0.8); 2 abstains, 3 is wrong
    expect(o.certified_accuracy_by_radius).toEqual({ '0.0': 0.6, '0.25': 0.2, '0.5': 0.2, '0.8': 0.2 });
    expect(o.abstain).toBe(0.2);
    expect(o.seconds).toBe(20);
    expect(o.samples_per_second).toBe(Math.round((5 * 10100) / 20));
    expect(() => mergeCertifyJson([part([0, 1]), part([3])], [0])).toThrow(/not consecutive/);
    expect(() => mergeCertifyJson([part([0]), part([1], { sigma: 0.5 })], [0])).toThrow(/other models or settings/);
  });

  it("writes the card's command with every setting, the CIFAR-10 data folder, and a non-default convolution", () => {
    const s = certifySettingsFromFlags({ batch: '500', radii: '0,0.5' });
    expect(commandOf(part([0, 1]), s, 0)).toBe(
      'npm run --silent rlab -- certify --model m --dataset mnist --sigma 0.25 --n 2 --samples0 100 --samples 10000 --alpha 0.001 --batch 500 --radii 0,0.5 --seed 0 --json',
    );
    const cifar = commandOf(part([0, 1], { dataset: 'cifar10', conv: 'winograd' }), s, 50);
    expect(cifar).toContain('--dataset cifar10 --data-dir <cifar-10-batches-bin> --sigma 0.25 --n 2 --start 50 ');
    expect(cifar).toMatch(/--seed 0 --conv winograd --json$/);
  });

  it('reads its settings from the lab fields, with a clear message for a bad value', () => {
    const s = certifySettingsFromFlags({ sigma: '0.5', n: '20', seed: '7', radii: '0,0.5,1.5' });
    expect(s).toMatchObject({ sigma: 0.5, images: 20, seed: 7, radii: [0, 0.5, 1.5], samples: 10000, samples0: 100, alpha: 0.001 });
    expect(() => certifySettingsFromFlags({ alpha: '2' })).toThrow(/--alpha "2"/);
    expect(() => certifySettingsFromFlags({ n: '0' })).toThrow(/--n "0"/);
  });

  it("--conv winograd (split over two kernel threads) gives the direct convolution's votes up to float rounding", async () => {
    const [direct, wino] = await Promise.all([certifyOnTwoThreads('direct'), certifyOnTwoThreads('winograd')]);
    expect(direct.conv).toBeUndefined();
    expect(wino.conv).toBe('winograd');
    expect(wino.images.map((i) => i.prediction)).toEqual(direct.images.map((i) => i.prediction));
    // a wrong share of the batch (an image skipped or computed twice) moves hundreds of votes
    wino.images.forEach((im, i) => expect(Math.abs(im.count - direct.images[i].count)).toBeLessThanOrEqual(3));
    expect(direct.images.reduce((a, im) => a + im.count, 0)).toBeGreaterThan(3 * 2900);
    expect(() => convFlag('fft')).toThrow(/--conv fft: use direct or winograd/);
  }, 120_000);
});
