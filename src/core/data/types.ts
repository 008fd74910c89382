/** The data types every part of the lab shares (a leaf module: it imports nothing). */

/** A labelled image split: `n` images of `shape` (H, W, C), pixels as bytes 0..255. */
export interface LabeledImages {
  n: number;
  shape: [number, number, number];
  /** n * H * W * C bytes, image-major, channels last. */
  pixels: Uint8Array;
  labels: Uint8Array;
}

export type Split = 'train' | 'test';
