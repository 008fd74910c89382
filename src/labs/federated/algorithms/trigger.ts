/**
 * The BadNets trigger (Gu et al. 2017): a small pattern stamped on an image, blended with an alpha.
 * Convention (as ART's `add_pattern_bd` / `insert_image` and the BadNets reimplementations): pixels are
 * bytes 0..255; a stamped pixel becomes round((1 - alpha) * pixel + alpha * pattern) on every channel;
 * alpha 1 (the default) replaces the pixel. ART's MNIST pattern is a 3x3 checkerboard in the bottom
 * right corner, one pixel from the border; here size, corner and margin are parameters.
 *
 * Spec text (CLI `--trigger`, URL `fl.trig`): `patch:<size>:<corner>[:<pattern>][:<alpha>]`, e.g.
 * `patch:4:br` (4x4 white square at the bottom right), `patch:3:tl:checker:0.5`. Corners: br, bl, tr, tl,
 * or `x,y` (the patch's top-left pixel). Patterns: `white` (255), `checker` (255 where (row + col) is
 * even, 0 elsewhere), or a drawn mask of size*size '0'/'1' characters (`m0110...`: 1 = 255).
 */
import type { LabeledImages } from '../../../core/data/types';

export interface TriggerSpec {
  size: number;
  /** Top-left pixel of the patch, or a corner. */
  at: 'br' | 'bl' | 'tr' | 'tl' | { x: number; y: number };
  /** Margin between the patch and the image border at a corner (pixels). */
  margin: number;
  /** size*size values 0..255, row-major. */
  pattern: Uint8Array;
  alpha: number;
}

const CORNERS = ['br', 'bl', 'tr', 'tl'] as const;

function patternOf(name: string, size: number): Uint8Array | null {
  const p = new Uint8Array(size * size);
  if (name === 'white') return p.fill(255);
  if (name === 'checker') {
    for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) p[r * size + c] = (r + c) % 2 === 0 ? 255 : 0;
    return p;
  }
  if (/^m[01]+$/.test(name)) {
    if (name.length - 1 !== size * size) return null;
    for (let i = 0; i < size * size; i++) p[i] = name[i + 1] === '1' ? 255 : 0;
    return p;
  }
  return null;
}

/** Parse a trigger spec; a one-line error for anything else. `shape` bounds the size and position. */
export function parseTrigger(text: string, shape: readonly [number, number, number] = [28, 28, 1]): TriggerSpec {
  const parts = text.trim().split(':');
  const bad = (why: string): never => {
    throw new Error(`Bad trigger "${text}": ${why} (e.g. patch:4:br, patch:3:tl:checker:0.5)`);
  };
  if (parts[0] !== 'patch') bad('it must start with "patch"');
  if (parts.length < 3 || parts.length > 5) bad('expected patch:<size>:<corner or x,y>[:<pattern>][:<alpha>]');
  const size = Number(parts[1]);
  const [h, w] = shape;
  if (!Number.isInteger(size) || size < 1 || size > Math.min(h, w)) bad(`size must be a whole number from 1 to ${Math.min(h, w)}`);
  let at: TriggerSpec['at'];
  if ((CORNERS as readonly string[]).includes(parts[2])) at = parts[2] as TriggerSpec['at'];
  else {
    const m = /^(\d+),(\d+)$/.exec(parts[2]);
    if (!m) bad('the position must be br, bl, tr, tl or x,y');
    const x = Number(m![1]);
    const y = Number(m![2]);
    if (x + size > w || y + size > h) bad(`a ${size}x${size} patch at ${x},${y} does not fit a ${w}x${h} image`);
    at = { x, y };
  }
  let pattern = patternOf('white', size)!;
  let alpha = 1;
  for (const extra of parts.slice(3)) {
    const p = patternOf(extra, size);
    if (p) pattern = p;
    else if (/^(0|1|0?\.\d+|1\.0*)$/.test(extra) && Number(extra) > 0) alpha = Number(extra);
    else bad(`"${extra}" is neither a pattern (white, checker, m<${size * size} 0/1 digits>) nor an alpha in (0, 1]`);
  }
  return { size, at: at!, margin: 1, pattern, alpha };
}

/** The patch's top-left pixel in an image of `shape`. */
export function triggerOrigin(t: TriggerSpec, shape: readonly [number, number, number]): { x: number; y: number } {
  const [h, w] = shape;
  if (typeof t.at === 'object') return t.at;
  const right = w - t.size - t.margin;
  const bottom = h - t.size - t.margin;
  return { x: t.at[1] === 'r' ? right : t.margin, y: t.at[0] === 'b' ? bottom : t.margin };
}

/** Stamp the trigger on image `i` of `pixels` (n*H*W*C bytes, channels last), in place. */
export function stampImage(pixels: Uint8Array, i: number, shape: readonly [number, number, number], t: TriggerSpec): void {
  const [h, w, c] = shape;
  const { x, y } = triggerOrigin(t, shape);
  const base = i * h * w * c;
  for (let r = 0; r < t.size; r++)
    for (let q = 0; q < t.size; q++) {
      const v = t.pattern[r * t.size + q];
      const o = base + ((y + r) * w + (x + q)) * c;
      for (let k = 0; k < c; k++) pixels[o + k] = Math.round((1 - t.alpha) * pixels[o + k] + t.alpha * v);
    }
}

/** A copy of the images (those of `indices`, or all) with the trigger stamped on each; labels kept. */
export function withTrigger(images: LabeledImages, t: TriggerSpec, indices?: ArrayLike<number>): LabeledImages {
  const [h, w, c] = images.shape;
  const per = h * w * c;
  const idx = indices ?? Array.from({ length: images.n }, (_, i) => i);
  const pixels = new Uint8Array(idx.length * per);
  const labels = new Uint8Array(idx.length);
  for (let j = 0; j < idx.length; j++) {
    pixels.set(images.pixels.subarray(idx[j] * per, (idx[j] + 1) * per), j * per);
    labels[j] = images.labels[idx[j]];
    stampImage(pixels, j, images.shape, t);
  }
  return { n: idx.length, shape: images.shape, pixels, labels };
}
