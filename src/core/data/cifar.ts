/**
 * CIFAR-10 binary format (the official cifar-10-binary.tar.gz): each record is 1 label byte followed
 * by 3072 pixel bytes, the red, green and blue 32x32 planes in turn (row-major). The lab keeps images
 * channels-last (H, W, C), so records are transposed on the way in.
 */
import type { LabeledImages, Split } from './types';

export const CIFAR_RECORD = 1 + 3 * 32 * 32;
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;

export class CifarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CifarFormatError';
  }
}

/** Parse one or more concatenated CIFAR-10 binary batches. */
export function parseCifarBatch(bytes: Uint8Array, what = 'CIFAR-10 batch', maxRecords = 60000): LabeledImages {
  if (bytes.length === 0) throw new CifarFormatError(`${what} is empty`);
  if (bytes.length % CIFAR_RECORD !== 0) {
    throw new CifarFormatError(
      `${what}: ${bytes.length} bytes is not a whole number of ${CIFAR_RECORD}-byte records (truncated or not a CIFAR-10 binary file)`,
    );
  }
  const n = bytes.length / CIFAR_RECORD;
  if (n > maxRecords) throw new CifarFormatError(`${what}: ${n} records is more than CIFAR-10 has (${maxRecords})`);
  const labels = new Uint8Array(n);
  const pixels = new Uint8Array(n * 3072);
  for (let i = 0; i < n; i++) {
    const rec = i * CIFAR_RECORD;
    const label = bytes[rec];
    if (label > 9) throw new CifarFormatError(`${what}: record ${i} has label ${label}; CIFAR-10 labels are 0..9`);
    labels[i] = label;
    const out = i * 3072;
    for (let p = 0; p < 1024; p++) {
      pixels[out + 3 * p] = bytes[rec + 1 + p];
      pixels[out + 3 * p + 1] = bytes[rec + 1 + 1024 + p];
      pixels[out + 3 * p + 2] = bytes[rec + 1 + 2048 + p];
    }
  }
  return { n, shape: [32, 32, 3], pixels, labels };
}

/** Write records in the official layout (used by tests and by anyone making a small CIFAR-format file). */
export function encodeCifarBatch(split: LabeledImages): Uint8Array {
  const out = new Uint8Array(split.n * CIFAR_RECORD);
  for (let i = 0; i < split.n; i++) {
    const rec = i * CIFAR_RECORD;
    out[rec] = split.labels[i];
    for (let p = 0; p < 1024; p++) {
      for (let c = 0; c < 3; c++) out[rec + 1 + c * 1024 + p] = split.pixels[i * 3072 + 3 * p + c];
    }
  }
  return out;
}

/** Concatenate splits of the same shape (e.g. data_batch_1..5). */
export function concatSplits(parts: LabeledImages[]): LabeledImages {
  const n = parts.reduce((s, p) => s + p.n, 0);
  const size = parts[0].shape[0] * parts[0].shape[1] * parts[0].shape[2];
  const pixels = new Uint8Array(n * size);
  const labels = new Uint8Array(n);
  let k = 0;
  for (const p of parts) {
    pixels.set(p.pixels, k * size);
    labels.set(p.labels, k);
    k += p.n;
  }
  return { n, shape: parts[0].shape, pixels, labels };
}

/** File names of the official binary release (inside cifar-10-batches-bin/). */
export const CIFAR10_FILES: Record<Split, readonly string[]> = {
  train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  test: ['test_batch.bin'],
};

/** Read a whole split (train: the five data batches in order; test: test_batch.bin) through any file reader. */
export async function loadCifarSplit(read: (file: string) => Promise<Uint8Array>, split: Split): Promise<LabeledImages> {
  const parts: LabeledImages[] = [];
  for (const f of CIFAR10_FILES[split]) parts.push(parseCifarBatch(await read(f), `CIFAR-10 ${f}`, 10000));
  return parts.length === 1 ? parts[0] : concatSplits(parts);
}
