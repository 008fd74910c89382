/**
 * Small CIFAR-format inputs for the tests (unit and browser): deterministic synthetic images in the
 * official binary layout, packed like cifar-10-binary.tar.gz. No real CIFAR-10 data is involved.
 */
import { gzipSync } from 'fflate';
import { packTar } from 'modern-tar';
import { encodeCifarBatch } from './cifar';
import type { LabeledImages } from './types';

/** n synthetic 32x32 RGB images: a colour gradient per image, labels 0..9 in turn. */
export function syntheticCifar(n: number, seed = 1): LabeledImages {
  const pixels = new Uint8Array(n * 3072);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 10;
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        const o = i * 3072 + (y * 32 + x) * 3;
        pixels[o] = (x * 8 + i * 37 + seed * 11) % 256;
        pixels[o + 1] = (y * 8 + i * 53 + seed * 7) % 256;
        pixels[o + 2] = ((x + y) * 4 + i * 91) % 256;
      }
    }
  }
  return { n, shape: [32, 32, 3], pixels, labels };
}

export interface ArchiveOptions {
  /** gzip the tar (as the official .tar.gz); default true. */
  gzip?: boolean;
  /** Put a test batch in (default true). */
  withTest?: boolean;
  /** Extra training-batch files (data_batch_1.bin …) with this split's records. */
  trainingBatches?: number;
}

/** A cifar-10-binary.tar.gz look-alike: cifar-10-batches-bin/{data_batch_N.bin, batches.meta.txt, test_batch.bin}. */
export async function cifarArchive(test: LabeledImages, options: ArchiveOptions = {}): Promise<Uint8Array> {
  const { gzip = true, withTest = true, trainingBatches = 0 } = options;
  const batch = encodeCifarBatch(test);
  const meta = new TextEncoder().encode(
    ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'].join('\n') + '\n',
  );
  const entries = [
    { header: { name: 'cifar-10-batches-bin/', type: 'directory' as const, size: 0 } },
    ...Array.from({ length: trainingBatches }, (_, k) => ({
      header: { name: `cifar-10-batches-bin/data_batch_${k + 1}.bin`, size: batch.length },
      body: batch,
    })),
    { header: { name: 'cifar-10-batches-bin/batches.meta.txt', size: meta.length }, body: meta },
    ...(withTest ? [{ header: { name: 'cifar-10-batches-bin/test_batch.bin', size: batch.length }, body: batch }] : []),
  ];
  const tar = await packTar(entries);
  return gzip ? gzipSync(tar) : tar;
}
