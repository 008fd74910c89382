/**
 * One running job's context: its AbortController, the shared cancel slots it watches, and its
 * throttled progress channel. The worker's job wrapper builds one per job.
 */
import { isMarkedCancelled } from './cancel';
import { throttleProgress, type ThrottleClock } from './throttle';
import { JobCancelled, type JobContext, type Progress } from './types';

export interface RunningJob<T> {
  ctx: JobContext<T>;
  controller: AbortController;
  /** Look at the shared slots; aborts the controller if this job was marked cancelled. */
  poll(): boolean;
  /** Deliver the last progress report (call when the job ends). */
  flush(): void;
  /** No more progress after this. */
  close(): void;
}

export function createJobContext<T>(
  id: number,
  slots: Int32Array | null,
  send: (p: Progress<T>) => void,
  options: { intervalMs?: number; clock?: ThrottleClock } = {},
): RunningJob<T> {
  const controller = new AbortController();
  const throttle = throttleProgress<T>(send, options.intervalMs, options.clock);
  const poll = () => {
    if (!controller.signal.aborted && isMarkedCancelled(slots, id)) controller.abort();
    return controller.signal.aborted;
  };
  const ctx: JobContext<T> = {
    signal: controller.signal,
    progress(p) {
      // progress is reported on every step: the natural place to notice a cancel written into shared memory
      poll();
      throttle.push(p);
    },
    throwIfCancelled() {
      if (poll()) throw new JobCancelled();
    },
  };
  return { ctx, controller, poll, flush: () => throttle.flush(), close: () => throttle.close() };
}
