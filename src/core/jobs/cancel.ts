/**
 * Per-job cancellation through shared memory, so that a job whose loop is busy (no message is read
 * until it yields) still sees its cancel at its next step. A small Int32Array of slots on a
 * SharedArrayBuffer: cancelling job `id` writes `id` into slot `id % slots`; job `id` is cancelled
 * when its slot holds its own id. Cancelling one job therefore never cancels another (ids are never
 * reused); only a cancel of a job `slots` ids younger can overwrite an older cancel still pending,
 * which the cancel message then covers.
 */

export const CANCEL_SLOTS = 64;

/** Shared cancel slots, or null where SharedArrayBuffer is unavailable (no cross-origin isolation). */
export function createCancelSlots(slots = CANCEL_SLOTS): Int32Array | null {
  if (typeof SharedArrayBuffer !== 'function') return null;
  return new Int32Array(new SharedArrayBuffer(slots * Int32Array.BYTES_PER_ELEMENT));
}

/** Mark job `id` (a positive integer) cancelled. */
export function markCancelled(slots: Int32Array, id: number): void {
  Atomics.store(slots, id % slots.length, id);
}

/** Whether job `id` has been marked cancelled. */
export function isMarkedCancelled(slots: Int32Array | null, id: number): boolean {
  return slots !== null && id > 0 && Atomics.load(slots, id % slots.length) === id;
}
