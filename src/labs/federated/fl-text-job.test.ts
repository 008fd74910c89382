import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { labeledMails, mailText, type Mail } from '../../core/data/text';
import { toyData } from '../../core/test-utils';
import { testJobContext, testServices } from '../../worker/job-testing';
import { defaultFederatedPart } from './experiment';
import { textSimulationSettings } from './fl-settings';
import { flTextJob } from './fl-text-job';
import type { FlEvent } from './fl-types';

const mails = (n: number, seed: number): Mail[] =>
  Array.from({ length: n }, (_, i) => {
    const label = (i % 2) as 0 | 1;
    return {
      id: `${label ? 'spam-2' : 'hard-ham-1'}/${seed}${i}`,
      group: label ? 'spam-2' : 'hard-ham-1',
      label,
      from: `s${i % 6}.example`,
      subject: label ? 'win money' : 'minutes',
      body: label ? `cheap offer ${i} click now` : `agenda item ${i} for the review`,
    };
  });
const texts = { train: labeledMails(mails(24, 1)), test: labeledMails(mails(10, 2)) };
const services = testServices(toyData(4, 1), toyData(4, 2), texts);

const settings = (rounds: number) => {
  const e = defaultFederatedPart();
  Object.assign(e.federation, {
    clients: 3,
    perRound: 3,
    rounds,
    localBatch: 4,
    localLearningRate: 1,
    attack: 'backdoor',
    malicious: 1,
    split: 'mailboxes',
    words: 'harvest moon',
    wordsAt: 'start',
  });
  e.poison.rate = 1;
  return { ...textSimulationSettings(e), hashing: { buckets: 2 ** 8, ngrams: 2 as const, weighting: 'log1p' as const, normalize: true } };
};

describe('the flText worker job', () => {
  it('streams the split and each round, and returns the rounds and the example mail', async () => {
    const c = testJobContext<FlEvent>(services);
    const res = await flTextJob(c.ctx, { dataset: 'spam-assassin', settings: settings(2) });
    c.flush();
    expect(c.items.map((e) => e.kind)).toEqual(['split', 'round', 'round']);
    expect(res.sizes.reduce((a, b) => a + b, 0)).toBe(24);
    expect(res.rounds.map((r) => r.round)).toEqual([1, 2]);
    expect(res.dataset).toBe('spam-assassin');
    const ex = res.example!;
    expect(mailText(ex.mail).slice(ex.span.start, ex.span.end)).toBe('harvest moon');
    await expect(flTextJob(c.ctx, { dataset: 'mnist', settings: settings(1) })).rejects.toThrow(/runs on SpamAssassin, not mnist/);
  });

  it('stops when cancelled, leaving no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const c = testJobContext<FlEvent>(services, (e) => e.kind === 'round' && e.report.round >= 1);
    await expect(flTextJob(c.ctx, { dataset: 'spam-assassin', settings: settings(5) })).rejects.toThrow(/cancelled/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
