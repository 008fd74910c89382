import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testSimulationConfig } from './simulation-test-config';
import { cosineMatrix, Federation, runSimulation, type SimulationConfig } from './simulation';

const config = (o: Partial<SimulationConfig> = {}): SimulationConfig => testSimulationConfig(o);
const hash = (v: Float32Array) =>
  createHash('sha256')
    .update(Buffer.from(v.buffer, v.byteOffset, v.byteLength))
    .digest('hex');

describe('the federated simulation', () => {
  it('is deterministic for a seed: same accuracies, same update vectors', async () => {
    const run = async (seed: number) => {
      const fed = new Federation(config({ seed }));
      const hashes: string[] = [];
      const accs: number[] = [];
      try {
        for (let r = 1; r <= 2; r++) {
          const { updates } = await fed.train(r);
          hashes.push(...updates.map(hash));
          const rep = await fed.round(r + 10);
          accs.push(rep.cleanAccuracy, rep.attackSuccessRate!);
        }
        return { hashes, accs, global: hash(fed.global) };
      } finally {
        fed.dispose();
      }
    };
    const a = await run(3);
    const b = await run(3);
    expect(b).toEqual(a);
    expect((await run(4)).hashes).not.toEqual(a.hashes);
  });

  it('reports per round: sampled clients, malicious marks, norms, cosine matrix, FedAvg weights; the boost shows in the norms', async () => {
    const rounds: number[] = [];
    const clientsDone: number[] = [];
    const res = await runSimulation(config({ perRound: 6 }), {
      onRound: (r) => rounds.push(r.round),
      onClient: (p) => clientsDone.push(p.done),
    });
    expect(rounds).toEqual([1, 2]);
    expect(clientsDone).toEqual([1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6]);
    expect(res.sizes).toEqual(new Array(6).fill(40));
    expect(res.malicious).toEqual([0]);
    expect(res.boost).toBe(6);
    const r = res.rounds[0];
    expect(r.clients).toEqual([0, 1, 2, 3, 4, 5]);
    expect(r.malicious).toEqual([true, false, false, false, false, false]);
    expect(r.weights).toEqual(new Array(6).fill(1 / 6));
    expect(r.cosine.length).toBe(6);
    r.cosine.forEach((row, i) => {
      expect(row[i]).toBeCloseTo(1, 6);
      row.forEach((v, k) => expect(v).toBeCloseTo(r.cosine[k][i], 12));
    });
    // the replacement attacker's update is boosted 6x: far larger than any honest one
    expect(r.updateNorms[0]).toBeGreaterThan(3 * Math.max(...r.updateNorms.slice(1)));
    expect(res.cleanAccuracy).toBe(res.rounds[1].cleanAccuracy);
    expect(res.attackSuccessRate).not.toBeNull();
  });

  it('marks and boosts the malicious clients named by id', async () => {
    const res = await runSimulation(config({ rounds: 1, perRound: 6, attack: { ...config().attack, count: 2, ids: [4, 1] } }));
    expect(res.malicious).toEqual([1, 4]);
    const r = res.rounds[0];
    expect(r.malicious).toEqual([false, true, false, false, true, false]);
    const honest = Math.max(r.updateNorms[0], r.updateNorms[2], r.updateNorms[3], r.updateNorms[5]);
    expect(Math.min(r.updateNorms[1], r.updateNorms[4])).toBeGreaterThan(3 * honest);
    expect(() => new Federation(config({ attack: { ...config().attack, count: 1, ids: [6] } }))).toThrow(
      /malicious client 6 is not one of the 6/,
    );
  });

  it('samples perRound distinct clients per round, seeded', async () => {
    const fed = new Federation(config({ clients: 10, perRound: 3, perClient: 20 }));
    try {
      const draws = [fed.sample(), fed.sample(), fed.sample()];
      for (const d of draws) {
        expect(d.length).toBe(3);
        expect(new Set(d).size).toBe(3);
        expect(d).toEqual([...d].sort((x, y) => x - y));
      }
      expect(new Set(draws.map((d) => d.join())).size).toBeGreaterThan(1);
    } finally {
      fed.dispose();
    }
  });

  it('leaks no tensors across rounds and frees its network at the end', async () => {
    const before = tf.memory().numTensors;
    const fed = new Federation(config({ attack: { ...config().attack, kind: 'sybil', count: 2, target: 3, source: 1 } }));
    const during = tf.memory().numTensors;
    for (let r = 1; r <= 3; r++) {
      await fed.round(r);
      expect(tf.memory().numTensors).toBe(during);
    }
    fed.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects an unknown aggregator, too many malicious clients, more per round than clients', () => {
    expect(() => new Federation(config({ aggregator: 'nope' }))).toThrow(/unknown aggregator "nope"/);
    expect(() => new Federation(config({ attack: { ...config().attack, count: 7 } }))).toThrow(/7 malicious clients of 6/);
    expect(() => new Federation(config({ perRound: 7 }))).toThrow(/7 clients per round of 6/);
  });

  it('can be cancelled between batches', async () => {
    const ctl = new AbortController();
    ctl.abort();
    await expect(runSimulation(config(), { signal: ctl.signal })).rejects.toThrow(/cancelled/);
  });

  it('cosine matrix of hand-made vectors', () => {
    const m = cosineMatrix([Float32Array.of(1, 0), Float32Array.of(0, 2), Float32Array.of(-3, 0), Float32Array.of(0, 0)]);
    expect(m[0][1]).toBeCloseTo(0);
    expect(m[0][2]).toBeCloseTo(-1);
    expect(m[1][1]).toBe(1);
    expect(m[3][0]).toBe(0);
    expect(m[3][3]).toBe(0);
  });
});
