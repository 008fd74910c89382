/**
 * The UI side of the compute worker: starts it, wraps it with comlink, and owns the shared cancel slots.
 * `terminate()` kills the worker and makes every pending call reject, so nothing waits forever.
 */
import * as Comlink from 'comlink';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { createCancelSlots, markCancelled } from '../core/jobs';
import type { ComputeApi } from '../worker/api';
import type { WorkerEvent } from '../worker/protocol';

export class WorkerGone extends Error {
  constructor() {
    super('the compute worker was restarted');
    this.name = 'WorkerGone';
  }
}

export class ComputeClient {
  readonly api: Comlink.Remote<ComputeApi>;
  /** Per-job cancel slots shared with the worker (core/jobs/cancel.ts); null when SharedArrayBuffer is unavailable. */
  readonly cancelSlots: Int32Array | null;
  private readonly worker: Worker;
  private readonly gone: Promise<never>;
  private kill: () => void = () => {};

  constructor() {
    this.worker = new Worker(new URL('../worker/compute.worker.ts', import.meta.url), { type: 'module', name: 'compute' });
    this.api = Comlink.wrap<ComputeApi>(this.worker);
    this.cancelSlots = globalThis.crossOriginIsolated ? createCancelSlots() : null;
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
          cancelSlots: this.cancelSlots,
        },
        Comlink.proxy(onEvent),
      ),
    );
  }

  /** api.run with its type parameters (comlink's Remote type loses a generic method's). */
  readonly run: ComputeApi['run'] = (lab, job, request, onProgress) =>
    (this.api.run as unknown as ComputeApi['run'])(lab, job, request, onProgress);

  /** Run a worker call; rejects with WorkerGone if the worker is terminated meanwhile. */
  call<T>(fn: () => Promise<T>): Promise<T> {
    return Promise.race([fn(), this.gone]);
  }

  /** Ask the worker to stop one job: at its next step through the shared slots, and through a message for async phases. */
  cancel(jobId: number): void {
    if (this.cancelSlots) markCancelled(this.cancelSlots, jobId);
    void this.api.cancel(jobId).catch(() => {});
  }

  terminate(): void {
    this.worker.terminate();
    this.kill();
  }
}
