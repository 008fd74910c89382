/**
 * Flags from field tables (field-flags.ts): the options, the help and the reading follow the table, so
 * a command written with them cannot drift from its fields.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from './args';
import { fieldFlags, fieldOptions, readFieldFlags, type CliField } from './field-flags';

interface S {
  size: number;
  part: number;
  mode: string;
}
const FIELDS: readonly CliField<S>[] = [
  { path: 'size', cli: 'the-size', url: 'sz', type: { kind: 'int', min: 1, max: 100 }, label: 'size', help: 'how big', default: 10 },
  {
    path: 'part',
    cli: 'the-part',
    type: { kind: 'int', min: 0, max: (s) => s.size },
    label: 'part',
    help: 'a part of it (default size / 2)',
    default: 5,
    defaultFor: (s) => Math.floor(s.size / 2),
  },
  { path: 'mode', cli: 'the-mode', type: { kind: 'enum', values: ['a', 'b'] }, label: 'mode', default: 'a' },
];
const ALIASES = { size: 'the-size', mode: 'the-mode' };
const fresh = (): S => ({ size: 10, part: 5, mode: 'a' });

describe('field flags', () => {
  it('options: every flag and alias, as strings; an alias of no field is a programming error', () => {
    expect(fieldOptions(FIELDS, ALIASES)).toEqual({
      size: { type: 'string' },
      'the-size': { type: 'string' },
      'the-part': { type: 'string' },
      mode: { type: 'string' },
      'the-mode': { type: 'string' },
    });
    expect(() => fieldOptions(FIELDS, { x: 'nope' })).toThrow(/--nope/);
  });

  it('help: the alias first, the range in the context, the help, the default, the other name and the link key', () => {
    expect(fieldFlags(FIELDS, fresh(), { aliases: ALIASES, urlPrefix: 'zz' })).toEqual([
      { name: 'size', value: '1..100', help: 'how big (default 10; also --the-size; zz.sz in links)' },
      { name: 'the-part', value: '0..10', help: 'a part of it (default size / 2)' },
      { name: 'mode', value: 'a|b', help: 'mode (default a; also --the-mode)' },
    ]);
  });

  it('reading: table order, ranges and defaults following the fields before, either name, never both', () => {
    expect(readFieldFlags(FIELDS, {}, fresh(), ALIASES)).toEqual({ size: 10, part: 5, mode: 'a' });
    expect(readFieldFlags(FIELDS, { size: '40' }, fresh(), ALIASES)).toEqual({ size: 40, part: 20, mode: 'a' });
    expect(readFieldFlags(FIELDS, { 'the-size': '40', 'the-part': '33', mode: 'b' }, fresh(), ALIASES)).toEqual({
      size: 40,
      part: 33,
      mode: 'b',
    });
    expect(() => readFieldFlags(FIELDS, { size: '4', 'the-part': '5' }, fresh(), ALIASES)).toThrow(
      '--the-part "5": part 5 is outside 0..4',
    );
    expect(() => readFieldFlags(FIELDS, { size: '4', 'the-size': '5' }, fresh(), ALIASES)).toThrow('give --size or --the-size, not both');
    expect(() => readFieldFlags(FIELDS, { mode: 'c' }, fresh(), ALIASES)).toThrow(UsageError);
    expect(() => readFieldFlags(FIELDS, { 'the-size': '2.5' }, fresh(), ALIASES)).toThrow(
      '--the-size "2.5": size 2.5 is not a whole number',
    );
  });
});
