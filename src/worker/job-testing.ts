/**
 * For tests of the labs' worker jobs in Node: worker services over given splits, and a job context
 * that collects the progress payload, can abort itself when an item arrives, and runs its cleanups.
 */
import * as tf from '@tensorflow/tfjs';
import type { LabeledMails } from '../core/data/text';
import type { LabeledImages } from '../core/data/types';
import { createJobContext } from '../core/jobs';
import type { WorkerJobContext, WorkerServices } from './jobs';

/** Services of a worker with no model loaded, `test` as every test split and `train` as every training split. */
export function testServices(
  train: LabeledImages,
  test: LabeledImages,
  texts?: { train: LabeledMails; test: LabeledMails },
): WorkerServices {
  return {
    backend: () => ({ name: 'wasm', adapter: 'test' }),
    model: () => {
      throw new Error('no model is loaded');
    },
    dataset: () => test,
    downloadModel: () => Promise.reject(new Error('no downloads in tests')),
    trainingSplit: async () => train,
    textSet: async () => {
      if (!texts) throw new Error('no text set in this test');
      return texts;
    },
    store: () => Promise.reject(new Error('unused')),
    memory: () => ({ numTensors: tf.memory().numTensors, numBytes: tf.memory().numBytes }),
  } as unknown as WorkerServices;
}

/** A job context (job id 1) collecting the payload items; the job's signal aborts once `abortWhen` holds for an item. */
export function testJobContext<T>(services: WorkerServices, abortWhen?: (item: T) => boolean) {
  const items: T[] = [];
  const job = createJobContext<T>(1, null, (p) => p.payload && items.push(...p.payload), { intervalMs: 0 });
  const cleanups: (() => void)[] = [];
  const ctx: WorkerJobContext<T> = {
    ...job.ctx,
    progress: (p) => {
      job.ctx.progress(p);
      if (abortWhen && (p.payload ?? []).some(abortWhen)) job.controller.abort();
    },
    jobId: 1,
    services,
    onCleanup: (fn) => cleanups.push(fn),
  };
  return { ctx, items, flush: () => job.flush(), cleanup: () => cleanups.reverse().forEach((f) => f()) };
}
