import { describe, expect, it } from 'vitest';
import { denseRows, FeatureHasher, fnv1a32, terms, tokenize, tokenSpans } from './tokenize';

describe('tokenize', () => {
  it('lower-cases and splits on everything but letters and digits', () => {
    expect(tokenize('Subject: FREE $$$ Money!!! Click <a href="http://x.com">here</a> 100%')).toEqual([
      'subject',
      'free',
      'money',
      'click',
      'a',
      'href',
      'http',
      'x',
      'com',
      'here',
      'a',
      '100',
    ]);
    expect(tokenize('Größe: ÜBER-groß, naïve café')).toEqual(['größe', 'über', 'groß', 'naïve', 'café']);
    expect(tokenize('  ...  ')).toEqual([]);
  });

  it("gives each token's place in the original text", () => {
    const text = 'Hi, CLICK here!';
    const spans = tokenSpans(text);
    expect(spans).toEqual([
      { token: 'hi', start: 0, end: 2 },
      { token: 'click', start: 4, end: 9 },
      { token: 'here', start: 10, end: 14 },
    ]);
    expect(spans.map((s) => text.slice(s.start, s.end).toLowerCase())).toEqual(tokenize(text));
  });

  it('adds neighbouring pairs as terms with ngrams 2', () => {
    expect(terms(['a', 'b', 'c'], 1)).toEqual(['a', 'b', 'c']);
    expect(terms(['a', 'b', 'c'], 2)).toEqual(['a', 'b', 'c', 'a b', 'b c']);
    expect(terms(['a'], 2)).toEqual(['a']);
  });
});

describe('feature hashing', () => {
  it('hashes with 32-bit FNV-1a (the reference test vectors)', () => {
    // FNV's published 32-bit FNV-1a values
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('puts each term in bucket hash mod buckets, counts it, and weighs log(1 + count)', () => {
    const h = new FeatureHasher({ buckets: 16, ngrams: 1, weighting: 'log1p', normalize: false });
    // 'a' -> 0xe40c292c & 15 = 12; 'foobar' -> 0xbf9cf968 & 15 = 8
    expect(h.bucket('a')).toBe(12);
    expect(h.bucket('foobar')).toBe(8);
    const r = h.row('A foobar a, A!');
    expect(Array.from(r.indices)).toEqual([8, 12]);
    expect(r.values[0]).toBeCloseTo(Math.log(2), 6);
    expect(r.values[1]).toBeCloseTo(Math.log(4), 6);
  });

  it('binary weights and unit L2 rows', () => {
    const h = new FeatureHasher({ buckets: 16, ngrams: 1, weighting: 'binary', normalize: true });
    const r = h.row('a a a foobar');
    expect(Array.from(r.values)).toEqual([Math.fround(Math.SQRT1_2), Math.fround(Math.SQRT1_2)]);
  });

  it('is stable: the same text gives the same features in any order of texts, and a new hasher agrees', () => {
    const texts = ['Win a FREE cruise now', 'meeting notes attached', '', 'free free free'];
    const a = new FeatureHasher().features(texts);
    const b = new FeatureHasher().features([...texts].reverse());
    const dense = (f: typeof a, i: number) => Array.from(denseRows(f, [i]));
    for (let i = 0; i < texts.length; i++) expect(dense(a, i)).toEqual(dense(b, texts.length - 1 - i));
    expect(a.indptr[3] - a.indptr[2]).toBe(0);
    // default: 2^14 buckets, words and pairs, unit rows
    expect(a.dim).toBe(16384);
    const row0 = dense(a, 0);
    expect(row0.reduce((s, v) => s + v * v, 0)).toBeCloseTo(1, 5);
    expect(row0.filter((v) => v > 0).length).toBeGreaterThanOrEqual(5);
  });

  it('makes a trigger word sequence a feature: its words and its pairs', () => {
    const h = new FeatureHasher({ buckets: 2 ** 14, ngrams: 2, weighting: 'log1p', normalize: false });
    const row = h.row('hello world');
    expect(new Set(row.indices)).toEqual(new Set([h.bucket('hello'), h.bucket('world'), h.bucket('hello world')]));
  });

  it('refuses bucket counts that are not powers of two, and rows out of range', () => {
    expect(() => new FeatureHasher({ buckets: 1000, ngrams: 1, weighting: 'binary', normalize: false })).toThrow(/power of two/);
    const f = new FeatureHasher().features(['x']);
    expect(() => denseRows(f, [1])).toThrow(/not among/);
  });
});
