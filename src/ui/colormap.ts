/**
 * A diverging blue-white-red colour map for perturbations: 0 is white, -scale full blue, +scale full
 * red (values beyond the scale are clipped). Pure functions, unit-tested.
 */

/** RGB (0..255) of t in [-1, 1]: -1 blue, 0 white, +1 red. */
export function diverging(t: number): [number, number, number] {
  const v = Number.isFinite(t) ? Math.max(-1, Math.min(1, t)) : 0;
  const fade = Math.round(255 * (1 - Math.abs(v)));
  return v >= 0 ? [255, fade, fade] : [fade, fade, 255];
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
export function perturbationRgba(delta: ArrayLike<number>, shape: readonly [number, number, number], scale: number): Uint8ClampedArray {
  const [h, w, c] = shape;
  const out = new Uint8ClampedArray(h * w * 4);
  for (let i = 0; i < h * w; i++) {
    let v = 0;
    for (let k = 0; k < c; k++) v += delta[i * c + k];
    v /= c;
    const [r, g, b] = diverging(scale > 0 ? v / scale : 0);
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
