import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { CIFAR_RECORD, encodeCifarBatch } from './cifar';
import { cifarArchive, syntheticCifar } from './cifar-fixtures';
import { importCifar10, ImportError, MAX_IMPORT_BYTES, type ImportProgress, type NamedBlob } from './cifar-import';

const file = (bytes: Uint8Array, name: string): NamedBlob => new File([bytes as Uint8Array<ArrayBuffer>], name);

describe('CIFAR-10 import: archives', () => {
  it('reads the test batch out of a generated cifar-10-binary.tar.gz and passes over the training batches', async () => {
    const split = syntheticCifar(20);
    const archive = await cifarArchive(split, { trainingBatches: 2 });
    const progress: ImportProgress[] = [];
    const r = await importCifar10([file(archive, 'cifar-10-binary.tar.gz')], { onProgress: (p) => progress.push(p) });
    expect(r.test.n).toBe(20);
    expect(r.test.shape).toEqual([32, 32, 3]);
    expect(r.test.labels).toEqual(split.labels);
    expect(r.test.pixels).toEqual(split.pixels);
    expect(r.source).toBe('cifar-10-binary.tar.gz › cifar-10-batches-bin/test_batch.bin');
    expect(r.skippedTraining).toEqual(['data_batch_1.bin', 'data_batch_2.bin']);
    expect(r.notes.join(' ')).toMatch(/20 images; the official test batch has 10,000/);
    expect(r.notes.join(' ')).toMatch(/training batches \(2\) .* not stored/);
    expect(progress.at(-1)).toEqual({ label: 'Read', done: archive.length, total: archive.length });
  });

  it('counts progress by the bytes unpacked and scanned, not read: a file read in one chunk does not show as done at the start', async () => {
    // Chromium hands a whole 409 KiB archive over as one chunk; unpacking it is the work (the walk-through's "409 KiB of 409 KiB" at 15%)
    const archive = await cifarArchive(syntheticCifar(10000));
    expect(archive.length).toBeGreaterThan(4 * 64 * 1024);
    const oneChunk = Object.assign(new Blob([archive as Uint8Array<ArrayBuffer>]), {
      name: 'cifar-10-binary.tar.gz',
      stream: () =>
        new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(archive);
            c.close();
          },
        }),
    }) as unknown as NamedBlob;
    const progress: ImportProgress[] = [];
    const r = await importCifar10([oneChunk], { onProgress: (p) => progress.push({ ...p }) });
    expect(r.test.n).toBe(10000);
    const reading = progress.filter((p) => p.label.startsWith('Reading'));
    // steps on the way while it unpacks; all of it only once the last slice was unpacked and scanned
    expect(reading.slice(0, -1).every((p) => p.done < archive.length)).toBe(true);
    expect(new Set(reading.map((p) => p.done)).size).toBeGreaterThanOrEqual(5);
    expect(reading.map((p) => p.done)).toEqual([...reading.map((p) => p.done)].sort((a, b) => a - b));
    expect(progress.at(-1)).toEqual({ label: 'Read', done: archive.length, total: archive.length });
  });

  it('reads a plain .tar and a bare test_batch.bin (training .bin files are not read)', async () => {
    const split = syntheticCifar(3, 2);
    const tar = await cifarArchive(split, { gzip: false });
    expect((await importCifar10([file(tar, 'cifar-10-binary.tar')])).test.pixels).toEqual(split.pixels);
    const bin = encodeCifarBatch(split);
    const r = await importCifar10([file(new Uint8Array(5), 'data_batch_1.bin'), file(bin, 'test_batch.bin')]);
    expect(r.test.labels).toEqual(split.labels);
    expect(r.source).toBe('test_batch.bin');
    expect(r.skippedTraining).toEqual(['data_batch_1.bin']);
  });

  it('says what is wrong with files that are not the CIFAR-10 archive', async () => {
    const split = syntheticCifar(4);
    const fail = (files: NamedBlob[]) =>
      importCifar10(files).then(
        () => 'accepted',
        (e: Error) => `${e.name}: ${e.message}`,
      );
    expect(await fail([file(new TextEncoder().encode('hello, this is text'), 'notes.txt')])).toMatch(
      /^ImportError: notes.txt is neither a gzip or tar archive nor a CIFAR-10 .bin batch \(it starts with bytes 68 65 6c 6c\)/,
    );
    expect(await fail([file(gzipSync(new TextEncoder().encode('just text')), 'x.tar.gz')])).toMatch(/x.tar.gz does not hold a tar archive/);
    expect(await fail([file(await cifarArchive(split, { withTest: false, trainingBatches: 1 }), 'c.tar.gz')])).toMatch(
      /the archive has no test_batch.bin \(it holds data_batch_1.bin, batches.meta.txt\)/,
    );
    expect(await fail([file(new Uint8Array(CIFAR_RECORD), 'data_batch_3.bin')])).toMatch(/only training batches were chosen/);
    expect(await fail([file(new Uint8Array(10), 'other.bin')])).toMatch(/not a CIFAR-10 batch name/);
    expect(await fail([file(new Uint8Array(0), 'test_batch.bin')])).toMatch(/is empty/);
  });

  it('refuses truncated archives and batches', async () => {
    const split = syntheticCifar(20);
    const gz = await cifarArchive(split);
    expect(await importCifar10([file(gz.subarray(0, Math.floor(gz.length * 0.6)), 'cut.tar.gz')]).catch((e: Error) => e.message)).toMatch(
      /cut.tar.gz ends early/,
    );
    const tar = await cifarArchive(split, { gzip: false });
    expect(await importCifar10([file(tar.subarray(0, 3 * 512 + 5 * CIFAR_RECORD), 'cut.tar')]).catch((e: Error) => e.message)).toMatch(
      /truncated/,
    );
    const bin = encodeCifarBatch(split);
    expect(await importCifar10([file(bin.subarray(0, bin.length - 100), 'test_batch.bin')]).catch((e: Error) => e.message)).toMatch(
      /not a whole number of 3073-byte records/,
    );
    const bad = bin.slice();
    bad[5 * CIFAR_RECORD] = 12;
    expect(await importCifar10([file(bad, 'test_batch.bin')]).catch((e: Error) => e.message)).toMatch(/record 5 has label 12/);
  });

  it('refuses oversized input before reading it', async () => {
    let read = false;
    const huge = {
      name: 'huge.tar.gz',
      size: MAX_IMPORT_BYTES + 1,
      slice() {
        read = true;
        throw new Error('read');
      },
      stream() {
        read = true;
        throw new Error('read');
      },
    } as unknown as NamedBlob;
    const e = await importCifar10([huge]).catch((x: Error) => x);
    expect(e).toBeInstanceOf(ImportError);
    expect((e as Error).message).toMatch(/huge.tar.gz is 419 MB; the lab reads files up to 419 MB/);
    expect(read).toBe(false);
    // a test batch larger than 10,000 records, named in a tar header, is refused from the header
    const big = encodeCifarBatch(syntheticCifar(1));
    const tooMany = new Uint8Array(10001 * CIFAR_RECORD);
    for (let i = 0; i < 10001; i++) tooMany.set(big, i * CIFAR_RECORD);
    expect(await importCifar10([file(tooMany, 'test_batch.bin')]).catch((x: Error) => x.message)).toMatch(
      /CIFAR-10's test batch is 30,730,000/,
    );
  });

  it('stops when cancelled', async () => {
    const gz = await cifarArchive(syntheticCifar(20), { trainingBatches: 1 });
    const c = new AbortController();
    c.abort();
    const e = await importCifar10([file(gz, 'a.tar.gz')], { signal: c.signal }).catch((x: Error) => x);
    expect((e as Error).name).toBe('AbortError');
  });
});
