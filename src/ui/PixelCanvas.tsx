import { useEffect, useRef } from 'react';

interface Props {
  /** H * W * C values: bytes 0..255 or floats 0..1 (ignored when rgba is given). */
  pixels: Uint8Array | Float32Array;
  /** Ready-made H * W * 4 RGBA bytes (e.g. a colour-mapped perturbation). */
  rgba?: Uint8ClampedArray;
  shape: readonly [number, number, number];
  /** CSS size of the longer side in pixels. */
  size: number;
  label: string;
  testId?: string;
  className?: string;
}

/** A small image drawn 1:1 on a canvas and scaled up crisply (nearest neighbour). */
export function PixelCanvas({ pixels, rgba, shape, size, label, testId, className }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [h, w, c] = shape;
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(w, h);
    if (rgba) {
      img.data.set(rgba);
      ctx.putImageData(img, 0, 0);
      return;
    }
    const scale = pixels instanceof Float32Array ? 255 : 1;
    for (let i = 0; i < w * h; i++) {
      for (let k = 0; k < 3; k++) {
        const v = pixels[i * c + (c === 3 ? k : 0)] * scale;
        img.data[i * 4 + k] = Math.max(0, Math.min(255, Math.round(v)));
      }
      img.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [pixels, rgba, w, h, c]);
  return (
    <canvas
      ref={ref}
      width={w}
      height={h}
      role={label ? 'img' : undefined}
      aria-label={label || undefined}
      aria-hidden={label ? undefined : true}
      data-testid={testId}
      className={`pixel-canvas ${className ?? ''}`}
      style={{ width: size, height: (size * h) / w }}
    />
  );
}
