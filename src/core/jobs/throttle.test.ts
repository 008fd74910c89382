import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttleProgress } from './throttle';
import type { Progress } from './types';

const p = (done: number, payload?: number[]): Progress<number> => ({ label: 'x', done, total: 100, unit: 'steps', payload });

describe('throttleProgress', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('delivers the first report at once, then at most one per interval', () => {
    const sent: Progress<number>[] = [];
    const t = throttleProgress<number>((x) => sent.push(x), 100);
    t.push(p(1));
    expect(sent.map((x) => x.done)).toEqual([1]);
    // 1000 reports in 1 s, one per ms
    for (let i = 2; i <= 1001; i++) {
      vi.advanceTimersByTime(1);
      t.push(p(i));
    }
    expect(sent.length).toBeGreaterThanOrEqual(9);
    expect(sent.length).toBeLessThanOrEqual(11);
    const times: number[] = [];
    const t2 = throttleProgress<number>(() => times.push(Date.now()), 100);
    for (let i = 0; i < 500; i++) {
      t2.push(p(i));
      vi.advanceTimersByTime(1);
    }
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(100);
  });

  it('always delivers the last report: by its trailing timer, or by flush', () => {
    const sent: number[] = [];
    const t = throttleProgress<number>((x) => sent.push(x.done), 100);
    t.push(p(1));
    t.push(p(2));
    t.push(p(3));
    expect(sent).toEqual([1]);
    vi.advanceTimersByTime(99);
    expect(sent).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([1, 3]);
    t.push(p(4));
    t.flush();
    expect(sent).toEqual([1, 3, 4]);
    // nothing pending: flush and the timer send nothing more
    t.flush();
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([1, 3, 4]);
  });

  it('concatenates the payloads of coalesced reports, in order, dropping none', () => {
    const got: number[] = [];
    let reports = 0;
    const t = throttleProgress<number>((x) => {
      reports++;
      got.push(...(x.payload ?? []));
    }, 100);
    for (let i = 0; i < 5000; i++) {
      // a report without payload in between must not lose the earlier points
      t.push(i % 7 === 3 ? p(i) : p(i, [i]));
      if (i % 3 === 0) vi.advanceTimersByTime(1);
    }
    t.flush();
    const expected = Array.from({ length: 5000 }, (_, i) => i).filter((i) => i % 7 !== 3);
    expect(got).toEqual(expected);
    expect(reports).toBeLessThan(25);
  });

  it('sends nothing after close', () => {
    const sent: number[] = [];
    const t = throttleProgress<number>((x) => sent.push(x.done), 100);
    t.push(p(1));
    t.push(p(2));
    t.close();
    vi.advanceTimersByTime(500);
    t.push(p(3));
    t.flush();
    expect(sent).toEqual([1]);
  });
});
