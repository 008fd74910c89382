import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/args';
import { poisonSettingsFromFlags, runPoison } from './poison';

describe('rlab poison flags', () => {
  it('reads the fields and the lab seed, with the defaults elsewhere', () => {
    const { settings, seed } = poisonSettingsFromFlags({ trigger: 'patch:3:tl:checker', rate: '0.05', defence: 'spectral', seed: '7' });
    expect(settings).toMatchObject({
      trigger: 'patch:3:tl:checker',
      rate: 0.05,
      target: 0,
      mode: 'all-to-one',
      epochs: 2,
      defence: 'spectral',
    });
    expect(seed).toBe(7);
  });

  it('turns a bad value into a one-line usage error', async () => {
    for (const flags of [{ trigger: 'patch:40:br' }, { rate: '1.5' }, { defence: 'strip' }, { mode: 'some' }, { target: '10' }]) {
      let err: unknown;
      try {
        poisonSettingsFromFlags(flags);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).not.toContain('\n');
    }
    await expect(runPoison(['--dataset', 'cifar10'])).rejects.toThrow(/poisoning runs on mnist, fashion-mnist/);
    await expect(runPoison(['--frobnicate'])).rejects.toBeInstanceOf(UsageError);
  });
});
