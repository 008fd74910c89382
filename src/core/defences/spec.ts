/**
 * The text form of a defence: `bit-depth:B | median:K | jpeg:Q | gaussian:S`, comma-joined to compose
 * in the order written ("bit-depth:1,median:2"). '' is no defence. Errors are one line and name the
 * part that is wrong. Free of TensorFlow.js (the page's main thread parses defences for its links and
 * controls); the transforms themselves are built by make.ts.
 */
import { checkTransformParam } from './params';
import type { TransformKind } from './transform';

export interface TransformSpec {
  kind: TransformKind;
  param: number;
}

export const TRANSFORM_KINDS: Readonly<Record<TransformKind, { param: string; int: boolean }>> = {
  'bit-depth': { param: 'bits 1..8', int: true },
  median: { param: 'window 2..7', int: true },
  jpeg: { param: 'quality 1..100', int: true },
  gaussian: { param: 'sigma in (0, 1]', int: false },
};

export const DEFENCE_SYNTAX = 'bit-depth:B, median:K, jpeg:Q or gaussian:S, comma-joined to compose';
export const MAX_TRANSFORMS = 8;

/** The parts of a defence spec, or an error message (never throws). */
export function parseDefence(text: string): { transforms: TransformSpec[] } | { error: string } {
  const s = text.trim();
  if (s === '' || s === 'none') return { transforms: [] };
  const parts = s.split(',').map((p) => p.trim());
  if (parts.length > MAX_TRANSFORMS) return { error: `defence: at most ${MAX_TRANSFORMS} transforms, not ${parts.length}` };
  const out: TransformSpec[] = [];
  for (const part of parts) {
    const m = /^([a-z-]+)\s*:\s*(\S+)$/.exec(part);
    if (!m) return { error: `defence: "${part.slice(0, 40)}" is not name:value (${DEFENCE_SYNTAX})` };
    const kind = m[1] as TransformKind;
    if (!Object.prototype.hasOwnProperty.call(TRANSFORM_KINDS, kind))
      return { error: `defence: unknown transform "${m[1].slice(0, 20)}" (${DEFENCE_SYNTAX})` };
    const v = Number(m[2]);
    const info = TRANSFORM_KINDS[kind];
    if (m[2] === '' || !Number.isFinite(v)) return { error: `defence: ${kind} needs a number (${info.param}), not "${m[2].slice(0, 20)}"` };
    try {
      checkTransformParam(kind, v);
    } catch (e) {
      return { error: `defence: ${(e as Error).message.replace(/^[a-z-]+: /, `${kind} `)} (${info.param})` };
    }
    out.push({ kind, param: v });
  }
  return { transforms: out };
}

/** The canonical text of a defence ('' for none). */
export function formatDefence(transforms: readonly TransformSpec[]): string {
  return transforms.map((t) => `${t.kind}:${t.param}`).join(',');
}
