/**
 * Reading the CIFAR-10 test split out of what a user brings: the official `cifar-10-binary.tar.gz`,
 * the same archive unpacked to `.tar`, or the `.bin` batch files themselves. Everything streams:
 * the gzip layer (fflate) and the tar layer (modern-tar) never hold more than a chunk, and only
 * `test_batch.bin` (30 MB) is kept. The training batches are not needed by the lab (it trains in
 * Node, from `--data-dir`), so they are passed over, not stored.
 *
 * Runs in the browser's worker and in Node (tests): inputs are Blobs (a File is one).
 */
import { Gunzip } from 'fflate';
import { createTarDecoder, type ParsedTarEntry } from 'modern-tar';
import { CIFAR_RECORD, CifarFormatError, parseCifarBatch } from './cifar';
import type { LabeledImages } from './types';

/** Larger files are refused before any byte is read (the official archive is 163 MB). */
export const MAX_IMPORT_BYTES = 400 * 1024 * 1024;
/** Decompressed bytes read at most from one archive (the official tar is 185 MB): a guard against gzip bombs. */
export const MAX_UNPACKED_BYTES = 1024 * 1024 * 1024;
/** The official test batch: 10,000 records. */
export const MAX_TEST_RECORDS = 10000;

export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

/** What the importer reads: a File, or any Blob with a name. */
export type NamedBlob = Blob & { readonly name: string };

export interface ImportProgress {
  label: string;
  /** Bytes of the chosen files read so far. */
  done: number;
  total: number;
}

export interface ImportOptions {
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
}

export interface CifarImportResult {
  test: LabeledImages;
  /** Where the test batch came from, e.g. "cifar-10-binary.tar.gz › cifar-10-batches-bin/test_batch.bin". */
  source: string;
  /** Training batches seen and not kept. */
  skippedTraining: string[];
  /** Plain-text remarks for the user (e.g. fewer images than the official test set). */
  notes: string[];
}

const baseName = (path: string) => path.split('/').filter(Boolean).pop() ?? path;
const isTestBatch = (name: string) => /^test_batch(\.bin)?$/i.test(baseName(name));
const isTrainingBatch = (name: string) => /^data_batch_[1-5](\.bin)?$/i.test(baseName(name));
const mb = (n: number) => `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MB`;

function aborted(): DOMException {
  return new DOMException('the import was cancelled', 'AbortError');
}

/** Slices the reader hands on: a browser may read a whole file as one chunk, and progress is counted per slice. */
const SLICE = 64 * 1024;

/**
 * The bytes of a blob, slice by slice, with progress and cancellation. A slice counts as done when the
 * consumer asks for the next one, i.e. once it was unpacked and scanned (the pipeline pulls), not when it
 * was read: Chromium reads a 409 KiB archive in one go and unpacking it takes seconds, which the walk-through
 * saw as "409 KiB of 409 KiB" at the start of the work.
 */
