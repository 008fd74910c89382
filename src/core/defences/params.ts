/**
 * The parameter of each input transform, checked once (a one-line error naming the transform): the
 * transforms' constructors (bit-depth.ts, ...) and the defence parser (spec.ts) both call it. Free of
 * TensorFlow.js, so that the parser (read by the page's main thread for the link and the controls)
 * does not pull it in.
 */
import type { TransformKind } from './transform';

export function checkTransformParam(kind: TransformKind, v: number): void {
  switch (kind) {
    case 'bit-depth':
      if (!Number.isInteger(v) || v < 1 || v > 8) throw new Error(`bit-depth: bits ${v} is not a whole number from 1 to 8`);
      return;
    case 'median':
      if (!Number.isInteger(v) || v < 2 || v > 7) throw new Error(`median: window ${v} is not a whole number from 2 to 7`);
      return;
    case 'jpeg':
      if (!Number.isInteger(v) || v < 1 || v > 100) throw new Error(`jpeg: quality ${v} is not a whole number from 1 to 100`);
      return;
    case 'gaussian':
      if (!Number.isFinite(v) || v <= 0 || v > 1) throw new Error(`gaussian: sigma ${v} is not in (0, 1]`);
      return;
  }
}
