/**
 * The UI's one job runner: every long worker call (loading, attacks, batch checks, speed
 * measurements) goes through runJob, which gives it an id, keeps its entry in the store's `jobs`
 * map up to date with its progress, forwards streamed payload items, classifies how it ended
 * (done, cancelled, worker restarted, failed) and removes it. Several jobs may run at once.
 */
import * as Comlink from 'comlink';
import { isCancellation, type Progress } from '../core/jobs';
import type { ComputeClient } from './client';
import { WorkerGone } from './client';
import { useLab, type JobState } from './store';

export type JobOutcome<T> = { ok: true; value: T } | { ok: false; reason: 'gone' | 'cancelled' | 'error'; message: string; error: unknown };

export interface JobSpec<T, P> {
  kind: JobState['kind'];
  label: string;
  cancellable: boolean;
  /** The worker call, given the job's id and its progress callback (already a comlink proxy). */
  call: (jobId: number, onProgress: (p: Progress<P>) => void) => Promise<T>;
  /** Streamed payload items (e.g. the trace points of an attack), in order, none dropped. */
  onPayload?: (items: P[]) => void;
  /** Waited for before the call (the job shows in the tray meanwhile), e.g. the reconcile pass in progress. */
  after?: () => Promise<unknown>;
  /** The job uses the loaded model and data: a reconcile pass waits for it before replacing them. */
  usesModel?: boolean;
}

interface Host {
  client(): ComputeClient;
  /** Without shared memory a busy attack loop cannot see a cancel message: the worker is restarted. */
  restartWorker(): Promise<void>;
}

let host: Host | null = null;
let seq = 0;
let modelUsers = 0;
let modelFree: (() => void)[] = [];

export function bindJobs(h: Host): void {
  host = h;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const set = useLab.setState;

function patchJob(id: number, patch: Partial<JobState>): void {
  set((s) => {
    const job = s.jobs[id];
    return job ? { jobs: { ...s.jobs, [id]: { ...job, ...patch } } } : s;
  });
}

/** Run one job; never throws (the outcome says how it ended). */
export async function runJob<T, P = unknown>(spec: JobSpec<T, P>): Promise<JobOutcome<T>> {
  const id = ++seq;
  const job: JobState = {
    id,
    kind: spec.kind,
    label: spec.label,
    done: 0,
    total: 0,
    unit: 'steps',
    cancellable: spec.cancellable,
    cancelling: false,
    startedAt: performance.now(),
  };
  set((s) => ({ jobs: { ...s.jobs, [id]: job } }));
  // progress comes through the callback's own port, which may deliver after the job's result: once the
  // job has ended, late progress is dropped (a late trace payload would be appended a second time)
  let ended = false;
  const onProgress = Comlink.proxy((p: Progress<P>) => {
    if (ended) return;
    patchJob(id, { label: p.label, done: p.done, total: p.total, unit: p.unit, loss: p.loss, rate: p.rate });
    if (p.payload && p.payload.length > 0) spec.onPayload?.(p.payload);
  });
  let using = false;
  try {
    if (spec.after) await spec.after();
    if (useLab.getState().jobs[id]?.cancelling) throw new DOMException('cancelled before it started', 'AbortError');
    if (spec.usesModel) {
      modelUsers++;
      using = true;
    }
    const client = host!.client();
    const value = await client.call(() => spec.call(id, onProgress));
    return { ok: true, value };
  } catch (error) {
    const reason = error instanceof WorkerGone ? 'gone' : isCancellation(error) ? 'cancelled' : 'error';
    return { ok: false, reason, message: message(error), error };
  } finally {
    ended = true;
    if (using && --modelUsers === 0) {
      const waiting = modelFree;
      modelFree = [];
      for (const w of waiting) w();
    }
    set((s) => {
      if (!(id in s.jobs)) return s;
      const jobs = { ...s.jobs };
      delete jobs[id];
      return { jobs };
    });
  }
}

/** Resolves when no running job uses the loaded model and data (the reconcile pass waits for this before replacing them). */
export function whenModelFree(): Promise<void> {
  if (modelUsers === 0) return Promise.resolve();
  return new Promise((resolve) => modelFree.push(resolve));
}

/** Cancel one job; the others run on. */
export function cancelJob(id: number): void {
  const job = useLab.getState().jobs[id];
  if (!job || !job.cancellable || job.cancelling) return;
  patchJob(id, { cancelling: true });
  const client = host!.client();
  // without SharedArrayBuffer a synchronous attack loop cannot see a message: restart the worker (this stops every job)
  if ((job.kind === 'attack' || job.kind === 'batch') && !client.cancelSlots) void host!.restartWorker();
  else client.cancel(id);
}

/** Estimated seconds left, from the progress so far and the time elapsed; null when unknown. */
export function secondsLeft(job: Pick<JobState, 'done' | 'total' | 'startedAt'>, now = performance.now()): number | null {
  if (job.total <= 0 || job.done <= 0 || job.done >= job.total) return null;
  const elapsed = (now - job.startedAt) / 1000;
  if (elapsed < 1) return null;
  return (elapsed * (job.total - job.done)) / job.done;
}
