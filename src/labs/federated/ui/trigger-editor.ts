/**
 * The trigger editor's state (size, position, pattern, drawn mask, alpha) and the trigger spec text
 * of algorithms/trigger.ts, both ways: the editor writes the spec the link and the CLI carry.
 */
import { parseTrigger } from '../algorithms/trigger';

export type PatternKind = 'white' | 'checker' | 'drawn';

export interface TriggerEditor {
  size: number;
  /** A corner, or the patch's top-left pixel. */
  at: 'br' | 'bl' | 'tr' | 'tl' | { x: number; y: number };
  pattern: PatternKind;
  /** size * size cells, row-major (1 = white): the drawn pattern. */
  mask: boolean[];
  alpha: number;
}

const checkerMask = (size: number) => Array.from({ length: size * size }, (_, i) => (Math.floor(i / size) + (i % size)) % 2 === 0);

/** The editor of a spec text (null when the text is not a valid trigger). */
export function editorOf(text: string, shape: readonly [number, number, number] = [28, 28, 1]): TriggerEditor | null {
  let t;
  try {
    t = parseTrigger(text, shape);
  } catch {
    return null;
  }
  const mask = Array.from(t.pattern, (v) => v >= 128);
  const checker = checkerMask(t.size);
  const pattern: PatternKind = mask.every((m) => m) ? 'white' : mask.every((m, i) => m === checker[i]) ? 'checker' : 'drawn';
  return { size: t.size, at: t.at, pattern, mask, alpha: t.alpha };
}

/** The spec text of an editor state (the shortest form: white and alpha 1 are left out). */
export function textOf(e: TriggerEditor): string {
  const at = typeof e.at === 'object' ? `${e.at.x},${e.at.y}` : e.at;
  const pattern = e.pattern === 'white' ? '' : e.pattern === 'checker' ? ':checker' : `:m${e.mask.map((m) => (m ? '1' : '0')).join('')}`;
  const alpha = e.alpha === 1 ? '' : `:${Number(e.alpha.toFixed(3))}`;
  return `patch:${e.size}:${at}${pattern}${alpha}`;
}

/** A new size: the drawn mask is kept where it fits (new cells blank), the checkerboard redrawn. */
export function resized(e: TriggerEditor, size: number): TriggerEditor {
  const mask = Array.from({ length: size * size }, (_, i) => {
    const r = Math.floor(i / size);
    const c = i % size;
    if (e.pattern === 'white') return true;
    if (e.pattern === 'checker') return (r + c) % 2 === 0;
    return r < e.size && c < e.size ? e.mask[r * e.size + c] : false;
  });
  return { ...e, size, mask };
}

/** The editor with one cell of the drawn pattern flipped (the pattern becomes a drawn one). */
export function toggled(e: TriggerEditor, cell: number): TriggerEditor {
  const mask = e.mask.slice();
  mask[cell] = !mask[cell];
  return { ...e, pattern: 'drawn', mask };
}
