import { describe, expect, it } from 'vitest';
import { CANCEL_SLOTS, createCancelSlots, isMarkedCancelled, markCancelled } from './cancel';
import { createJobContext } from './context';
import { JobCancelled } from './types';

describe('per-job cancellation', () => {
  it('cancelling one job never cancels another', () => {
    const slots = createCancelSlots()!;
    expect(slots).not.toBeNull();
    markCancelled(slots, 7);
    expect(isMarkedCancelled(slots, 7)).toBe(true);
    for (let id = 1; id < 1000; id++) if (id !== 7) expect(isMarkedCancelled(slots, id)).toBe(false);
    // a job sharing the slot (7 + 64) is not cancelled by 7's mark, nor the other way round
    expect(isMarkedCancelled(slots, 7 + CANCEL_SLOTS)).toBe(false);
    markCancelled(slots, 8);
    expect(isMarkedCancelled(slots, 7)).toBe(true);
    expect(isMarkedCancelled(slots, 8)).toBe(true);
  });

  it('without shared memory nothing is marked', () => {
    expect(isMarkedCancelled(null, 3)).toBe(false);
  });

  it('two running jobs: the cancelled one stops at its next step, the other runs on', async () => {
    const slots = createCancelSlots()!;
    const a = createJobContext<number>(1, slots, () => {});
    const b = createJobContext<number>(2, slots, () => {});
    // two jobs interleaving at their awaits, as in the single-threaded worker
    const run = async (job: typeof a, steps: number) => {
      let done = 0;
      for (let i = 0; i < steps; i++) {
        job.ctx.throwIfCancelled();
        await Promise.resolve();
        done++;
        job.ctx.progress({ label: 'job', done, total: steps, unit: 'steps' });
      }
      return done;
    };
    const pa = run(a, 100);
    const pb = run(b, 100);
    await Promise.resolve();
    markCancelled(slots, 1);
    await expect(pa).rejects.toBeInstanceOf(JobCancelled);
    await expect(pb).resolves.toBe(100);
    expect(a.ctx.signal.aborted).toBe(true);
    expect(b.ctx.signal.aborted).toBe(false);
  });

  it('an abort by message (no shared memory) reaches only its own job', () => {
    const a = createJobContext(1, null, () => {});
    const b = createJobContext(2, null, () => {});
    a.controller.abort();
    expect(() => a.ctx.throwIfCancelled()).toThrow(JobCancelled);
    expect(() => b.ctx.throwIfCancelled()).not.toThrow();
  });
});