async function* readChunks(blob: Blob, signal: AbortSignal | undefined, onBytes: (n: number) => void): AsyncGenerator<Uint8Array> {
  const reader = blob.stream().getReader();
  try {
    for (;;) {
      if (signal?.aborted) throw aborted();
      const r = await reader.read();
      if (r.done) return;
      for (let off = 0; off < r.value.length; off += SLICE) {
        const slice = r.value.subarray(off, Math.min(off + SLICE, r.value.length));
        yield slice;
        onBytes(slice.length);
        if (signal?.aborted) throw aborted();
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** Streaming gunzip; a stream that ends early is reported as truncated. */
async function* gunzip(input: AsyncIterable<Uint8Array>, what: string): AsyncGenerator<Uint8Array> {
  let out: Uint8Array[] = [];
  let total = 0;
  const inflater = new Gunzip((chunk) => {
    total += chunk.length;
    if (total > MAX_UNPACKED_BYTES)
      throw new ImportError(`${what} unpacks to more than ${mb(MAX_UNPACKED_BYTES)}; it is not the CIFAR-10 archive`);
    out.push(chunk);
  });
  const push = (chunk: Uint8Array, final: boolean) => {
    try {
      inflater.push(chunk, final);
    } catch (e) {
      if (e instanceof ImportError) throw e;
      const m = e instanceof Error ? e.message : String(e);
      throw new ImportError(
        /unexpected EOF/i.test(m)
          ? `${what} ends early: the gzip data is truncated (an incomplete download?)`
          : `${what} is damaged: the gzip data cannot be unpacked (${m})`,
      );
    }
  };
  for await (const chunk of input) {
    push(chunk, false);
    const ready = out;
    out = [];
    yield* ready;
  }
  push(new Uint8Array(0), true);
  yield* out;
}

/** Passes the bytes on after checking that the first 512-byte block is a tar header. */
async function* requireTar(input: AsyncIterable<Uint8Array>, what: string): AsyncGenerator<Uint8Array> {
  const head: Uint8Array[] = [];
  let have = 0;
  let checked = false;
  const check = () => {
    const block = new Uint8Array(Math.min(have, 512));
    let off = 0;
    for (const h of head) {
      const take = Math.min(h.length, block.length - off);
      block.set(h.subarray(0, take), off);
      off += take;
      if (off >= block.length) break;
    }
    if (!looksLikeTar(block)) throw new ImportError(`${what} does not hold a tar archive`);
    checked = true;
  };
  for await (const chunk of input) {
    if (checked) {
      yield chunk;
      continue;
    }
    head.push(chunk);
    have += chunk.length;
    if (have >= 512) {
      check();
      yield* head;
    }
  }
  if (!checked) {
    if (have > 0) check();
    yield* head;
  }
}

export function looksLikeGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** A ustar (POSIX or GNU) header block: "ustar" at offset 257. */
export function looksLikeTar(head: Uint8Array): boolean {
  if (head.length < 512) return false;
  return String.fromCharCode(...head.subarray(257, 262)) === 'ustar';
}

function toStream(input: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const it = input[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const r = await it.next();
      if (r.done) controller.close();
      else controller.enqueue(r.value);
    },
    async cancel() {
      await it.return?.(undefined);
    },
  });
}

async function readEntry(entry: ParsedTarEntry, size: number, signal: AbortSignal | undefined): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  let off = 0;
  const reader = entry.body.getReader();
  for (;;) {
    if (signal?.aborted) throw aborted();
    const r = await reader.read();
    if (r.done) break;
    if (off + r.value.length > size) throw new ImportError(`${entry.header.name} holds more bytes than its tar header says`);
    out.set(r.value, off);
    off += r.value.length;
  }
  if (off !== size) throw new ImportError(`${entry.header.name} ends after ${off} of ${size} bytes: the archive is truncated`);
  return out;
}

async function drain(entry: ParsedTarEntry, signal: AbortSignal | undefined): Promise<void> {
  const reader = entry.body.getReader();
  for (;;) {
    if (signal?.aborted) throw aborted();
    if ((await reader.read()).done) return;
  }
}

function checkBatchSize(name: string, size: number): void {
  if (size > MAX_TEST_RECORDS * CIFAR_RECORD) {
    throw new ImportError(
      `${name} is ${size.toLocaleString('en-US')} bytes; CIFAR-10's test batch is ${(MAX_TEST_RECORDS * CIFAR_RECORD).toLocaleString('en-US')} (10,000 records of ${CIFAR_RECORD} bytes)`,
    );
  }
}

function parseTestBatch(bytes: Uint8Array, what: string): LabeledImages {
  try {
    return parseCifarBatch(bytes, what, MAX_TEST_RECORDS);
  } catch (e) {
    if (e instanceof CifarFormatError) throw new ImportError(e.message);
    throw e;
  }
}

interface Found {
  test: { split: LabeledImages; source: string } | null;
  training: string[];
  names: string[];
}

/** Walk a tar stream; keep the first test batch, note the training batches, stop once the test batch is read. */
async function scanTar(bytes: AsyncIterable<Uint8Array>, what: string, signal: AbortSignal | undefined, found: Found): Promise<void> {
  const entries = toStream(bytes).pipeThrough(createTarDecoder({ strict: true }));
  const reader = entries.getReader();
  try {
    for (;;) {
      if (signal?.aborted) throw aborted();
      const r = await reader.read();
      if (r.done) return;
      const entry = r.value;
      const name = entry.header.name;
      if ((entry.header.type ?? 'file') === 'file') found.names.push(name);
      if ((entry.header.type ?? 'file') === 'file' && isTestBatch(name)) {
        if (found.test) throw new ImportError(`two test batches were found (${found.test.source} and ${what} › ${name}): choose one`);
        checkBatchSize(name, entry.header.size);
        const data = await readEntry(entry, entry.header.size, signal);
        found.test = { split: parseTestBatch(data, baseName(name)), source: `${what} › ${name}` };
        return;
      }
      if (isTrainingBatch(name)) found.training.push(baseName(name));
      // read through rather than body.cancel(): with modern-tar 0.8.6 a cancelled body can leave the
      // body of a later, truncated entry waiting for ever instead of failing
      await drain(entry, signal);
    }
  } catch (e) {
    if (e instanceof ImportError || (e instanceof DOMException && e.name === 'AbortError')) throw e;
    const m = e instanceof Error ? e.message : String(e);
    throw new ImportError(
      /truncated/i.test(m) ? `${what} ends early: the tar archive is truncated` : `${what} is not a valid tar archive (${m})`,
    );
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/**
 * Find and parse the CIFAR-10 test batch in the chosen files. Throws ImportError (plain-text message)
 * for anything that is not a usable CIFAR-10 test batch; an AbortError DOMException when cancelled.
 */
export async function importCifar10(files: readonly NamedBlob[], options: ImportOptions = {}): Promise<CifarImportResult> {
  const { signal, onProgress } = options;
  if (files.length === 0) throw new ImportError('no file was chosen');
  for (const f of files) {
    if (f.size > MAX_IMPORT_BYTES) {
      throw new ImportError(
        `${f.name} is ${mb(f.size)}; the lab reads files up to ${mb(MAX_IMPORT_BYTES)} (the official cifar-10-binary.tar.gz is 163 MB)`,
      );
    }
    if (f.size === 0) throw new ImportError(`${f.name} is empty`);
  }
  const total = files.reduce((s, f) => s + f.size, 0);
  let done = 0;
  let lastReport = -Infinity;
  const found: Found = { test: null, training: [], names: [] };
  const report = (label: string, force = false) => {
    if (force || done - lastReport >= total / 100) {
      lastReport = done;
      onProgress?.({ label, done, total });
    }
  };
  for (const f of files) {
    if (signal?.aborted) throw aborted();
    const label = `Reading ${f.name}`;
    report(label, true);
    const head = new Uint8Array(await f.slice(0, 512).arrayBuffer());
    const chunks = readChunks(f, signal, (n) => {
      done += n;
      report(label);
    });
    if (looksLikeGzip(head)) {
      await scanTar(requireTar(gunzip(chunks, f.name), f.name), f.name, signal, found);
    } else if (looksLikeTar(head)) {
      await scanTar(chunks, f.name, signal, found);
    } else if (/\.bin$/i.test(f.name)) {
      if (isTrainingBatch(f.name)) {
        found.training.push(f.name);
      } else if (isTestBatch(f.name)) {
        if (found.test) throw new ImportError(`two test batches were chosen (${found.test.source} and ${f.name}): choose one`);
        checkBatchSize(f.name, f.size);
        const parts: Uint8Array[] = [];
        for await (const c of chunks) parts.push(c);
        const bytes = new Uint8Array(f.size);
        let off = 0;
        for (const p of parts) {
          bytes.set(p, off);
          off += p.length;
        }
        found.test = { split: parseTestBatch(bytes, f.name), source: f.name };
      } else {
        throw new ImportError(`${f.name} is not a CIFAR-10 batch name (test_batch.bin, or data_batch_1.bin … data_batch_5.bin)`);
      }
    } else {
      const hex = Array.from(head.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
      throw new ImportError(`${f.name} is neither a gzip or tar archive nor a CIFAR-10 .bin batch (it starts with bytes ${hex || 'none'})`);
    }
  }
  if (!found.test) {
    const seen = found.names.slice(0, 6).map(baseName);
    throw new ImportError(
      found.names.length > 0
        ? `the archive has no test_batch.bin (it holds ${seen.join(', ')}${found.names.length > seen.length ? ', …' : ''}); the official cifar-10-binary.tar.gz has cifar-10-batches-bin/test_batch.bin`
        : found.training.length > 0
          ? `only training batches were chosen (${found.training.join(', ')}); the lab needs test_batch.bin`
          : 'no test_batch.bin was found in the chosen files',
    );
  }
  done = total;
  report('Read', true);
  const notes: string[] = [];
  const n = found.test.split.n;
  if (n !== MAX_TEST_RECORDS) notes.push(`${n.toLocaleString('en-US')} images; the official test batch has 10,000.`);
  if (found.training.length > 0)
    notes.push(`The training batches (${found.training.length}) are not needed by the lab in the browser and were not stored.`);
  return { test: found.test.split, source: found.test.source, skippedTraining: found.training, notes };
}
