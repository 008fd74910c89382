/**
 * The input transforms a defence spec names (spec.ts parses it), built: this is where the transforms
 * (and TensorFlow.js) come in.
 */
import { bitDepth } from './bit-depth';
import { gaussian } from './gaussian';
import { jpeg } from './jpeg';
import { median } from './median';
import { parseDefence } from './spec';
import type { InputTransform, TransformKind } from './transform';

const MAKERS: Readonly<Record<TransformKind, (v: number) => InputTransform>> = { 'bit-depth': bitDepth, median, jpeg, gaussian };

/** The transforms of a spec; throws the parser's one-line error. */
export function transformsOf(text: string): InputTransform[] {
  const r = parseDefence(text);
  if ('error' in r) throw new Error(r.error);
  return r.transforms.map((t) => MAKERS[t.kind](t.param));
}
