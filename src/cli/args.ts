import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** node:util parseArgs, with its errors turned into one-line usage errors. */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
}

/** A numeric flag (a number or a fraction a/b), checked; `fallback` when absent. */
export function num(value: string | undefined, name: string, fallback: number, check?: (v: number) => boolean, what = ''): number {
  if (value === undefined) return fallback;
  // a fraction such as 8/255 (how CIFAR-10 budgets are written) is read as its value
  const frac = /^\s*([0-9.eE+-]+)\s*\/\s*([0-9.eE+-]+)\s*$/.exec(value);
  const v = frac ? Number(frac[1]) / Number(frac[2]) : Number(value);
  if (value.trim() === '' || !Number.isFinite(v) || (check && !check(v))) {
    throw new UsageError(`--${name} ${JSON.stringify(value)} is not ${what || 'a valid number'}`);
  }
  return v;
}

export const isInt = (v: number) => Number.isInteger(v);
export const isPosInt = (v: number) => Number.isInteger(v) && v >= 1;
export const isNonNegInt = (v: number) => Number.isInteger(v) && v >= 0;
