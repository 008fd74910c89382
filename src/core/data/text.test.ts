import { describe, expect, it } from 'vitest';
import { gzipSync } from 'fflate';
import { decodeMailCorpus, encodeMailCorpus, MAIL_GROUPS, mailText, splitMails, type Mail } from './text';

/** n mails of each group, made up. */
function corpus(perGroup: number[]): Mail[] {
  const out: Mail[] = [];
  MAIL_GROUPS.forEach((g, gi) => {
    for (let i = 0; i < perGroup[gi]; i++) {
      out.push({
        id: `${g}/${String(i).padStart(5, '0')}`,
        group: g,
        label: g.startsWith('spam') ? 1 : 0,
        from: 'example.org',
        subject: `s${i}`,
        body: `b ${g} ${i}`,
      });
    }
  });
  return out;
}

describe('the mail corpus file', () => {
  it('round-trips, gzip or not, with spam = 1 and ham = 0', () => {
    const mails = corpus([2, 1, 1, 1, 2]);
    const text = encodeMailCorpus(mails, 'test');
    const bytes = new TextEncoder().encode(text);
    expect(decodeMailCorpus(bytes)).toEqual(mails);
    expect(decodeMailCorpus(gzipSync(bytes))).toEqual(mails);
    expect(decodeMailCorpus(bytes).map((m) => m.label)).toEqual([0, 0, 0, 0, 1, 1, 1]);
    expect(mailText(mails[0])).toBe('s0\nb easy-ham-1 0');
  });

  it('refuses malformed files in one line', () => {
    const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    expect(() => decodeMailCorpus(new TextEncoder().encode('{'))).toThrow(/not valid JSON/);
    expect(() => decodeMailCorpus(enc({ format: 99, mails: [] }))).toThrow(/not of format 1/);
    expect(() => decodeMailCorpus(enc({ format: 1, mails: [[7, '1', '', '', '']] }))).toThrow(/row 0 is malformed/);
  });
});

describe('splitMails', () => {
  it('holds out 20% of every group, disjoint, seeded, in corpus order', () => {
    const mails = corpus([50, 30, 10, 10, 25]);
    const { train, test } = splitMails(mails);
    expect(test.n).toBe(10 + 6 + 2 + 2 + 5);
    expect(train.n + test.n).toBe(mails.length);
    const ids = new Set([...train.mails, ...test.mails].map((m) => m.id));
    expect(ids.size).toBe(mails.length);
    for (const g of MAIL_GROUPS) {
      const all = mails.filter((m) => m.group === g).length;
      expect(test.mails.filter((m) => m.group === g).length).toBe(Math.round(0.2 * all));
    }
    expect(Array.from(test.labels)).toEqual(test.mails.map((m) => m.label));
    const order = (l: readonly Mail[]) => l.map((m) => mails.indexOf(m));
    expect(order(test.mails)).toEqual([...order(test.mails)].sort((a, b) => a - b));
    // the same seed draws the same split; another seed another one
    expect(splitMails(mails).test.mails.map((m) => m.id)).toEqual(test.mails.map((m) => m.id));
    expect(splitMails(mails, { seed: 21, testFraction: 0.2 }).test.mails.map((m) => m.id)).not.toEqual(test.mails.map((m) => m.id));
    expect(() => splitMails(mails, { seed: 0, testFraction: 1 })).toThrow(/held-out fraction/);
  });
});
