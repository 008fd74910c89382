/**
 * Files the CIFAR-10 browser tests hand to the lab, all made here and now: a small CIFAR-format
 * archive (synthetic images in the official binary layout), PNG pictures with known pixels, and a
 * tiny deterministic CIFAR-10 model (random weights from fixed seeds, saved as model.json + weights.bin).
 */
import { writeFile } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { cifarArchive, syntheticCifar, type ArchiveOptions } from '../src/core/data/cifar-fixtures';
import { serializeLayersModel } from '../src/core/models/io';

export interface UploadFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/** A cifar-10-binary.tar.gz look-alike holding `n` synthetic test images. */
export async function archiveFile(n: number, options: ArchiveOptions = {}, name = 'cifar-10-binary.tar.gz'): Promise<UploadFile> {
  const bytes = await cifarArchive(syntheticCifar(n), options);
  return { name, mimeType: options.gzip === false ? 'application/x-tar' : 'application/gzip', buffer: Buffer.from(bytes) };
}

/**
 * The same look-alike written to `path` (Playwright takes files over 50 MB only from disk). With 10,000 records
 * and five training batches before the test batch, as in the official archive, an uncompressed one is 184 MB.
 */
export async function archiveOnDisk(path: string, n: number, options: ArchiveOptions = {}): Promise<number> {
  const bytes = await cifarArchive(syntheticCifar(n), options);
  await writeFile(path, bytes);
  return bytes.length;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** An 8-bit RGB PNG of w x h pixels coloured by `f(x, y)`. */
export function pngFile(name: string, w: number, h: number, f: (x: number, y: number) => [number, number, number]): UploadFile {
  const raw = Buffer.alloc(h * (1 + 3 * w));
  for (let y = 0; y < h; y++) {
    raw[y * (1 + 3 * w)] = 0; // filter: none
    for (let x = 0; x < w; x++) raw.set(f(x, y), y * (1 + 3 * w) + 1 + 3 * x);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
  return { name, mimeType: 'image/png', buffer: png };
}

/** A tiny CIFAR-10 classifier (conv 8 3x3, max-pool, dense 10, logits) with weights from fixed seeds. */
export async function tinyCifarModel(): Promise<UploadFile[]> {
  await tf.setBackend('cpu');
  const m = tf.sequential({ name: 'tiny-cifar' });
  m.add(
    tf.layers.conv2d({
      inputShape: [32, 32, 3],
      filters: 8,
      kernelSize: 3,
      activation: 'relu',
      kernelInitializer: tf.initializers.heNormal({ seed: 1 }),
    }),
  );
  m.add(tf.layers.maxPooling2d({ poolSize: 4 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }), biasInitializer: 'zeros' }));
  const { modelJson, weights } = await serializeLayersModel(m);
  m.dispose();
  return [
    { name: 'model.json', mimeType: 'application/json', buffer: Buffer.from(modelJson) },
    { name: 'weights.bin', mimeType: 'application/octet-stream', buffer: Buffer.from(weights) },
  ];
}
