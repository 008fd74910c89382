import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../core/random';
import {
  decode,
  encode,
  fixedPoint,
  ourAccounting,
  paperAccounting,
  SecAggAbort,
  secureAggregate,
  secureWeightedMean,
  type DropStage,
} from './index';

function ringInputs(n: number, m: number, seed: number): Uint32Array[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => Uint32Array.from({ length: m }, () => Math.floor(r.next() * 2 ** 32) >>> 0));
}

function plainSum(xs: readonly Uint32Array[], who: readonly number[]): Uint32Array {
  const s = new Uint32Array(xs[0].length);
  for (const u of who) for (let j = 0; j < s.length; j++) s[j] = (s[j] + xs[u][j]) >>> 0;
  return s;
}

describe('secure aggregation (Bonawitz et al. 2017)', () => {
  it('recovers the exact sum in Z_2^32 with no dropouts', async () => {
    const xs = ringInputs(5, 64, 1);
    const r = await secureAggregate(xs, { threshold: 3 });
    expect(r.included).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(r.sum)).toEqual(Array.from(plainSum(xs, [0, 1, 2, 3, 4])));
    // the server saw masked vectors, none equal to its input
    r.masked.forEach((y, k) => expect(Array.from(y)).not.toEqual(Array.from(xs[k])));
    expect(r.rebuilt).toEqual({ selfMasks: 5, maskKeys: 0 });
  });

  it('recovers the sum of the included clients when clients drop at every step, up to the threshold', async () => {
    const xs = ringInputs(7, 32, 2);
    // t = 3 of 7: client 0 never starts, 1 drops after its keys, 2 after its shares (its pairwise masks
    // are in the others' vectors), 3 after its masked input (its input counts)
    const drop = new Map<number, DropStage>([
      [0, 'start'],
      [1, 'keys'],
      [2, 'shares'],
      [3, 'masked'],
    ]);
    const r = await secureAggregate(xs, { threshold: 3, dropouts: drop });
    expect(r.included).toEqual([3, 4, 5, 6]);
    expect(r.survivors).toEqual([4, 5, 6]);
    expect(r.rebuilt).toEqual({ selfMasks: 4, maskKeys: 1 });
    expect(Array.from(r.sum)).toEqual(Array.from(plainSum(xs, [3, 4, 5, 6])));
  });

  it('aborts and recovers nothing below the threshold', async () => {
    const xs = ringInputs(5, 8, 3);
    const drop = new Map<number, DropStage>([
      [0, 'masked'],
      [1, 'masked'],
      [2, 'shares'],
    ]);
    // U3 = {0, 1, 3, 4} >= 3 but only 2 survive to unmask
    await expect(secureAggregate(xs, { threshold: 3, dropouts: drop })).rejects.toBeInstanceOf(SecAggAbort);
    await expect(secureAggregate(xs, { threshold: 3, dropouts: drop })).rejects.toThrow(/Unmasking: 2 clients left/);
    await expect(secureAggregate(xs, { threshold: 5, dropouts: new Map([[4, 'start']]) })).rejects.toThrow(/AdvertiseKeys/);
  });

  it('masked vectors look uniform whatever the input (each alone tells nothing)', async () => {
    const m = 8192;
    const fp = fixedPoint(1, 3);
    // structured inputs: all zeros, a constant, a ramp
    const xs = [
      new Uint32Array(m),
      encode(fp, new Float64Array(m).fill(0.9)).ring,
      encode(
        fp,
        Float64Array.from({ length: m }, (_, j) => j / m - 0.5),
      ).ring,
    ];
    const r = await secureAggregate(xs, { threshold: 2 });
    for (const y of r.masked) {
      // chi-square of the top byte over 256 bins: 255 degrees of freedom, 0.1% critical value 330.5
      const bins = new Array<number>(256).fill(0);
      for (const v of y) bins[v >>> 24]++;
      const e = m / 256;
      const chi = bins.reduce((s, o) => s + ((o - e) * (o - e)) / e, 0);
      expect(chi).toBeLessThan(330.5);
    }
    // the ramp's masked vector is uncorrelated with the ramp
    const y = r.masked[2];
    let sxy = 0;
    let sy = 0;
    for (let j = 0; j < m; j++) {
      const u = y[j] / 2 ** 32 - 0.5;
      sxy += u * (j / m - 0.5);
      sy += u * u;
    }
    const corr = sxy / Math.sqrt(sy * (m / 12));
    expect(Math.abs(corr)).toBeLessThan(4 / Math.sqrt(m));
    // while the sum is the exact sum
    expect(Array.from(r.sum)).toEqual(Array.from(plainSum(xs, [0, 1, 2])));
  });

  it('counts the bytes each client sends and receives as the accounting predicts', async () => {
    const n = 4;
    const m = 100;
    const r = await secureAggregate(ringInputs(n, m, 4), { threshold: 3 });
    const a = ourAccounting(n, m);
    for (const b of r.bytes) {
      expect(b.sent).toBe(a.sent);
      expect(b.received).toBe(a.received);
      expect(b.masked).toBe(4 * m);
    }
  });

  it("reproduces the paper's expansion figures with its accounting", () => {
    expect(paperAccounting(2 ** 10, 2 ** 20).expansion).toBeCloseTo(1.73, 2);
    expect(paperAccounting(2 ** 14, 2 ** 24).expansion).toBeCloseTo(1.98, 2);
  });

  it('fixed point: the sum of n clipped encodings decodes without overflow', () => {
    const n = 6;
    const fp = fixedPoint(2, n);
    const s = new Uint32Array(3);
    const xs = [1.99, -2.5, 0.123456];
    for (let k = 0; k < n; k++) {
      const { ring, clipped } = encode(fp, xs);
      expect(clipped).toBe(1);
      for (let j = 0; j < 3; j++) s[j] = (s[j] + ring[j]) >>> 0;
    }
    const d = decode(fp, s);
    expect(d[0]).toBeCloseTo(n * 1.99, 6);
    expect(d[1]).toBeCloseTo(-n * 2, 6);
    expect(Math.abs(d[2] - n * 0.123456)).toBeLessThanOrEqual(n / (2 * fp.scale));
  });

  it('FedAvg through the protocol equals the weighted mean up to the fixed-point rounding', async () => {
    const r = new Rng(5);
    const ups = Array.from({ length: 4 }, () => Float32Array.from({ length: 50 }, () => (r.next() - 0.5) * 0.2));
    const w = [10, 30, 25, 35];
    const res = await secureWeightedMean(ups, w, { range: 1, maxWeight: 100, dropouts: new Map([[1, 'masked']]) });
    expect(res.weightSum).toBe(100);
    const tol = 4 / res.fixedPoint.scale;
    for (let j = 0; j < 50; j++) {
      const plain = ups.reduce((s, u, k) => s + w[k] * u[j], 0) / 100;
      expect(Math.abs(res.mean[j] - plain)).toBeLessThan(tol);
    }
    // a dropout before the masked input leaves that client out of both sums
    const res2 = await secureWeightedMean(ups, w, { range: 1, maxWeight: 100, dropouts: new Map([[1, 'shares']]) });
    expect(res2.weightSum).toBe(70);
    const plain0 = (10 * ups[0][0] + 25 * ups[2][0] + 35 * ups[3][0]) / 70;
    expect(Math.abs(res2.mean[0] - plain0)).toBeLessThan(tol);
  });
});
