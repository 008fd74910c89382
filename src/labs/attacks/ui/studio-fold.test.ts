/** What the studio folds under "More settings", what counts as changed there, and the remembered choice. */
import { describe, expect, it } from 'vitest';
import { cloneExperiment, DEFAULT_EXPERIMENT, decodeExperiment } from '../../experiment';
import { ATTACKS } from '../index';
import { ESSENTIAL_PATHS, foldedChanges, foldedFields, readFoldOpen, writeFoldOpen } from './studio-fold';

describe('the studio fold', () => {
  it('keeps attack, norm, eps and steps in view and folds every other parameter the attack reads', () => {
    expect(foldedFields(ATTACKS.pgd).map((f) => f.path)).toEqual(
      expect.arrayContaining([
        'attack.stepSize',
        'attack.restarts',
        'attack.seed',
        'attack.randomStart',
        'attack.targeted',
        'attack.target',
      ]),
    );
    for (const name of Object.keys(ATTACKS) as (keyof typeof ATTACKS)[]) {
      const folded = foldedFields(ATTACKS[name]).map((f) => f.path);
      expect(
        folded.filter((p) => ESSENTIAL_PATHS.includes(p)),
        name,
      ).toEqual([]);
    }
    // an attack's own parameters fold (Square's queries, C&W's c0), and only what the attack reads
    expect(foldedFields(ATTACKS.square).map((f) => f.path)).toContain('attack.queries');
    expect(foldedFields(ATTACKS.cw).map((f) => f.path)).toContain('attack.c0');
    expect(foldedFields(ATTACKS.fgsm).map((f) => f.path)).not.toContain('attack.restarts');
    expect(foldedFields(ATTACKS.deepfool).map((f) => f.path)).not.toContain('attack.target');
  });

  it('counts the folded settings a link set off their default, and the second model', () => {
    expect(foldedChanges(DEFAULT_EXPERIMENT, ATTACKS.pgd, null)).toEqual([]);
    // essentials off their default do not count
    expect(foldedChanges(decodeExperiment('v=2&atk.eps=0.3&atk.steps=7').experiment, ATTACKS.pgd, null)).toEqual([]);
    const e = decodeExperiment('v=2&atk.seed=3&atk.restarts=2&atk.tgt=1&atk.target=5').experiment;
    expect(foldedChanges(e, ATTACKS.pgd, null)).toEqual(['restarts', 'seed', 'target']);
    expect(foldedChanges(e, ATTACKS.pgd, 'mnist-cnn-robust')).toEqual(['restarts', 'seed', 'target', 'compare with']);
    // a setting the attack does not read is not counted (FGSM has no restarts)
    expect(foldedChanges(e, ATTACKS.fgsm, null)).not.toContain('restarts');
  });

  it("reads a default that follows the data set as a default (CIFAR-10's 2/255 step)", () => {
    const cifar = cloneExperiment(DEFAULT_EXPERIMENT);
    Object.assign(cifar, { dataset: 'cifar10', model: 'cifar10-cnn' });
    Object.assign(cifar.attack, { eps: 8 / 255, stepSize: 2 / 255 });
    expect(foldedChanges(cifar, ATTACKS.pgd, null)).toEqual([]);
    cifar.attack.stepSize = 1 / 255;
    expect(foldedChanges(cifar, ATTACKS.pgd, null)).toEqual(['step size']);
  });

  it('remembers the open state in the given storage, closed when nothing is stored or storage fails', () => {
    const m = new Map<string, string>();
    const storage = { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
    expect(readFoldOpen(storage)).toBe(false);
    writeFoldOpen(true, storage);
    expect(readFoldOpen(storage)).toBe(true);
    writeFoldOpen(false, storage);
    expect(readFoldOpen(storage)).toBe(false);
    const broken = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
    };
    expect(readFoldOpen(broken)).toBe(false);
    expect(() => writeFoldOpen(true, broken)).not.toThrow();
  });
});
