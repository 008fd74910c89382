/**
 * The option checks attacks share (one-line `invalid attack options: ...` errors): whole numbers,
 * ranges, the budget. Free of TensorFlow.js, so that the attacks' definitions (read by the page's main
 * thread for its controls, its links and its help) do not pull it in; common.ts re-exports them.
 */
import type { Norm } from './types';

export function invalid(what: string): never {
  throw new Error(`invalid attack options: ${what}`);
}

export const isWhole = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

export const inRange = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && v >= min && v <= max;

/** The settings many attacks share, as `checkBudget` checks them (absent ones are not checked). */
export interface Budget {
  norm: string;
  eps: number;
  seed: number;
  steps?: number;
  restarts?: number;
  randomStart?: boolean;
}

/**
 * Checks an attack's resolved budget: the norm among those it supports, eps in [0, 1] (L-inf) or
 * [0, 1000] (L2), steps and restarts whole numbers >= 1, randomStart a boolean, seed a whole number
 * >= 0. Returns the largest eps of the norm (step sizes are checked against it). One-line errors.
 */
export function checkBudget(attack: string, r: Budget, norms: readonly Norm[] = ['linf', 'l2']): number {
  if (!(norms as readonly string[]).includes(r.norm))
    invalid(`${attack} supports norm ${norms.join(' or ')}${norms.length === 1 ? ' only' : ''}, not "${String(r.norm)}"`);
  const maxEps = r.norm === 'linf' ? 1 : 1000;
  if (!inRange(r.eps, 0, maxEps)) invalid(`eps must be in [0, ${maxEps}], got ${r.eps}`);
  if ('steps' in r && !isWhole(r.steps, 1, 100000)) invalid(`steps must be a whole number >= 1, got ${r.steps}`);
  if ('restarts' in r && !isWhole(r.restarts, 1, 1000)) invalid(`restarts must be a whole number >= 1, got ${r.restarts}`);
  if ('randomStart' in r && typeof r.randomStart !== 'boolean') invalid(`randomStart must be true or false, got ${String(r.randomStart)}`);
  if (!isWhole(r.seed, 0)) invalid(`seed must be a whole number >= 0, got ${r.seed}`);
  return maxEps;
}
