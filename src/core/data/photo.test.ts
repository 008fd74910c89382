import { describe, expect, it } from 'vitest';
import { borderMean, centreCrop, pictureToInput, resizeArea, toBytes, toGrey } from './photo';

/** A w x h RGB picture from a function of (x, y). */
function picture(w: number, h: number, f: (x: number, y: number) => [number, number, number]): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out.set(f(x, y), (y * w + x) * 3);
  return out;
}

describe('photo: centre crop', () => {
  it('takes the largest centred square', () => {
    expect(centreCrop(6, 4)).toEqual({ x: 1, y: 0, side: 4 });
    expect(centreCrop(4, 7)).toEqual({ x: 0, y: 1, side: 4 });
    expect(centreCrop(5, 5)).toEqual({ x: 0, y: 0, side: 5 });
    expect(() => centreCrop(0, 3)).toThrow(/nothing to crop/);
  });
});

describe('photo: area-averaging resize', () => {
  it('averages whole blocks exactly (4x4 quadrants to 2x2)', () => {
    const q: [number, number, number][] = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [10, 20, 30],
    ];
    const src = picture(4, 4, (x, y) => q[(y < 2 ? 0 : 2) + (x < 2 ? 0 : 1)]);
    const out = resizeArea(src, 4, 4, 3, { x: 0, y: 0, w: 4, h: 4 }, 2, 2);
    expect(Array.from(out)).toEqual(q.flat());
  });

  it('weights partly covered pixels by their overlap (3x1 to 2x1)', () => {
    // output 0 covers source [0, 1.5): (1 * 0 + 0.5 * 90) / 1.5 = 30; output 1 covers [1.5, 3): (0.5 * 90 + 1 * 180) / 1.5 = 150
    const src = picture(3, 1, (x) => [x * 90, 0, 255]);
    const out = resizeArea(src, 3, 1, 3, { x: 0, y: 0, w: 3, h: 1 }, 2, 1);
    expect(Array.from(out).map((v) => Math.round(v * 1000) / 1000)).toEqual([30, 0, 255, 150, 0, 255]);
  });

  it('averages a checkerboard to mid grey and keeps a flat colour flat', () => {
    const board = picture(8, 8, (x, y) => ((x + y) % 2 === 0 ? [255, 255, 255] : [0, 0, 0]));
    expect(Array.from(toBytes(resizeArea(board, 8, 8, 3, { x: 0, y: 0, w: 8, h: 8 }, 2, 2)))).toEqual(new Array(12).fill(128));
    const flat = picture(7, 5, () => [12, 34, 56]);
    const r = toBytes(resizeArea(flat, 7, 5, 3, { x: 1, y: 0, w: 5, h: 5 }, 3, 3));
    expect(Array.from(r)).toEqual(new Array(9).fill([12, 34, 56]).flat());
  });

  it('upscales a 1x1 picture to a flat 2x2', () => {
    const out = resizeArea(new Uint8Array([1, 2, 3]), 1, 1, 3, { x: 0, y: 0, w: 1, h: 1 }, 2, 2);
    expect(Array.from(out)).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]);
  });

  it('composites RGBA over white', () => {
    const rgba = new Uint8Array([0, 0, 0, 0, 255, 0, 0, 255, 0, 0, 0, 128, 0, 0, 0, 255]);
    const out = toBytes(resizeArea(rgba, 4, 1, 4, { x: 0, y: 0, w: 4, h: 1 }, 4, 1));
    expect(Array.from(out)).toEqual([255, 255, 255, 255, 0, 0, 127, 127, 127, 0, 0, 0]);
  });

  it('refuses buffers of the wrong size and boxes outside the picture', () => {
    expect(() => resizeArea(new Uint8Array(10), 2, 2, 3, { x: 0, y: 0, w: 2, h: 2 }, 1, 1)).toThrow(/not 2x2x3/);
    expect(() => resizeArea(new Uint8Array(12), 2, 2, 3, { x: 1, y: 0, w: 2, h: 2 }, 1, 1)).toThrow(/outside/);
  });
});

describe('photo: grey and model input', () => {
  it('converts with BT.601 luma weights', () => {
    expect(Array.from(toBytes(toGrey([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255])))).toEqual([76, 150, 29, 255]);
  });

  it('crops the centre square of a wide picture and resizes it to 32x32 RGB', () => {
    // 64 x 32: left and right 16-pixel margins are red, the centre 32x32 square is a blue/green split
    const src = picture(64, 32, (x, y) => (x < 16 || x >= 48 ? [255, 0, 0] : y < 16 ? [0, 0, 255] : [0, 255, 0]));
    const m = pictureToInput(src, 64, 32, 3, [32, 32, 3]);
    expect(m.shape).toEqual([32, 32, 3]);
    expect(m.pixels.length).toBe(32 * 32 * 3);
    expect(Array.from(m.pixels.subarray(0, 3))).toEqual([0, 0, 255]);
    expect(Array.from(m.pixels.subarray(31 * 3, 32 * 3))).toEqual([0, 0, 255]);
    expect(Array.from(m.pixels.subarray((31 * 32 + 31) * 3))).toEqual([0, 255, 0]);
    expect(m.pixels.some((_, i) => i % 3 === 0 && m.pixels[i] !== 0)).toBe(false); // no red margin leaks in
  });

  it('makes 28x28 grey for MNIST models, inverting ink on paper when asked', () => {
    // 56 x 56 white paper with a black 28x28 square in the middle
    const src = picture(56, 56, (x, y) => (x >= 14 && x < 42 && y >= 14 && y < 42 ? [0, 0, 0] : [255, 255, 255]));
    const plain = pictureToInput(src, 56, 56, 3, [28, 28, 1], false);
    expect(plain.shape).toEqual([28, 28, 1]);
    expect(plain.pixels[0]).toBe(255);
    expect(plain.pixels[14 * 28 + 14]).toBe(0);
    const auto = pictureToInput(src, 56, 56, 3, [28, 28, 1], 'auto');
    expect(auto.inverted).toBe(true);
    expect(auto.pixels[0]).toBe(0);
    expect(auto.pixels[14 * 28 + 14]).toBe(255);
    expect(borderMean(auto.pixels, 28, 28)).toBe(0);
    const dark = pictureToInput(new Uint8Array(4 * 4 * 3), 4, 4, 3, [2, 2, 1], 'auto');
    expect(dark.inverted).toBe(false);
  });
});
