import { describe, expect, it } from 'vitest';
import { LAB_COMMANDS } from './cli';
import { LABS } from './index';
import { LAB_JOBS } from '../worker/lab-jobs';

describe('the lab list', () => {
  it('every lab has one folder id, a URL prefix of its own, and its commands listed', () => {
    const ids = LABS.map((l) => l.id);
    expect(new Set(ids).size).toBe(ids.length);
    const prefixes = LABS.map((l) => l.slice.prefix);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    for (const p of prefixes) expect(p).toMatch(/^[a-z]{2,4}$/);
    expect(Object.keys(LAB_COMMANDS).sort()).toEqual([...ids].sort());
    expect(Object.keys(LAB_JOBS).sort()).toEqual([...ids].sort());
  });
});
