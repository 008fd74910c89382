import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../../cli/args';
import { epsilonSpent } from '../algorithms/accountants/accountant';
import { privacyBudgetQuery, runPrivacyBudget } from './privacy-budget';

/** Runs the command, returning what it wrote on stdout. */
async function run(args: string[]): Promise<string> {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    out += a.join(' ') + '\n';
  });
  await runPrivacyBudget(args);
  log.mockRestore();
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe('rlab privacy-budget', () => {
  it('prints one JSON object: epsilon, delta, accountant, steps, and the order for RDP', async () => {
    const o = JSON.parse(
      await run('--sample-rate 0.004 --noise-multiplier 1.1 --epochs 60 --delta 1e-5 --accountant rdp-classic --json'.split(' ')),
    );
    expect(Object.keys(o).slice(0, 5)).toEqual(['epsilon', 'delta', 'accountant', 'steps', 'order']);
    expect(o).toMatchObject({
      delta: 1e-5,
      accountant: 'rdp-classic',
      steps: 15000,
      noise_multiplier: 1.1,
      sample_rate: 0.004,
      epochs: 60,
    });
    expect(o.epsilon).toBeCloseTo(2.91, 2); // Opacus's published 2.91 for its MNIST example (classic RDP)
    expect(o.order).toBe(epsilonSpent('rdp-classic', [{ noiseMultiplier: 1.1, sampleRate: 0.004, steps: 15000 }], 1e-5).order);
    const prv = JSON.parse(await run('--sample-rate 0.02 --noise-multiplier 1 --steps 100 --accountant prv --json'.split(' ')));
    expect(prv.order).toBeUndefined();
    expect(prv.epsilon).toBe(epsilonSpent('prv', [{ noiseMultiplier: 1, sampleRate: 0.02, steps: 100 }], 1e-5).epsilon);
  });

  it('with --target-epsilon: the noise multiplier first, whose epsilon meets the target', async () => {
    const o = JSON.parse(await run('--sample-rate 0.01 --target-epsilon 3 --steps 1000 --accountant rdp --json'.split(' ')));
    expect(Object.keys(o)[0]).toBe('noise_multiplier');
    expect(o.epsilon).toBeLessThanOrEqual(3);
    expect(3 - o.epsilon).toBeLessThanOrEqual(0.01);
    expect(o.epsilon).toBe(epsilonSpent('rdp', [{ noiseMultiplier: o.noise_multiplier, sampleRate: 0.01, steps: 1000 }], 1e-5).epsilon);
    expect(o.target_epsilon).toBe(3);
  });

  it('plain text names the accountant, the order and the rounding of --epochs', async () => {
    const text = await run('--sample-rate 0.1 --noise-multiplier 1.1 --epochs 0.7 --accountant rdp'.split(' '));
    expect(text).toMatch(/^epsilon \d+\.\d{4} at delta 0.00001 \(RDP, Balle et al. 2020 conversion, order [\d.]+\)/);
    expect(text).toMatch(/7 steps \(0.7 epochs at q = 0.1: E \/ q = 6.999999999999999, rounded to 7\)/);
    expect(await run('--sample-rate 0.007 --noise-multiplier 1 --epochs 1 --accountant rdp'.split(' '))).toMatch(/truncated to 142/);
  });

  it('one-line errors for impossible flags', async () => {
    const q = (s: string) => () => privacyBudgetQuery(Object.fromEntries(s.split(' ').map((kv) => kv.split('='))));
    expect(q('noise-multiplier=1 steps=3')).toThrow(/needs --sample-rate/);
    expect(q('sample-rate=1.5 noise-multiplier=1 steps=3')).toThrow(/--sample-rate "1.5" is not a sampling rate in \(0, 1\]/);
    expect(q('sample-rate=0 noise-multiplier=1 steps=3')).toThrow(UsageError);
    expect(q('sample-rate=0.1 noise-multiplier=0 steps=3')).toThrow(/--noise-multiplier "0" is not a noise multiplier > 0/);
    expect(q('sample-rate=0.1 noise-multiplier=-1 steps=3')).toThrow(/noise multiplier > 0/);
    expect(q('sample-rate=0.1 noise-multiplier=1 steps=3 epochs=2')).toThrow(/give --steps or --epochs, not both/);
    expect(q('sample-rate=0.1 noise-multiplier=1')).toThrow(/needs --steps T or --epochs E/);
    expect(q('sample-rate=0.1 steps=3')).toThrow(/needs --noise-multiplier s .* or --target-epsilon e/);
    expect(q('sample-rate=0.1 noise-multiplier=1 target-epsilon=2 steps=3')).toThrow(/not both/);
    expect(q('sample-rate=0.1 target-epsilon=0 steps=3')).toThrow(/--target-epsilon "0"/);
    expect(q('sample-rate=0.1 noise-multiplier=1 steps=2.5')).toThrow(/--steps "2.5" is not a whole number/);
    expect(q('sample-rate=0.1 noise-multiplier=1 epochs=0.05')).toThrow(/less than one step/);
    expect(q('sample-rate=0.1 noise-multiplier=1 steps=3 delta=1')).toThrow(/--delta "1"/);
    expect(q('sample-rate=0.1 noise-multiplier=1 steps=3 accountant=gdp')).toThrow(
      /--accountant "gdp" is not one of rdp, rdp-classic, prv/,
    );
    expect(q('sample-rate=0.1 noise-multiplier=1 steps=3 accountant=rdp eps-error=0.1')).toThrow(/options of --accountant prv/);
    expect(q('sample-rate=0.1 noise-multiplier=1 steps=3 tolerance=0.1')).toThrow(/option of --target-epsilon/);
    expect(q('sample-rate=0.1 noise-multiplier=1 steps=3 delta-error=0.1')).toThrow(/--delta-error "0.1"/);
    await expect(run(['--sample-rate', '0.1', '--bogus'])).rejects.toThrow(/Unknown option '--bogus'/);
    await expect(run('--sample-rate 1 --target-epsilon 0.0001 --steps 1000000 --accountant rdp'.split(' '))).rejects.toThrow(
      /--target-epsilon 0.0001: The privacy budget is too low/,
    );
  });

  it('defaults: delta 1e-5, the prv accountant', () => {
    const q = privacyBudgetQuery({ 'sample-rate': '0.01', 'noise-multiplier': '1', steps: '10' });
    expect(q).toMatchObject({ delta: 1e-5, accountant: 'prv', steps: 10, tolerance: 0.01, options: {} });
  });
});
