/**
 * Turning a picture (a decoded photo, a camera frame, a drawing) into exactly what a model takes:
 * centre-crop to a square, area-average down (or up) to the model's H x W, grey for one-channel
 * models, bytes 0..255 channels-last like the test images. Pure functions over pixel buffers, so the
 * browser (after `createImageBitmap`) and the tests run the same code.
 */

export interface CropBox {
  x: number;
  y: number;
  side: number;
}

/** The largest centred square of a w x h picture (odd margins: the extra pixel goes to the right / bottom). */
export function centreCrop(width: number, height: number): CropBox {
  if (!(width >= 1 && height >= 1)) throw new Error(`a picture of ${width}x${height} pixels has nothing to crop`);
  const side = Math.min(width, height);
  return { x: Math.floor((width - side) / 2), y: Math.floor((height - side) / 2), side };
}

/** For each of `outSize` output cells over [start, start + length) of the source axis: the source indices it overlaps and by how much. */
function axisWeights(start: number, length: number, outSize: number): { index: number; weight: number }[][] {
  const scale = length / outSize;
  const cells: { index: number; weight: number }[][] = [];
  for (let o = 0; o < outSize; o++) {
    const a = start + o * scale;
    const b = start + (o + 1) * scale;
    const cell: { index: number; weight: number }[] = [];
    for (let i = Math.floor(a); i < Math.ceil(b - 1e-9); i++) {
      const w = Math.min(b, i + 1) - Math.max(a, i);
      if (w > 1e-12) cell.push({ index: i, weight: w / scale });
    }
    cells.push(cell);
  }
  return cells;
}

/**
 * Area-averaging resize of the box (x, y, w, h) of an RGB or RGBA buffer (width * height * channels
 * bytes) to outW x outH RGB values in 0..255 (floats). Every output pixel is the mean of the source
 * area it covers, partial pixels weighted by their overlap. RGBA is composited over white first
 * (a transparent PNG background reads as white paper).
 */
export function resizeArea(
  src: ArrayLike<number>,
  width: number,
  height: number,
  channels: 3 | 4,
  box: { x: number; y: number; w: number; h: number },
  outW: number,
  outH: number,
): Float32Array {
  if (src.length !== width * height * channels) {
    throw new Error(`pixel buffer has ${src.length} values, not ${width}x${height}x${channels}`);
  }
  if (box.x < 0 || box.y < 0 || box.w <= 0 || box.h <= 0 || box.x + box.w > width || box.y + box.h > height) {
    throw new Error('crop box outside the picture');
  }
  const cols = axisWeights(box.x, box.w, outW);
  const rows = axisWeights(box.y, box.h, outH);
  const rgb = (i: number, k: number): number => {
    if (channels === 3) return src[i * 3 + k];
    const a = src[i * 4 + 3] / 255;
    return a * src[i * 4 + k] + (1 - a) * 255;
  };
  // horizontal pass over the rows the box covers, then vertical
  const rowStart = Math.floor(box.y);
  const rowEnd = Math.ceil(box.y + box.h);
  const mid = new Float32Array((rowEnd - rowStart) * outW * 3);
  for (let y = rowStart; y < rowEnd; y++) {
    for (let ox = 0; ox < outW; ox++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const { index, weight } of cols[ox]) {
        const i = y * width + index;
        r += weight * rgb(i, 0);
        g += weight * rgb(i, 1);
        b += weight * rgb(i, 2);
      }
      const m = ((y - rowStart) * outW + ox) * 3;
      mid[m] = r;
      mid[m + 1] = g;
      mid[m + 2] = b;
    }
  }
  const out = new Float32Array(outW * outH * 3);
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      const o = (oy * outW + ox) * 3;
      for (const { index, weight } of rows[oy]) {
        const m = ((index - rowStart) * outW + ox) * 3;
        out[o] += weight * mid[m];
        out[o + 1] += weight * mid[m + 1];
        out[o + 2] += weight * mid[m + 2];
      }
    }
  }
  return out;
}

/** Grey from RGB with the ITU-R BT.601 luma weights (0.299 R + 0.587 G + 0.114 B), as PIL's convert('L'). */
export function toGrey(rgb: ArrayLike<number>): Float32Array {
  const n = rgb.length / 3;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 0.299 * rgb[3 * i] + 0.587 * rgb[3 * i + 1] + 0.114 * rgb[3 * i + 2];
  return out;
}

/** Round and clamp to bytes. */
export function toBytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(values[i])));
  return out;
}

/** Mean grey level (0..255) of the outermost ring of a one-channel H x W image. */
export function borderMean(grey: ArrayLike<number>, h: number, w: number): number {
  let sum = 0;
  let n = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (y === 0 || x === 0 || y === h - 1 || x === w - 1) {
        sum += grey[y * w + x];
        n++;
      }
    }
  }
  return n > 0 ? sum / n : 0;
}

export interface ModelInput {
  /** H * W * C bytes, channels last. */
  pixels: Uint8Array;
  shape: [number, number, number];
  /** Grey images only: whether the picture was inverted (dark strokes on a light ground made light on dark, as MNIST). */
  inverted: boolean;
}

/**
 * What a model of input `shape` sees of a picture: the centred square, area-averaged to H x W, grey
 * for C = 1. `invert`: 'auto' inverts a grey picture whose border is light (ink on paper), so that it
 * looks like MNIST's light digits on black.
 */
export function pictureToInput(
  src: ArrayLike<number>,
  width: number,
  height: number,
  channels: 3 | 4,
  shape: readonly [number, number, number],
  invert: boolean | 'auto' = false,
): ModelInput {
  const [h, w, c] = shape;
  if (c !== 1 && c !== 3) throw new Error(`a model input with ${c} channels is not an image the lab can make (1 or 3)`);
  const crop = centreCrop(width, height);
  const rgb = resizeArea(src, width, height, channels, { x: crop.x, y: crop.y, w: crop.side, h: crop.side }, w, h);
  if (c === 3) return { pixels: toBytes(rgb), shape: [h, w, c], inverted: false };
  const grey = toGrey(rgb);
  const inverted = invert === 'auto' ? borderMean(grey, h, w) > 127.5 : invert;
  if (inverted) for (let i = 0; i < grey.length; i++) grey[i] = 255 - grey[i];
  return { pixels: toBytes(grey), shape: [h, w, 1], inverted };
}
