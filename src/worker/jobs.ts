/**
 * Jobs in the compute worker. A lab registers its jobs as plain async functions of a context and a
 * request (see src/labs/attacks/jobs.ts); the worker runs every one of them through runWorkerJob,
 * the one place that waits for device-loss recovery, registers the job's AbortController, watches
 * its cancel slot, throttles its progress, cleans up after it and explains a lost device.
 */
import type { LabeledMails } from '../core/data/text';
import type { LabeledImages } from '../core/data/types';
import { createJobContext, isCancellation, type JobContext, type Progress } from '../core/jobs';
import type { ModelCard } from '../core/models/card';
import type { LoadedModel } from '../core/models/io';
import type { LabStore } from './imported-store';
import type { BackendName, BackendStatus, MemoryInfo } from './protocol';

export interface ModelFiles {
  json: Uint8Array;
  weights: Map<string, Uint8Array>;
}

export interface ActiveModel {
  card: ModelCard;
  files: ModelFiles;
  loaded: LoadedModel;
}

/** What the worker shares with every job (instead of module globals reached from job code). */
export interface WorkerServices {
  /** The active backend, null before the first setBackend. */
  backend(): BackendStatus | null;
  /** The active model; throws "no model is loaded" when there is none. */
  model(): ActiveModel;
  /** A loaded test split; throws when it is not loaded. */
  dataset(id: string): LabeledImages;
  /** Fetch a zoo model's files (sha256-checked) and build it on the current backend; the caller disposes it. */
  downloadModel(
    card: ModelCard,
    signal: AbortSignal,
    onProgress: (p: Progress<never>) => void,
  ): Promise<{ files: ModelFiles; loaded: LoadedModel }>;
  /**
   * A bundled data set's training split (fetched gzip'd on first use, then kept while the worker lives);
   * throws for data sets whose training images the browser does not have.
   */
  trainingSplit(id: string, signal: AbortSignal, onProgress: (p: Progress<never>) => void): Promise<LabeledImages>;
  /** The prepared text set (spam-assassin): its fixed training and held-out mails, fetched on first use and kept while the worker lives. */
  textSet(id: string, signal: AbortSignal, onProgress: (p: Progress<never>) => void): Promise<{ train: LabeledMails; test: LabeledMails }>;
  /** The IndexedDB store of imported data. */
  store(): Promise<LabStore>;
  memory(): MemoryInfo;
}

export interface WorkerJobContext<T = unknown> extends JobContext<T> {
  readonly jobId: number;
  readonly services: WorkerServices;
  /** Run fn when the job ends, however it ends (last registered, first run): frees tensors on errors and cancels. */
  onCleanup(fn: () => void): void;
}

/** A job: request in, structured-clone-friendly result out. */
export type WorkerJob<Req, Res, T = unknown> = (ctx: WorkerJobContext<T>, request: Req) => Promise<Res>;

/** The jobs of one lab, by name. */
export type LabJobs = Record<string, WorkerJob<never, unknown, never>>;

/** What the wrapper needs from the worker besides the services. */
export interface JobHost {
  services: WorkerServices;
  /** The shared cancel slots (null without cross-origin isolation). */
  cancelSlots(): Int32Array | null;
  /** Resolves once a device-loss recovery in progress (if any) has finished. */
  recovered(): Promise<void>;
  /** Backends lost during this session. */
  lost: ReadonlySet<BackendName>;
  /** Running jobs by id (the cancel message aborts through this). */
  running: Map<number, AbortController>;
}

export interface JobOptions {
  /** Wait for a device-loss recovery in progress first (jobs that use tensors). Default true. */
  usesTensors?: boolean;
  /** Said in the device-loss error, e.g. "the attack". */
  what?: string;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Run one job with everything every job needs. */
export async function runWorkerJob<T, Res>(
  host: JobHost,
  jobId: number,
  onProgress: (p: Progress<T>) => void,
  body: (ctx: WorkerJobContext<T>) => Promise<Res>,
  options: JobOptions = {},
): Promise<Res> {
  const usesTensors = options.usesTensors ?? true;
  if (usesTensors) await host.recovered();
  const job = createJobContext<T>(jobId, host.cancelSlots(), (p) => {
    try {
      onProgress(p);
    } catch {
      // the UI side is gone; the job goes on until it is cancelled
    }
  });
  host.running.set(jobId, job.controller);
  // a cancel that arrived before the job started (it waited for a recovery) counts
  job.poll();
  const cleanups: (() => void)[] = [];
  const ctx: WorkerJobContext<T> = {
    ...job.ctx,
    jobId,
    services: host.services,
    onCleanup: (fn) => cleanups.push(fn),
  };
  const backendAtStart = host.services.backend()?.name ?? 'cpu';
  try {
    const result = await body(ctx);
    job.flush();
    return result;
  } catch (e) {
    job.flush();
    if (isCancellation(e) || job.controller.signal.aborted) throw e;
    throw usesTensors ? await explainDeviceLoss(host, e, backendAtStart, options.what ?? 'the job') : e;
  } finally {
    job.close();
    for (const fn of cleanups.reverse()) {
      try {
        fn();
      } catch {
        // a tensor of a lost device may refuse to be disposed; it goes with the device
      }
    }
    host.running.delete(jobId);
  }
}

/** If the device was lost while a job ran, say so (after the recovery has run) instead of the raw GPU error. */
async function explainDeviceLoss(host: JobHost, e: unknown, backendAtStart: BackendName, what: string): Promise<Error> {
  await new Promise((r) => setTimeout(r, 50));
  await host.recovered();
  if (!host.lost.has(backendAtStart)) return e instanceof Error ? e : new Error(String(e));
  return new Error(
    `the ${backendAtStart} device was lost during ${what} (${message(e)}); the lab now runs on ${host.services.backend()?.name ?? 'no backend'}: run ${what} again`,
  );
}
