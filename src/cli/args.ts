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

export function num(value: string | undefined, name: string, fallback: number, check?: (v: number) => boolean, what = ''): number {
  if (value === undefined) return fallback;
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v) || (check && !check(v))) {
    throw new UsageError(`--${name} ${JSON.stringify(value)} is not ${what || 'a valid number'}`);
  }
  return v;
}

export const isInt = (v: number) => Number.isInteger(v);
export const isPosInt = (v: number) => Number.isInteger(v) && v >= 1;
export const isNonNegInt = (v: number) => Number.isInteger(v) && v >= 0;
