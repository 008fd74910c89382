import { describe, expect, it } from 'vitest';
import { multikrum } from './multikrum';
import { CLUSTER, params } from './test-helpers';

// sizes: the outliers 5 each; honest (1.1,1):10 (0.9,1):10 (1,1):20 (1,1.1):10 (1,0.9):50
const SIZES = [5, 10, 10, 20, 10, 5, 50];

describe('Multi-Krum', () => {
  it('keeps the n - f lowest scores and averages them weighted by data size', () => {
    const r = multikrum({ updates: CLUSTER, sizes: SIZES }, params({ f: 2 }));
    // n - f = 5 kept: the honest ones, the centre first, ties (0.05 each) by index
    expect(r.selected).toEqual([3, 1, 2, 4, 6]);
    // x: (11 + 9 + 20 + 10 + 50) / 100 = 1; y: (10 + 10 + 20 + 11 + 45) / 100 = 0.96 (unweighted: 1)
    expect(r.aggregate[0]).toBeCloseTo(1, 6);
    expect(r.aggregate[1]).toBeCloseTo(0.96, 6);
    expect(r.weights).toEqual([0, 0.1, 0.1, 0.2, 0.1, 0, 0.5]);
  });

  it('keeps `keep` updates when given', () => {
    const r = multikrum({ updates: CLUSTER, sizes: SIZES }, params({ f: 2, keep: 2 }));
    expect(r.selected).toEqual([3, 1]);
    // (1 * 20 + 1.1 * 10) / 30, (1 * 20 + 1 * 10) / 30
    expect(r.aggregate[0]).toBeCloseTo(31 / 30, 6);
    expect(r.aggregate[1]).toBeCloseTo(1, 6);
    expect(() => multikrum({ updates: CLUSTER, sizes: SIZES }, params({ f: 2, keep: 8 }))).toThrow(/keep \(8\)/);
    expect(() => multikrum({ updates: CLUSTER, sizes: SIZES }, params({ f: 3 }))).toThrow(/n > 2f \+ 2/);
  });
});
