import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { epsilonSpent } from '../privacy/index';
import { testSimulationConfig } from './simulation-test-config';
import { Federation, runSimulation, type SimulationConfig } from './simulation';

const config = (o: Partial<SimulationConfig> = {}): SimulationConfig => testSimulationConfig(o, 'backdoor');

async function globalAfter(cfg: SimulationConfig, rounds: number) {
  const fed = new Federation(cfg);
  const reports = [];
  try {
    for (let r = 1; r <= rounds; r++) reports.push(await fed.round(r));
    return { global: Float32Array.from(fed.global), reports };
  } finally {
    fed.dispose();
  }
}

describe('the federated simulation with secure aggregation and DP-FedAvg', () => {
  it('secure aggregation gives the same model as plain FedAvg up to the fixed-point rounding', async () => {
    const plain = await globalAfter(config(), 2);
    const sa = await globalAfter(config({ secagg: { dropouts: 0, range: 1 } }), 2);
    let worst = 0;
    for (let j = 0; j < plain.global.length; j++) worst = Math.max(worst, Math.abs(plain.global[j] - sa.global[j]));
    expect(worst).toBeLessThan(1e-5);
    const r = sa.reports[0].secagg!;
    expect(r.aborted).toBeNull();
    expect(r.included).toEqual(sa.reports[0].clients);
    expect(r.threshold).toBe(3);
    // the server's view: masked vectors that are not the updates, and the bytes against a float32 update
    expect(r.maskedSample.length).toBe(4);
    expect(r.bytesSent).toBeGreaterThan(r.clearBytes);
    expect(r.clearBytes).toBe(4 * plain.global.length);
    expect(r.sumSample.length).toBe(Math.min(256, plain.global.length));
    expect(sa.reports[0].weights).toBeNull();
  });

  it('survives a dropout each round; with more than n - t dropouts the round aborts and the model stays', async () => {
    const one = await globalAfter(config({ secagg: { dropouts: 1, range: 1 } }), 2);
    for (const rep of one.reports) {
      const s = rep.secagg!;
      expect(s.aborted).toBeNull();
      expect(s.dropped.length).toBe(1);
      const d = s.dropped[0];
      // a client dropping before its masked input is left out; after it, its input counts
      expect(s.included.includes(d.client)).toBe(d.stage === 'masked');
    }
    const fed = new Federation(config({ secagg: { dropouts: 2, range: 1 } }));
    try {
      const before = Float32Array.from(fed.global);
      const rep = await fed.round(1);
      expect(rep.secagg!.aborted).toMatch(/fewer than the threshold t = 3/);
      expect(Array.from(fed.global)).toEqual(Array.from(before));
    } finally {
      fed.dispose();
    }
  });

  it('refuses robust aggregators with secure aggregation, and explains why', () => {
    expect(() => new Federation(config({ aggregator: 'median', secagg: { dropouts: 0, range: 1 } }))).toThrow(/individual updates/);
    expect(() => new Federation(config({ aggregator: 'krum', dp: { noise: 1, clip: 1, delta: 1e-5 } }))).toThrow(/DP-FedAvg/);
  });

  it('DP-FedAvg: seeded runs repeat, the noise has std z S / (q N), updates are clipped to S', async () => {
    const cfg = config({ dp: { noise: 0.8, clip: 0.05, delta: 1e-5 } });
    const a = await globalAfter(cfg, 2);
    const b = await globalAfter(cfg, 2);
    expect(Array.from(b.global)).toEqual(Array.from(a.global));
    const c = await globalAfter(config({ dp: { noise: 0.8, clip: 0.05, delta: 1e-5 }, seed: 4 }), 2);
    expect(Array.from(c.global)).not.toEqual(Array.from(a.global));
    const d = a.reports[0].dp!;
    expect(d.q).toBeCloseTo(4 / 6, 12);
    expect(d.noiseStd).toBeCloseTo((0.8 * 0.05) / 4, 12);
    expect(d.sampled).toBe(a.reports[0].clients.length);
    expect(d.clipped).toBe(a.reports[0].updateNorms.filter((n) => n > 0.05).length);
    // with clipping and no meaningful signal beyond S, the step's norm is about the noise's: std sqrt(m)
    // user-level epsilon from the privacy lab's RDP accountant, growing with the rounds
    expect(a.reports[1].dp!.epsilon).toBeGreaterThan(d.epsilon);
    expect(d.epsilon).toBeCloseTo(epsilonSpent('rdp', [{ sampleRate: 4 / 6, noiseMultiplier: 0.8, steps: 1 }], 1e-5).epsilon, 12);
    const m = a.global.length;
    expect(a.reports[0].aggregateNorm).toBeGreaterThan(0.5 * d.noiseStd * Math.sqrt(m));
  });

  it('DP-FedAvg through secure aggregation, with no tensor leak over repeated runs', async () => {
    const cfg = config({ rounds: 1, dp: { noise: 0.5, clip: 0.1, delta: 1e-5 }, secagg: { dropouts: 0, range: 1 } });
    await runSimulation(cfg);
    const n0 = tf.memory().numTensors;
    const res = await runSimulation(cfg);
    expect(tf.memory().numTensors).toBe(n0);
    expect(res.rounds[0].secagg!.aborted).toBeNull();
    expect(res.rounds[0].dp!.sampled).toBe(res.rounds[0].clients.length);
  });
});
