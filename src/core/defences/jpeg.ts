/**
 * JPEG compression at a quality 1..100: every image is encoded and decoded by one codec, `jpeg-js`
 * (pure JavaScript, the same code in Node, the worker and the browser, so results agree bit for bit).
 * Convention: values in [0, 1] are scaled by 255 and rounded to bytes; a grey image (C = 1) is encoded
 * as R = G = B (luma = the grey value, chroma neutral; jpeg-js writes 3 components without chroma
 * subsampling, with the IJG quality scaling of the standard tables, as libjpeg / PIL do) and the red
 * channel of the decoded image is read back; a colour image is encoded as RGB. PIL writes a grey image
 * as a one-component JPEG: the luma is quantised with the same table, so results differ only by the
 * colour transform's rounding. (Guo et al. 2018 and Das et al. 2017 use PIL / libjpeg at quality 75.)
 * No gradient path leads through it: the values are read back to the CPU (a synchronous read, so the
 * defended classifier keeps the synchronous `logits` contract), encoded and decoded.
 */
import * as tf from '@tensorflow/tfjs';
import { decode, encode } from 'jpeg-js';
import type { InputTransform } from './transform';

/**
 * jpeg-js's encoder returns `Buffer.from(bytes)` whenever a CommonJS `module` exists, which bundlers
 * provide in the browser too, where Buffer does not: there a stand-in returning a Uint8Array is set
 * for the synchronous call and removed after it.
 */
function encodeBytes(rgba: Uint8Array, width: number, height: number, quality: number): Uint8Array {
  const g = globalThis as { Buffer?: unknown };
  if (g.Buffer !== undefined) return encode({ data: rgba, width, height }, quality).data;
  g.Buffer = { from: (a: ArrayLike<number>) => Uint8Array.from(a) };
  try {
    return encode({ data: rgba, width, height }, quality).data;
  } finally {
    delete g.Buffer;
  }
}

/** One image (H x W x C values in [0, 1], C = 1 or 3) through encode and decode at the quality. */
export function jpegRoundTrip(pixels: Float32Array | number[], h: number, w: number, c: number, quality: number): Float32Array {
  const rgba = new Uint8Array(h * w * 4);
  for (let p = 0; p < h * w; p++) {
    for (let ch = 0; ch < 3; ch++) {
      const v = pixels[p * c + (c === 1 ? 0 : ch)];
      rgba[p * 4 + ch] = Math.round(Math.min(1, Math.max(0, v)) * 255);
    }
    rgba[p * 4 + 3] = 255;
  }
  const bytes = encodeBytes(rgba, w, h, quality);
  const img = decode(bytes, { useTArray: true, formatAsRGBA: true });
  const out = new Float32Array(h * w * c);
  for (let p = 0; p < h * w; p++) for (let ch = 0; ch < c; ch++) out[p * c + ch] = img.data[p * 4 + ch] / 255;
  return out;
}

export function jpeg(quality: number): InputTransform {
  if (!Number.isInteger(quality) || quality < 1 || quality > 100)
    throw new Error(`jpeg: quality ${quality} is not a whole number from 1 to 100`);
  return {
    kind: 'jpeg',
    param: quality,
    randomised: false,
    differentiable: false,
    apply: (x) => {
      const [n, h, w, c] = x.shape;
      if (c !== 1 && c !== 3) throw new Error(`jpeg: images with ${c} channels cannot be JPEG-encoded (1 or 3)`);
      const values = x.dataSync();
      const out = new Float32Array(values.length);
      const size = h * w * c;
      for (let i = 0; i < n; i++)
        out.set(jpegRoundTrip(values.subarray(i * size, (i + 1) * size) as Float32Array, h, w, c, quality), i * size);
      return tf.tensor4d(out, [n, h, w, c]);
    },
  };
}
