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
