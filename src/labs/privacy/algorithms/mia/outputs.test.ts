import { describe, expect, it } from 'vitest';
import { crossEntropyLosses, logSoftmax, logitScaledConfidence } from './outputs';

describe('attack statistics from logits', () => {
  it('match the probability formulas on moderate logits', () => {
    const z = [1, 2, 0.5, -1];
    const p = z.map(Math.exp);
    const sum = p.reduce((a, b) => a + b);
    const q = p.map((v) => v / sum);
    expect(crossEntropyLosses(z, [1], 4)[0]).toBeCloseTo(-Math.log(q[1]), 12);
    expect(logitScaledConfidence(z, [1], 4)[0]).toBeCloseTo(Math.log(q[1]) - Math.log(1 - q[1]), 12);
    const ls = logSoftmax(z, 1, 4);
    ls.forEach((v, j) => expect(v).toBeCloseTo(Math.log(q[j]), 12));
  });

  it('stay finite and exact where the softmax saturates (p_y rounds to 1)', () => {
    // p_y = 1 - ~e^-80: the probability form gives log(0) for the rest; the logit form gives 80 - log 2
    const z = [80, 0, 0];
    const phi = logitScaledConfidence(z, [0], 3)[0];
    expect(phi).toBeCloseTo(80 - Math.log(2), 10);
    expect(crossEntropyLosses(z, [0], 3)[0]).toBeGreaterThanOrEqual(0);
    // the wrong label: a huge loss, a very negative phi
    expect(crossEntropyLosses(z, [1], 3)[0]).toBeCloseTo(80, 6);
    expect(logitScaledConfidence(z, [1], 3)[0]).toBeCloseTo(-80, 6);
  });
});
