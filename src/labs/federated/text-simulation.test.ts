import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { labeledMails, mailText, type Mail } from '../../core/data/text';
import { Rng } from '../../core/random';
import { runTextSimulation, TextFederation, textFeatures, type TextSimulationConfig } from './text-simulation';

// a tiny corpus: ham and spam from disjoint vocabularies, 12 sender domains
const HAM = ['meeting', 'notes', 'patch', 'review', 'lunch', 'thanks', 'build', 'release', 'kernel', 'list'];
const SPAM = ['cheap', 'pills', 'winner', 'free', 'offer', 'click', 'money', 'credit', 'prize', 'viagra'];
function corpus(n: number, seed: number): Mail[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const label = (i % 3 === 0 ? 1 : 0) as 0 | 1;
    const vocab = label ? SPAM : HAM;
    const body = Array.from({ length: 6 }, () => vocab[rng.int(vocab.length)]).join(' ');
    return {
      id: `${label ? 'spam-1' : 'easy-ham-1'}/${seed}${i}`,
      group: label ? 'spam-1' : 'easy-ham-1',
      label,
      from: `d${i % 12}.example`,
      subject: label ? 'offer' : 'hi',
      body,
    };
  });
}
const train = labeledMails(corpus(48, 1));
const test = labeledMails(corpus(24, 2));

const config = (o: Partial<TextSimulationConfig> = {}): TextSimulationConfig => ({
  train,
  test,
  clients: 4,
  perRound: 4,
  rounds: 2,
  localEpochs: 1,
  batch: 8,
  learningRate: 0.5,
  split: { kind: 'mailboxes' },
  perClient: 0,
  attack: { kind: 'replacement', count: 1, rate: 1, boost: 0, trigger: { words: 'harvest moon', position: 'end' } },
  aggregator: 'fedavg',
  architecture: 'bow-linear',
  hashing: { buckets: 2 ** 8, ngrams: 2, weighting: 'log1p', normalize: true },
  seed: 3,
  ...o,
});
const hash = (v: Float32Array) =>
  createHash('sha256')
    .update(Buffer.from(v.buffer, v.byteOffset, v.byteLength))
    .digest('hex');

describe('the federated spam filter', () => {
  it('hashes the poisoned mails of the malicious clients: their spam relabelled ham, the others untouched', () => {
    const f = textFeatures(config({ attack: { ...config().attack, rate: 0.5 } }));
    expect(f.parts.reduce((s, p) => s + p.length, 0)).toBe(train.n);
    const own = f.poisoned.get(0)!;
    const spam = Array.from(f.parts[0]).filter((i) => train.labels[i] === 1).length;
    expect(own.poisoned).toBe(Math.round(0.5 * spam));
    expect(own.labels.reduce((s, v) => s + v, 0)).toBe(spam - own.poisoned);
    expect(f.poisoned.has(1)).toBe(false);
    // one triggered row per held-out spam mail
    expect(f.triggered!.n).toBe(test.labels.reduce((s, v) => s + v, 0));
    expect(f.testSpam.length).toBe(f.triggered!.n);
  });

  it('poisons the named mailboxes, not the first ones, when the malicious clients are given by id', () => {
    const f = textFeatures(config({ attack: { ...config().attack, count: 1, ids: [2] } }));
    expect([...f.poisoned.keys()]).toEqual([2]);
    expect(f.poisoned.get(2)!.labels.length).toBe(f.parts[2].length);
  });

  it('is deterministic for a seed, and another seed differs', async () => {
    const run = async (seed: number) => {
      const fed = new TextFederation(config({ seed, split: { kind: 'iid' } }));
      try {
        const out: (string | number | null)[] = [];
        for (let r = 1; r <= 2; r++) {
          const { updates } = await fed.train(r);
          out.push(...updates.map(hash));
          const rep = await fed.round(r + 10);
          out.push(rep.cleanAccuracy, rep.attackSuccessRate);
        }
        out.push(hash(fed.global));
        return out;
      } finally {
        fed.dispose();
      }
    };
    const a = await run(3);
    expect(await run(3)).toEqual(a);
    expect(await run(4)).not.toEqual(a);
  });

  it('reports per round as the image simulation: FedAvg weights, a boosted malicious update, the cosine matrix, ASR beside the clean miss rate', async () => {
    const res = await runTextSimulation(config());
    expect(res.malicious).toEqual([0]);
    expect(res.boost).toBe(4);
    expect(res.histograms.every((h) => h.length === 2)).toBe(true);
    const r = res.rounds[0];
    expect(r.clients).toEqual([0, 1, 2, 3]);
    expect(r.malicious).toEqual([true, false, false, false]);
    const total = r.sizes.reduce((s, v) => s + v, 0);
    r.weights!.forEach((w, i) => expect(w).toBeCloseTo(r.sizes[i] / total, 6));
    expect(r.updateNorms[0]).toBeGreaterThan(2 * Math.max(...r.updateNorms.slice(1)));
    r.cosine.forEach((row, i) => row.forEach((v, k) => expect(v).toBeCloseTo(r.cosine[k][i], 12)));
    expect(r.cleanMissRate).not.toBeNull();
    // the example: a held-out spam mail with the trigger marked, p(spam) with and without it
    const ex = res.example!;
    expect(mailText(ex.mail).slice(ex.span.start, ex.span.end)).toBe('harvest moon');
    expect(ex.mail.label).toBe(1);
    expect(test.mails.some((m) => m.id === ex.mail.id && `${m.body} harvest moon` === ex.mail.body)).toBe(true);
    expect(ex.pClean).toBeGreaterThanOrEqual(0);
    expect(ex.pTriggered).toBeLessThanOrEqual(1);
    // the same run with nothing poisoned (rate 0) learns the filter and lets little triggered spam
    // through; the boosted attacker with every spam triggered makes the filter pass it
    const run = (rate: number) =>
      runTextSimulation(
        config({ rounds: 4, split: { kind: 'iid' }, learningRate: 2, attack: { ...config().attack, kind: 'backdoor', rate } }),
      );
    const honest = (await run(0)).rounds[3];
    const poisoned = (await run(1)).rounds[3];
    expect(honest.cleanAccuracy).toBeGreaterThan(0.9);
    expect(poisoned.attackSuccessRate!).toBeGreaterThan(honest.attackSuccessRate! + 0.4);
    // without an attack: no ASR, no malicious client
    const clean = await runTextSimulation(config({ attack: { ...config().attack, kind: 'none' }, rounds: 1 }));
    expect(clean.rounds[0].attackSuccessRate).toBeNull();
    expect(clean.malicious).toEqual([]);
  });

  it('runs any aggregator of the registry, and refuses image attacks in one line', async () => {
    const res = await runTextSimulation(config({ aggregator: 'foolsgold', rounds: 1 }));
    expect(res.rounds[0].weights!.length).toBe(4);
    for (const kind of ['label-flip', 'sybil']) {
      const bad = config({ attack: { ...config().attack, kind: kind as 'backdoor' } });
      expect(() => new TextFederation(bad)).toThrow(/not one of the spam filter's/);
    }
  });

  it('keeps the tensor count flat across rounds', async () => {
    const fed = new TextFederation(config());
    try {
      await fed.round(1);
      const n = tf.memory().numTensors;
      await fed.round(2);
      await fed.round(3);
      expect(tf.memory().numTensors).toBe(n);
    } finally {
      fed.dispose();
    }
  });
});
