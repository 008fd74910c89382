import { describe, expect, it } from 'vitest';
import { parseTrigger } from '../algorithms/trigger';
import { editorOf, resized, textOf, toggled } from './trigger-editor';

describe('the trigger editor', () => {
  it('reads a spec and writes it back', () => {
    for (const t of ['patch:4:br', 'patch:3:tl:checker', 'patch:2:5,3:m0110:0.5', 'patch:3:bl:0.25']) expect(textOf(editorOf(t)!)).toBe(t);
    expect(editorOf('patch:2:br:m1111')!.pattern).toBe('white');
    expect(editorOf('nonsense')).toBeNull();
  });

  it('draws: a flipped cell makes a drawn pattern whose spec stamps exactly that mask', () => {
    const e = toggled(editorOf('patch:2:tr:checker')!, 1);
    expect(e.pattern).toBe('drawn');
    expect(textOf(e)).toBe('patch:2:tr:m1101');
    expect(Array.from(parseTrigger(textOf(e)).pattern)).toEqual([255, 255, 0, 255]);
  });

  it('resizes a drawn mask keeping its cells, and redraws a checkerboard', () => {
    const d = resized(editorOf('patch:2:br:m1011')!, 3);
    expect(textOf(d)).toBe('patch:3:br:m100110000');
    expect(textOf(resized(editorOf('patch:2:br:checker')!, 3))).toBe('patch:3:br:checker');
  });
});
