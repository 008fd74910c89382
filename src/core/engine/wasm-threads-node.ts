/**
 * Multi-threaded TensorFlow.js wasm backend in Node.
 *
 * tfjs-backend-wasm ships a threaded SIMD build (XNNPACK over a pthread pool) but only enables it in
 * browsers: in Node its Emscripten loader starts the pthread workers from `blob:` URLs, which Node's
 * worker_threads cannot load, its bundled factory refers to bundler-local names, and it sizes the pool
 * as os.cpus().length / 2 (so 1 thread on a 2-core machine). This module bridges those three gaps:
 *  - Blobs made of strings are written to temporary .cjs files, and `URL.createObjectURL` returns the path;
 *  - the `load` message to a pthread worker carries that path instead of the Blob;
 *  - the core count is reported in full while the module initialises.
 * Results are the same as single-threaded (XNNPACK splits work by output tiles), only faster.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
// The names the bundled Emscripten factory expects in scope (tfjs-backend-wasm's rollup bundle).
const PRELUDE =
  "var require$$0=require('fs'),require$$1=require('path'),require$$3=require('perf_hooks'),require$$4=require('os'),commonjsGlobal=globalThis;";

let patched = false;

export function patchNodeForWasmThreads(): void {
  if (patched) return;
  patched = true;
  const dir = mkdtempSync(join(tmpdir(), 'rlab-wasm-threads-'));
  let count = 0;
  const texts = new WeakMap<Blob, string>();
  const paths = new WeakMap<Blob, string>();
  const OriginalBlob = globalThis.Blob;
  class RecordingBlob extends OriginalBlob {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      super(parts, options);
      if (parts && parts.every((p) => typeof p === 'string')) texts.set(this, (parts as string[]).join(''));
    }
  }
  globalThis.Blob = RecordingBlob as typeof Blob;
  const originalCreate = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (obj: Blob | MediaSource): string => {
    const text = obj instanceof OriginalBlob ? texts.get(obj) : undefined;
    if (text === undefined) return originalCreate(obj as Blob);
    let path = paths.get(obj as Blob);
    if (!path) {
      path = join(dir, `script${count++}.cjs`);
      writeFileSync(path, PRELUDE + text);
      paths.set(obj as Blob, path);
    }
    return path;
  };
  const wt = require('node:worker_threads') as typeof import('node:worker_threads');
  const OriginalWorker = wt.Worker;
  class PathWorker extends OriginalWorker {
    postMessage(message: unknown, transfer?: readonly import('node:worker_threads').TransferListItem[]): void {
      const m = message as { cmd?: string; urlOrBlob?: unknown };
      if (m && m.cmd === 'load' && m.urlOrBlob instanceof OriginalBlob) {
        message = { ...m, urlOrBlob: URL.createObjectURL(m.urlOrBlob) };
      }
      super.postMessage(message, transfer);
    }
  }
  (wt as { Worker: typeof OriginalWorker }).Worker = PathWorker;
}

/** Run `init` while os.cpus() reports every core twice (the wasm module halves the count). */
export async function withFullCoreCount<T>(init: () => Promise<T>): Promise<T> {
  const os = require('node:os') as typeof import('node:os');
  const real = os.cpus;
  os.cpus = () => [...real(), ...real()];
  try {
    return await init();
  } finally {
    os.cpus = real;
  }
}
