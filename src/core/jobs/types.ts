/**
 * Long-running jobs (attacks, batch checks, downloads): what a job sees while it runs and what it
 * reports. No DOM, no React, no TensorFlow.js: the worker and the CLI can both use these.
 */

/** Where a job stands, as shown in the jobs tray and in the panel that started it. */
export interface Progress<T = unknown> {
  /** What is being done, e.g. "Loading MNIST test images". */
  label: string;
  /** May be fractional (a batch check counts parts of images whose attacks are under way). */
  done: number;
  /** 0 when the total is unknown. */
  total: number;
  /** Unit of done/total. */
  unit: 'bytes' | 'steps' | 'images';
  /** Units per second so far. */
  rate?: number;
  /** Mean loss after the last step (attacks). */
  loss?: number;
  /**
   * Items streamed since the previous report (e.g. the trace points of a single-image attack).
   * A throttle concatenates the payloads of the reports it coalesces: none is dropped.
   */
  payload?: T[];
}

/** What a running job is given: its cancellation signal and its (throttled) progress channel. */
export interface JobContext<T = unknown> {
  /** Aborted when the job is cancelled (by message or through the shared cancel slots). */
  readonly signal: AbortSignal;
  /** Report progress; cheap to call on every step (reports are throttled and coalesced). */
  progress(p: Progress<T>): void;
  /** Throws JobCancelled if the job has been cancelled (checks the shared cancel slots too). */
  throwIfCancelled(): void;
}

/** Thrown by throwIfCancelled; its name is AbortError, like fetch's when its signal is aborted. */
export class JobCancelled extends Error {
  constructor(what = 'the job') {
    super(`${what} was cancelled`);
    this.name = 'AbortError';
  }
}

/** Whether an error means "cancelled" (JobCancelled, an aborted fetch, an AttackCancelled...). */
export function isCancellation(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || e.name === 'AttackCancelled' || /abort/i.test(e.message));
}
