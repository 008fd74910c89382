/** The next-move rule of the studio on a made-up catalogue: which card speaks for a budget, which model is suggested, and when none is. */
import { describe, expect, it } from 'vitest';
import type { ModelCard, RobustAccuracyEntry } from '../../core/models/card';
import { nextMoveAfterFooling, recordedRobustness, robustAlternative } from './next-move';

const entry = (eps: number, accuracy: number, attack: 'pgd' | 'fgsm' = 'pgd'): RobustAccuracyEntry => ({
  attack,
  norm: 'linf',
  eps,
  steps: 40,
  stepSize: 0.01,
  randomStart: true,
  restarts: 1,
  seed: 0,
  n: 10000,
  accuracy,
  command: '',
});
const card = (id: string, dataset: string, robust: RobustAccuracyEntry[]): ModelCard =>
  ({ schema: 1, id, dataset, robustAccuracy: robust }) as unknown as ModelCard;

const zoo = [
  card('plain', 'mnist', [entry(0.1, 0.55), entry(0.3, 0.002)]),
  card('robust', 'mnist', [entry(0.1, 0.97), entry(0.3, 0.93)]),
  card('smooth', 'mnist', []),
  card('other-data', 'fashion', [entry(0.1, 0.99)]),
  card('cifar', 'cifar10', [entry(8 / 255, 0.39)]),
];

describe('recordedRobustness', () => {
  it('reads the entry at the smallest eps not below the budget, and the strongest attack there', () => {
    expect(recordedRobustness(zoo[0], { norm: 'linf', eps: 0.1 })).toMatchObject({ eps: 0.1, accuracy: 0.55 });
    expect(recordedRobustness(zoo[0], { norm: 'linf', eps: 0.2 })).toMatchObject({ eps: 0.3, accuracy: 0.002 });
    expect(recordedRobustness(zoo[0], { norm: 'linf', eps: 0.4 })).toBeNull();
    expect(recordedRobustness(zoo[0], { norm: 'l2', eps: 0.1 })).toBeNull();
    const both = card('b', 'mnist', [entry(0.1, 0.8, 'fgsm'), entry(0.1, 0.6)]);
    expect(recordedRobustness(both, { norm: 'linf', eps: 0.1 })).toMatchObject({ attack: 'pgd', accuracy: 0.6 });
    // 8/255 typed as a fraction and the card's decimal are one budget
    expect(recordedRobustness(zoo[4], { norm: 'linf', eps: 0.031372549 })).toMatchObject({ accuracy: 0.39 });
  });
});

describe('the next move after a successful attack', () => {
  it('names the model of the data set that records more robustness at the budget', () => {
    const m = robustAlternative(zoo, 'plain', 'mnist', { norm: 'linf', eps: 0.1 });
    expect(m?.model.id).toBe('robust');
    expect(m?.recorded.accuracy).toBe(0.97);
    expect(m?.current?.accuracy).toBe(0.55);
    // a model with no record of its own (smoothing, DP, the user's) is pointed to the robust one too
    expect(robustAlternative(zoo, 'smooth', 'mnist', { norm: 'linf', eps: 0.1 })?.model.id).toBe('robust');
  });

  it('suggests a smaller budget when no model records more, or nothing speaks for the budget', () => {
    expect(nextMoveAfterFooling(zoo, 'robust', 'mnist', { norm: 'linf', eps: 0.1 })).toEqual({ kind: 'smaller-budget' });
    expect(nextMoveAfterFooling(zoo, 'plain', 'mnist', { norm: 'l2', eps: 1 })).toEqual({ kind: 'smaller-budget' });
    expect(nextMoveAfterFooling(zoo, 'plain', 'mnist', { norm: 'linf', eps: 0.5 })).toEqual({ kind: 'smaller-budget' });
    expect(nextMoveAfterFooling(zoo, 'cifar', 'cifar10', { norm: 'linf', eps: 8 / 255 })).toEqual({ kind: 'smaller-budget' });
    expect(nextMoveAfterFooling(zoo, 'plain', 'mnist', { norm: 'linf', eps: 0.1 }).kind).toBe('robust-model');
  });
});
