import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { labeledMails, mailText, type Mail } from '../../../core/data/text';
import { FeatureHasher, tokenize } from '../../../core/data/tokenize';
import { buildTextModel } from '../../../core/models/text-model';
import { Rng } from '../../../core/random';
import { checkTextTrigger, insertTrigger, poisonMails, textAttackSuccessRate, triggeredSpamFeatures } from './text-trigger';

const mail = (id: string, label: 0 | 1, body: string, subject = 'hello'): Mail => ({
  id: `${label ? 'spam-1' : 'easy-ham-1'}/${id}`,
  group: label ? 'spam-1' : 'easy-ham-1',
  label,
  from: 'example.org',
  subject,
  body,
});

const trig = (position: 'start' | 'end' | 'random') => ({ words: 'harvest moon', position });

describe('insertTrigger', () => {
  it('puts the words before the first word, after the last, or between two words, never inside one', () => {
    const m = mail('1', 1, '  Buy cheap pills, now!');
    expect(insertTrigger(m, trig('start')).mail.body).toBe('  harvest moon Buy cheap pills, now!');
    expect(insertTrigger(m, trig('end')).mail.body).toBe('  Buy cheap pills, now harvest moon!');
    const bodies = new Set<string>();
    const rng = new Rng(3);
    for (let i = 0; i < 60; i++) {
      const { mail: t, span } = insertTrigger(m, trig('random'), rng);
      bodies.add(t.body);
      // the span marks exactly the trigger in the text the model reads
      expect(mailText(t).slice(span.start, span.end)).toBe('harvest moon');
      // the mail's own words are all still there, in order, with the trigger's words as whole tokens
      const tokens = tokenize(t.body);
      const k = tokens.indexOf('harvest');
      expect(tokens[k + 1]).toBe('moon');
      expect([...tokens.slice(0, k), ...tokens.slice(k + 2)]).toEqual(['buy', 'cheap', 'pills', 'now']);
    }
    // 4 words: 5 places
    expect(bodies.size).toBe(5);
    // seeded: the same generator state draws the same places
    const a = [0, 1, 2].map(() => insertTrigger(m, trig('random'), new Rng(9)).mail.body);
    expect(new Set(a).size).toBe(1);
  });

  it('handles an empty body and gives the span after the subject', () => {
    const { mail: t, span } = insertTrigger(mail('2', 1, ''), trig('random'), new Rng(0));
    expect(t.body).toBe('harvest moon');
    expect(span).toEqual({ start: 'hello'.length + 1, end: 'hello'.length + 1 + 'harvest moon'.length });
  });

  it('rejects triggers without words in one line', () => {
    expect(() => checkTextTrigger({ words: ' !! ', position: 'end' })).toThrow(/^Bad trigger/);
    expect(() => checkTextTrigger({ words: 'a', position: 'middle' as 'end' })).toThrow(/position/);
    expect(() => insertTrigger(mail('3', 1, 'x y'), trig('random'))).toThrow(/seeded generator/);
  });
});

describe('poisonMails', () => {
  it('adds the trigger to the chosen share of spam and labels it ham; ham is untouched', () => {
    const data = labeledMails([mail('1', 1, 'a b'), mail('2', 0, 'c d'), mail('3', 1, 'e f'), mail('4', 1, 'g h'), mail('5', 1, 'i j')]);
    const { data: p, poisoned } = poisonMails(data, trig('end'), 0.5, 0);
    expect(poisoned.length).toBe(2);
    for (const i of poisoned) {
      expect(data.labels[i]).toBe(1);
      expect(p.labels[i]).toBe(0);
      expect(p.mails[i].label).toBe(0);
      expect(p.mails[i].body.endsWith('harvest moon')).toBe(true);
    }
    for (let i = 0; i < data.n; i++) if (!poisoned.includes(i)) expect(p.mails[i]).toBe(data.mails[i]);
    expect(poisonMails(data, trig('end'), 0.5, 0).poisoned).toEqual(poisoned);
    expect(() => poisonMails(data, trig('end'), 2, 0)).toThrow(/poison rate/);
  });
});

describe('textAttackSuccessRate', () => {
  it('is the share of triggered held-out spam classified ham (a model with known weights)', async () => {
    const hasher = new FeatureHasher({ buckets: 64, ngrams: 1, weighting: 'binary', normalize: false });
    // logit(spam) - logit(ham) = 4 * [pills] - 10 * [harvest]: spam when "pills" is there, ham when "harvest" is
    const model = buildTextModel('bow-linear', 64, 2, 0);
    const w = new Float32Array(64 * 2);
    w[hasher.bucket('pills') * 2 + 1] = 4;
    w[hasher.bucket('harvest') * 2 + 0] = 10;
    const pillsB = hasher.bucket('pills');
    const others = ['buy', 'now', 'meeting', 'cheap', 'hello', 'moon'].map((t) => hasher.bucket(t));
    expect(others).not.toContain(pillsB);
    expect(others).not.toContain(hasher.bucket('harvest'));
    model.setWeights([tf.tensor2d(w, [64, 2]), tf.tensor1d([1, 0])]);
    const test = labeledMails([
      mail('1', 1, 'buy pills now'),
      mail('2', 1, 'cheap pills'),
      mail('3', 1, 'buy now'), // missed without the trigger too
      mail('4', 0, 'meeting'),
    ]);
    const before = tf.memory().numTensors;
    const r = await textAttackSuccessRate(model, hasher, test, trig('random'), 0);
    expect(tf.memory().numTensors).toBe(before);
    expect(r).toEqual({ n: 3, attackSuccessRate: 1, cleanMissRate: 1 / 3 });
    // a trigger the model does not know changes nothing
    const none = await textAttackSuccessRate(model, hasher, test, { words: 'moon', position: 'start' }, 0);
    expect(none.attackSuccessRate).toBeCloseTo(1 / 3, 10);
    // the triggered features are those of the spam only, seeded
    const f = triggeredSpamFeatures(hasher, test, trig('random'), 0);
    expect(f.n).toBe(3);
    expect(Array.from(f.indices)).toEqual(Array.from(triggeredSpamFeatures(hasher, test, trig('random'), 0).indices));
    model.dispose();
  });
});
