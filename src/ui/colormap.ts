/**
 * Colour maps of the perturbation and similarity views. Two diverging maps (0 in the middle, -scale
 * and +scale at the ends, values beyond clipped): blue-white-red, and ColorBrewer's PuOr (orange-
 * white-purple, Brewer et al.), which stays legible under red-green colour blindness (the display
 * settings choose one). Pure functions, unit-tested.
 */

export type DivergingMap = 'blue-red' | 'orange-purple';

/** The diverging maps: their names and the colours of -1, 0 and +1 (for legends). */
export const DIVERGING_MAPS: Record<DivergingMap, { label: string; negative: string; positive: string }> = {
  'blue-red': { label: 'blue–white–red', negative: 'blue', positive: 'red' },
  'orange-purple': { label: 'orange–white–purple (colour-blind safe)', negative: 'orange', positive: 'purple' },
};

/** ColorBrewer PuOr, 11 classes, from -1 (dark orange) to +1 (dark purple). */
const PU_OR: readonly (readonly [number, number, number])[] = [
  [127, 59, 8],
  [179, 88, 6],
  [224, 130, 20],
  [253, 184, 99],
  [254, 224, 182],
  [247, 247, 247],
  [216, 218, 235],
  [178, 171, 210],
  [128, 115, 172],
  [84, 39, 136],
  [45, 0, 75],
];

/** RGB (0..255) of t in [-1, 1] on a diverging map: blue-red by default (-1 blue, 0 white, +1 red). */
export function diverging(t: number, map: DivergingMap = 'blue-red'): [number, number, number] {
  const v = Number.isFinite(t) ? Math.max(-1, Math.min(1, t)) : 0;
  if (map === 'orange-purple') {
    const x = ((v + 1) / 2) * (PU_OR.length - 1);
    const i = Math.min(PU_OR.length - 2, Math.floor(x));
    const f = x - i;
    const a = PU_OR[i];
    const b = PU_OR[i + 1];
    return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as [number, number, number];
  }
  const fade = Math.round(255 * (1 - Math.abs(v)));
  return v >= 0 ? [255, fade, fade] : [fade, fade, 255];
}

/** A CSS gradient of a diverging map from -1 to +1 (`to right` or `to top`), for legends. */
export function divergingGradient(map: DivergingMap, direction: 'to right' | 'to top' = 'to right'): string {
  const stops = Array.from({ length: 11 }, (_, i) => {
    const [r, g, b] = diverging(-1 + i / 5, map);
    return `rgb(${r}, ${g}, ${b}) ${i * 10}%`;
  });
  return `linear-gradient(${direction}, ${stops.join(', ')})`;
}

/** Largest absolute value (0 for an empty array). */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/**
 * RGBA pixels of a perturbation (H * W * C values) on the diverging map, with `scale` mapped to full
 * colour. Colour images are shown by the mean change over their channels.
 */
export function perturbationRgba(
  delta: ArrayLike<number>,
  shape: readonly [number, number, number],
  scale: number,
  map: DivergingMap = 'blue-red',
): Uint8ClampedArray {
  const [h, w, c] = shape;
  const out = new Uint8ClampedArray(h * w * 4);
  for (let i = 0; i < h * w; i++) {
    let v = 0;
    for (let k = 0; k < c; k++) v += delta[i * c + k];
    v /= c;
    const [r, g, b] = diverging(scale > 0 ? v / scale : 0, map);
    out[i * 4] = r;
    out[i * 4 + 1] = g;
    out[i * 4 + 2] = b;
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** How much the perturbation is magnified on screen when `scale` is drawn as full colour (1 = true size). */
export function amplification(scale: number): number {
  return scale > 0 ? 1 / scale : 1;
}

/**
 * A colour perturbation shown as an RGB image: each channel 0.5 + 0.5 * delta / scale, so mid grey is
 * no change, and `scale` (e.g. max |delta|) reaches black or full colour.
 */
export function perturbationRgbRgba(delta: ArrayLike<number>, shape: readonly [number, number, number], scale: number): Uint8ClampedArray {
  const [h, w, c] = shape;
  const out = new Uint8ClampedArray(h * w * 4);
  for (let i = 0; i < h * w; i++) {
    for (let k = 0; k < 3; k++) {
      const d = delta[i * c + (c === 3 ? k : 0)];
      const t = scale > 0 && Number.isFinite(d) ? Math.max(-1, Math.min(1, d / scale)) : 0;
      out[i * 4 + k] = Math.round(127.5 + 127.5 * t);
    }
    out[i * 4 + 3] = 255;
  }
  return out;
}

/** "Hot" sequential map of t in [0, 1]: black, red, yellow, white. */
export function hot(t: number): [number, number, number] {
  const v = Number.isFinite(t) ? Math.max(0, Math.min(1, t)) : 0;
  const ch = (x: number) => Math.round(255 * Math.max(0, Math.min(1, x)));
  return [ch(3 * v), ch(3 * v - 1), ch(3 * v - 2)];
}

/** Per-pixel magnitude of a perturbation: the largest |delta| over the pixel's channels (its L-inf norm). */
export function pixelMagnitudes(delta: ArrayLike<number>, shape: readonly [number, number, number]): Float32Array {
  const [h, w, c] = shape;
  const out = new Float32Array(h * w);
  for (let i = 0; i < h * w; i++) {
    let m = 0;
    for (let k = 0; k < c; k++) m = Math.max(m, Math.abs(delta[i * c + k]));
    out[i] = m;
  }
  return out;
}

/** RGBA heat map of the per-pixel magnitudes, `scale` drawn as white. */
export function magnitudeRgba(delta: ArrayLike<number>, shape: readonly [number, number, number], scale: number): Uint8ClampedArray {
  const mags = pixelMagnitudes(delta, shape);
  const out = new Uint8ClampedArray(mags.length * 4);
  for (let i = 0; i < mags.length; i++) {
    const [r, g, b] = hot(scale > 0 ? mags[i] / scale : 0);
    out[i * 4] = r;
    out[i * 4 + 1] = g;
    out[i * 4 + 2] = b;
    out[i * 4 + 3] = 255;
  }
  return out;
}
