/**
 * The UI side of the compute worker: starts it, wraps it with comlink, and owns the shared cancel word.
 * `terminate()` kills the worker and makes every pending call reject, so nothing waits forever.
 */
import * as Comlink from 'comlink';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { ComputeApi, WorkerEvent } from '../worker/protocol';

export class WorkerGone extends Error {
  constructor() {
    super('the compute worker was restarted');
    this.name = 'WorkerGone';
  }
}

export class ComputeClient {
  readonly api: Comlink.Remote<ComputeApi>;
  /** Index 0 holds the id of the job to cancel; null when SharedArrayBuffer is unavailable. */
  readonly cancelFlag: Int32Array | null;
  private readonly worker: Worker;
  private readonly gone: Promise<never>;
  private kill: () => void = () => {};

  constructor() {
    this.worker = new Worker(new URL('../worker/compute.worker.ts', import.meta.url), { type: 'module', name: 'compute' });
    this.api = Comlink.wrap<ComputeApi>(this.worker);
    this.cancelFlag =
      globalThis.crossOriginIsolated && typeof SharedArrayBuffer === 'function' ? new Int32Array(new SharedArrayBuffer(4)) : null;
    this.gone = new Promise<never>((_, reject) => {
      this.kill = () => reject(new WorkerGone());
    });
    this.gone.catch(() => {});
  }

  async init(onEvent: (e: WorkerEvent) => void): Promise<void> {
    const baseUrl = new URL(import.meta.env.BASE_URL, location.href).href;
    const toAbs = (u: string) => new URL(u, location.href).href;
    await this.call(() =>
      this.api.init(
        {
          baseUrl,
          wasmPaths: {
            'tfjs-backend-wasm.wasm': toAbs(wasmPlain),
            'tfjs-backend-wasm-simd.wasm': toAbs(wasmSimd),
            'tfjs-backend-wasm-threaded-simd.wasm': toAbs(wasmThreaded),
          },
          cancelFlag: this.cancelFlag,
        },
        Comlink.proxy(onEvent),
      ),
    );
  }

  /** Run a worker call; rejects with WorkerGone if the worker is terminated meanwhile. */
  call<T>(fn: () => Promise<T>): Promise<T> {
    return Promise.race([fn(), this.gone]);
  }

  /** Ask the worker to stop a job: instantly through the shared word, and through a message for async phases. */
  cancel(jobId: number): void {
    if (this.cancelFlag) Atomics.store(this.cancelFlag, 0, jobId);
    void this.api.cancel(jobId).catch(() => {});
  }

  terminate(): void {
    this.worker.terminate();
    this.kill();
  }
}
