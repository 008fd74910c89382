import { describe, expect, it } from 'vitest';
import { CIFAR_RECORD, concatSplits, encodeCifarBatch, parseCifarBatch } from './cifar';

function record(label: number, r: number, g: number, b: number): Uint8Array {
  const rec = new Uint8Array(CIFAR_RECORD);
  rec[0] = label;
  rec.fill(r, 1, 1025);
  rec.fill(g, 1025, 2049);
  rec.fill(b, 2049, 3073);
  return rec;
}

describe('CIFAR-10 binary batches', () => {
  it('reads label bytes and planar RGB into channels-last pixels', () => {
    const bytes = new Uint8Array([...record(3, 10, 20, 30), ...record(9, 200, 100, 0)]);
    bytes[1 + 5] = 77; // red plane, pixel 5 of record 0
    bytes[CIFAR_RECORD + 1 + 2048 + 1023] = 1; // blue plane, last pixel of record 1
    const s = parseCifarBatch(bytes);
    expect(s.n).toBe(2);
    expect(s.shape).toEqual([32, 32, 3]);
    expect(Array.from(s.labels)).toEqual([3, 9]);
    expect(Array.from(s.pixels.subarray(0, 3))).toEqual([10, 20, 30]);
    expect(Array.from(s.pixels.subarray(15, 18))).toEqual([77, 20, 30]);
    expect(Array.from(s.pixels.subarray(3072 + 3 * 1023, 3072 + 3 * 1024))).toEqual([200, 100, 1]);
  });
  it('round-trips through encodeCifarBatch', () => {
    const bytes = new Uint8Array(3 * CIFAR_RECORD).map((_, i) => (i * 31) % 256);
    for (let i = 0; i < 3; i++) bytes[i * CIFAR_RECORD] = i + 4;
    expect(encodeCifarBatch(parseCifarBatch(bytes))).toEqual(bytes);
  });
  it('refuses truncated, empty, oversized and mislabelled input', () => {
    const one = record(1, 0, 0, 0);
    expect(() => parseCifarBatch(one.subarray(0, 3000))).toThrow(/not a whole number of 3073-byte records/);
    expect(() => parseCifarBatch(new Uint8Array(0))).toThrow(/empty/);
    expect(() => parseCifarBatch(new Uint8Array(3 * CIFAR_RECORD), 'x', 2)).toThrow(/more than CIFAR-10 has/);
    expect(() => parseCifarBatch(record(10, 0, 0, 0))).toThrow(/label 10/);
  });
  it('concatenates batches in order', () => {
    const a = parseCifarBatch(record(1, 1, 1, 1));
    const b = parseCifarBatch(record(2, 2, 2, 2));
    const c = concatSplits([a, b]);
    expect(Array.from(c.labels)).toEqual([1, 2]);
    expect(c.pixels[3072]).toBe(2);
  });
});
