/**
 * A progress throttle: at most one report per interval reaches the (expensive) channel, e.g. a
 * message to the UI thread that re-renders. Reports in between are coalesced: the newest wins, their
 * payloads (trace points) are concatenated in order, and the last report is always delivered,
 * either by a trailing timer or by flush() when the job ends. Pure: the clock and timers are injected.
 */
import type { Progress } from './types';

export interface ThrottleClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: ThrottleClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface ProgressThrottle<T> {
  /** Report; delivered now if the interval has passed since the last delivery, else coalesced. */
  push(p: Progress<T>): void;
  /** Deliver the pending report (if any) now. */
  flush(): void;
  /** Drop the trailing timer (after flush, when the job is over). Later pushes are ignored. */
  close(): void;
}

/** Default: at most ~8 reports a second. */
export const PROGRESS_INTERVAL_MS = 125;

export function throttleProgress<T>(
  send: (p: Progress<T>) => void,
  intervalMs = PROGRESS_INTERVAL_MS,
  clock: ThrottleClock = realClock,
): ProgressThrottle<T> {
  let last = -Infinity;
  let pending: Progress<T> | null = null;
  let timer: unknown = null;
  let closed = false;

  const deliver = () => {
    if (timer !== null) {
      clock.clearTimeout(timer);
      timer = null;
    }
    if (!pending) return;
    const p = pending;
    pending = null;
    last = clock.now();
    send(p);
  };

  return {
    push(p) {
      if (closed) return;
      if (pending?.payload && pending.payload.length > 0) {
        // keep every streamed item: the older ones first
        p = { ...p, payload: p.payload ? pending.payload.concat(p.payload) : pending.payload };
      }
      pending = p;
      const wait = last + intervalMs - clock.now();
      if (wait <= 0) deliver();
      else timer ??= clock.setTimeout(deliver, wait);
    },
    flush() {
      deliver();
    },
    close() {
      closed = true;
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
      pending = null;
    },
  };
}
