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
import { checkTransformParam } from './params';
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

/**
 * A batch of images (N x H x W x C values in [0, 1], C = 1 or 3) through encode and decode at the
 * quality. jpeg-js builds its Huffman and colour tables at every encode (milliseconds), so the batch is
 * encoded as one picture: each image in a cell of ceil(H/8)*8 x ceil(W/8)*8 pixels padded by repeating
 * its last row and column, which is what the encoder does at a picture's edge. JPEG's 8 x 8 blocks
 * are coded independently (the DC prediction is lossless), so every image decodes exactly as if it had
 * been encoded alone (tested).
 */
export function jpegBatch(pixels: ArrayLike<number>, n: number, h: number, w: number, c: number, quality: number): Float32Array {
  const ch = Math.ceil(h / 8) * 8;
  const cw = Math.ceil(w / 8) * 8;
  const cols = Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  const width = cols * cw;
  const height = rows * ch;
  const rgba = new Uint8Array(width * height * 4).fill(255);
  const size = h * w * c;
  for (let i = 0; i < n; i++) {
    const oy = Math.floor(i / cols) * ch;
    const ox = (i % cols) * cw;
    for (let yy = 0; yy < ch; yy++) {
      const sy = Math.min(yy, h - 1);
      for (let xx = 0; xx < cw; xx++) {
        const sx = Math.min(xx, w - 1);
        const src = i * size + (sy * w + sx) * c;
        const dst = ((oy + yy) * width + ox + xx) * 4;
        for (let k = 0; k < 3; k++) rgba[dst + k] = Math.round(Math.min(1, Math.max(0, pixels[src + (c === 1 ? 0 : k)])) * 255);
      }
    }
  }
  const img = decode(encodeBytes(rgba, width, height, quality), { useTArray: true, formatAsRGBA: true });
  const out = new Float32Array(n * size);
  for (let i = 0; i < n; i++) {
    const oy = Math.floor(i / cols) * ch;
    const ox = (i % cols) * cw;
    for (let yy = 0; yy < h; yy++)
      for (let xx = 0; xx < w; xx++)
        for (let k = 0; k < c; k++) out[i * size + (yy * w + xx) * c + k] = img.data[((oy + yy) * width + ox + xx) * 4 + k] / 255;
  }
  return out;
}

/** One image (H x W x C values in [0, 1], C = 1 or 3) through encode and decode at the quality. */
export function jpegRoundTrip(pixels: ArrayLike<number>, h: number, w: number, c: number, quality: number): Float32Array {
  return jpegBatch(pixels, 1, h, w, c, quality);
}

export function jpeg(quality: number): InputTransform {
  checkTransformParam('jpeg', quality);
  return {
    kind: 'jpeg',
    param: quality,
    randomised: false,
    differentiable: false,
    apply: (x) => {
      const [n, h, w, c] = x.shape;
      if (c !== 1 && c !== 3) throw new Error(`jpeg: images with ${c} channels cannot be JPEG-encoded (1 or 3)`);
      const out = jpegBatch(x.dataSync(), n, h, w, c, quality);
      return tf.tensor4d(out, [n, h, w, c]);
    },
  };
}
