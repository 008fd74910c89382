import { describe, expect, it } from 'vitest';
import { Lbfgs } from './lbfgs';

describe('L-BFGS (PyTorch defaults, no line search)', () => {
  it('minimises a convex quadratic to its known minimum', () => {
    // f = sum_i c_i (x_i - i)^2 / 2 with condition number 10
    const c = [1, 2, 5, 10];
    const opt = new Lbfgs(new Float64Array(4), (x) => ({
      loss: x.reduce((a, v, i) => a + (c[i] * (v - i) ** 2) / 2, 0),
      grad: x.map((v, i) => c[i] * (v - i)),
    }));
    for (let k = 0; k < 5; k++) opt.step();
    Array.from(opt.x).forEach((v, i) => expect(v).toBeCloseTo(i, 4));
  });

  it('reaches the Rosenbrock minimum (1, 1)', () => {
    const opt = new Lbfgs(Float64Array.from([-1.2, 1]), ([a, b]) => ({
      loss: (1 - a) ** 2 + 100 * (b - a * a) ** 2,
      grad: Float64Array.from([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)]),
    }));
    let loss = Infinity;
    for (let k = 0; k < 50; k++) loss = opt.step();
    expect(loss).toBeLessThan(1e-8);
    expect(opt.x[0]).toBeCloseTo(1, 3);
    expect(opt.x[1]).toBeCloseTo(1, 3);
  });

  it('scales its first move by min(1, 1/|g|_1) and stops a step after max_iter iterations', () => {
    const calls: number[][] = [];
    const opt = new Lbfgs(
      Float64Array.from([3, -4]),
      (x) => {
        calls.push(Array.from(x));
        return { loss: x[0] ** 2 + x[1] ** 2, grad: x.map((v) => 2 * v) };
      },
      { maxIter: 1 },
    );
    opt.step();
    // g = (6, -8), |g|_1 = 14: x - g/14
    expect(opt.x[0]).toBeCloseTo(3 - 6 / 14, 12);
    expect(opt.x[1]).toBeCloseTo(-4 + 8 / 14, 12);
    expect(calls).toHaveLength(1);
  });
});
