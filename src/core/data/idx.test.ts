import { describe, expect, it } from 'vitest';
import { encodeIdx, IdxFormatError, parseIdx } from './idx';
import { decodeSplit, DATASETS, imagesAsFloats } from './datasets';

describe('parseIdx', () => {
  it('round-trips dims and data', () => {
    const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 7);
    const parsed = parseIdx(encodeIdx([2, 3, 4], data));
    expect(parsed.dims).toEqual([2, 3, 4]);
    expect(Array.from(parsed.data)).toEqual(Array.from(data));
  });

  it('reads the big-endian header the way MNIST writes it', () => {
    // 0x00000803, then 1 x 2 x 2 images
    const bytes = Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 9, 8, 7, 6]);
    expect(parseIdx(bytes).dims).toEqual([1, 2, 2]);
    expect(Array.from(parseIdx(bytes).data)).toEqual([9, 8, 7, 6]);
  });

  it('rejects a truncated body with a message that says so', () => {
    const full = encodeIdx([10, 28, 28], new Uint8Array(10 * 784));
    expect(() => parseIdx(full.subarray(0, full.length - 1))).toThrow(/truncated/);
  });

  it('rejects a truncated header, a bad magic, a bad type and trailing bytes', () => {
    expect(() => parseIdx(Uint8Array.from([0, 0]))).toThrow(IdxFormatError);
    expect(() => parseIdx(Uint8Array.from([0, 0, 8, 3, 0, 0]))).toThrow(/truncated header/);
    expect(() => parseIdx(Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 1, 5]))).toThrow(/not an IDX/);
    expect(() => parseIdx(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 5]))).toThrow(/not supported/);
    expect(() => parseIdx(Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 1, 5, 6]))).toThrow(/unexpected bytes/);
    expect(() => parseIdx(Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 0]))).toThrow(/zero/);
  });
});

describe('decodeSplit', () => {
  const ds = DATASETS.mnist;
  it('accepts matching images and labels and scales pixels to [0,1]', () => {
    const px = new Uint8Array(2 * 784);
    px[0] = 255;
    px[784] = 51;
    const split = decodeSplit(ds, 'test', encodeIdx([2, 28, 28], px), encodeIdx([2], Uint8Array.from([3, 7])));
    expect(split.n).toBe(2);
    expect(Array.from(split.labels)).toEqual([3, 7]);
    const f = imagesAsFloats(split, 1, 1);
    expect(f.length).toBe(784);
    expect(f[0]).toBeCloseTo(0.2, 6);
  });
  it('refuses a label count that does not match, a wrong image size and out-of-range labels', () => {
    const px = encodeIdx([2, 28, 28], new Uint8Array(2 * 784));
    expect(() => decodeSplit(ds, 'test', px, encodeIdx([3], new Uint8Array(3)))).toThrow(/3 labels for 2 images/);
    expect(() => decodeSplit(ds, 'test', encodeIdx([2, 32, 32], new Uint8Array(2 * 1024)), encodeIdx([2], new Uint8Array(2)))).toThrow(
      /shape/,
    );
    expect(() => decodeSplit(ds, 'test', px, encodeIdx([2], Uint8Array.from([1, 10])))).toThrow(/not a class/);
  });
});
