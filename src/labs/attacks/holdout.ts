/**
 * The attack that measures a training run's holdout robustness after each epoch (the best checkpoint
 * of an adversarial recipe is chosen by it): PGD-10, L-inf, from a random start, steps of eps / 4,
 * one restart, seed 0 (the zoo's recipes and cards were made with exactly this).
 */
import type { EvalAttack } from '../../core/eval/sweep';
import { attackRunner } from './algorithms/registry';

export function holdoutPgd(eps: number): EvalAttack {
  return attackRunner({ name: 'pgd', norm: 'linf', eps, steps: 10, stepSize: eps / 4, randomStart: true, restarts: 1, seed: 0 });
}
