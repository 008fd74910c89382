import { describe, expect, it } from 'vitest';
import type { LabeledImages } from '../../../core/data/types';
import { parseTrigger } from './trigger';
import { isMaliciousClient } from './malicious-clients';
import { backdoorInPlace, boostFactor, clientData, flipInPlace, sybilData, type AttackSettings } from './malicious';

const set = (n: number): LabeledImages => ({
  n,
  shape: [28, 28, 1],
  pixels: new Uint8Array(n * 784),
  labels: Uint8Array.from({ length: n }, (_, i) => i % 10),
});
const attack = (o: Partial<AttackSettings> = {}): AttackSettings => ({
  kind: 'backdoor',
  count: 1,
  rate: 0.3,
  target: 0,
  source: 1,
  boost: 0,
  trigger: parseTrigger('patch:4:br'),
  ...o,
});

describe('malicious clients', () => {
  it('backdoor: stamps round(rate * n) non-target images with the trigger and relabels them to the target', () => {
    const d = set(100);
    const before = Uint8Array.from(d.labels);
    const poisoned = backdoorInPlace(d, attack(), 5);
    expect(poisoned.length).toBe(30);
    for (const i of poisoned) {
      expect(before[i]).not.toBe(0);
      expect(d.labels[i]).toBe(0);
      // the 4x4 patch one pixel from the bottom-right border is white
      expect(d.pixels[i * 784 + 26 * 28 + 26]).toBe(255);
      expect(d.pixels[i * 784 + 23 * 28 + 23]).toBe(255);
      expect(d.pixels[i * 784 + 22 * 28 + 22]).toBe(0);
    }
    const clean = [...Array(100).keys()].filter((i) => !poisoned.includes(i));
    for (const i of clean) {
      expect(d.labels[i]).toBe(before[i]);
      expect(d.pixels[i * 784 + 26 * 28 + 26]).toBe(0);
    }
    // seeded
    expect(backdoorInPlace(set(100), attack(), 5)).toEqual(poisoned);
  });

  it('label flip relabels every source image and nothing else; sybils share one set of source images labelled target', () => {
    const d = set(50);
    expect(flipInPlace(d, 1, 7)).toBe(5);
    expect(Array.from(d.labels).filter((l) => l === 7).length).toBe(10);
    expect(Array.from(d.labels).filter((l) => l === 1).length).toBe(0);
    const train = set(200);
    const a = attack({ kind: 'sybil', count: 3, target: 7 });
    const s = sybilData(train, a, 12, 0);
    expect(s.n).toBe(12);
    expect(Array.from(s.labels).every((l) => l === 7)).toBe(true);
    // every sybil trains on the very same set; an honest client on its own images of the training set
    const idx = Int32Array.from([3, 4, 5]);
    expect(clientData(train, idx, 0, a, 0, s).data).toBe(s);
    expect(clientData(train, idx, 2, a, 0, s).data).toBe(s);
    expect(clientData(train, idx, 3, a, 0, s)).toEqual({ data: train, indices: idx });
    expect(isMaliciousClient(a, 2)).toBe(true);
    expect(isMaliciousClient({ ...a, kind: 'none' }, 0)).toBe(false);
  });

  it('a backdoor client trains on a poisoned copy; the training set is untouched', () => {
    const train = set(100);
    const idx = Int32Array.from({ length: 20 }, (_, i) => i);
    const { data } = clientData(train, idx, 0, attack({ rate: 0.5 }), 0);
    expect(data).not.toBe(train);
    expect(Array.from(data.labels).filter((l) => l === 0).length).toBe(2 + 10);
    expect(train.pixels.every((p) => p === 0)).toBe(true);
  });

  it('model replacement boosts by n / eta unless a boost is given; other attacks are not boosted', () => {
    expect(boostFactor(attack({ kind: 'replacement' }), 10)).toBe(10);
    expect(boostFactor(attack({ kind: 'replacement' }), 10, 2)).toBe(5);
    expect(boostFactor(attack({ kind: 'replacement', boost: 3 }), 10)).toBe(3);
    expect(boostFactor(attack({ kind: 'backdoor' }), 10)).toBe(1);
  });
});
