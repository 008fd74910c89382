/**
 * The text set's tokenizer and hashed bag of words (feature hashing, Weinberger et al. 2009).
 *
 * - Tokens: maximal runs of letters and digits (Unicode \p{L}\p{N}), lower-cased; everything else
 *   (punctuation, markup, white space) separates tokens. `tokenSpans` gives each token's place in the
 *   original text (the UI highlights a trigger with it).
 * - Terms: the tokens, and with `ngrams: 2` also each pair of neighbouring tokens (written "a b"), so a
 *   trigger word sequence is a feature of its own, not only its words.
 * - Hash: 32-bit FNV-1a of the term's UTF-8 bytes (the npm package @sindresorhus/fnv1a), bucket =
 *   hash mod `buckets` (a power of two: the low bits). No sign hash: as scikit-learn's
 *   HashingVectorizer with alternate_sign=False (its default alternates the sign with a second hash).
 * - Values: log(1 + count) per bucket ('log1p', sublinear term frequency) or 1 for every bucket present
 *   ('binary'), then each mail's vector scaled to unit L2 norm (`normalize`), so that long and short
 *   mails weigh alike, as scikit-learn's norm='l2'.
 *
 * Features are kept sparse (CSR); `denseRows` writes the rows a batch needs into a Float32Array.
 */
import fnv1a from '@sindresorhus/fnv1a';

export interface HashingConfig {
  /** Number of buckets, a power of two (2^14 = 16,384 by default). */
  buckets: number;
  /** 1: words; 2: words and neighbouring pairs. */
  ngrams: 1 | 2;
  weighting: 'log1p' | 'binary';
  /** Scale each row to unit L2 norm. */
  normalize: boolean;
}

export const DEFAULT_HASHING: HashingConfig = { buckets: 2 ** 14, ngrams: 2, weighting: 'log1p', normalize: true };

/** Features of n texts as a CSR matrix (n x buckets). */
export interface HashedFeatures {
  n: number;
  dim: number;
  /** Row i's entries are indices/values[indptr[i] .. indptr[i+1]). */
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

const TOKEN = /[\p{L}\p{N}]+/gu;

export interface TokenSpan {
  token: string;
  /** [start, end) in UTF-16 code units of the original text. */
  start: number;
  end: number;
}

/** Each token with its place in `text`. */
export function tokenSpans(text: string): TokenSpan[] {
  const out: TokenSpan[] = [];
  for (const m of text.matchAll(TOKEN)) out.push({ token: m[0].toLowerCase(), start: m.index, end: m.index + m[0].length });
  return out;
}

/** The lower-cased tokens of `text`. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(TOKEN)) out.push(m[0].toLowerCase());
  return out;
}

/** Unigrams, then (ngrams 2) the pairs of neighbouring tokens "a b". */
export function terms(tokens: readonly string[], ngrams: 1 | 2): string[] {
  if (ngrams === 1) return [...tokens];
  const out = [...tokens];
  for (let i = 0; i + 1 < tokens.length; i++) out.push(`${tokens[i]} ${tokens[i + 1]}`);
  return out;
}

/** 32-bit FNV-1a of the UTF-8 bytes of `s`, as an unsigned number. */
export function fnv1a32(s: string): number {
  return Number(fnv1a(s, { size: 32 }));
}

/** Hashes terms into buckets, remembering each term's bucket (the package hashes with BigInt). */
export class FeatureHasher {
  readonly config: HashingConfig;
  private readonly cache = new Map<string, number>();
  constructor(config: HashingConfig = DEFAULT_HASHING) {
    const b = config.buckets;
    if (!Number.isInteger(b) || b < 2 || b > 2 ** 24 || (b & (b - 1)) !== 0) {
      throw new Error(`buckets must be a power of two between 2 and 2^24, not ${b}`);
    }
    this.config = config;
  }

  bucket(term: string): number {
    let b = this.cache.get(term);
    if (b === undefined) {
      b = fnv1a32(term) & (this.config.buckets - 1);
      if (this.cache.size > 1_000_000) this.cache.clear();
      this.cache.set(term, b);
    }
    return b;
  }

  /** One text's sparse row: bucket indices (ascending) and their values. */
  row(text: string): { indices: Int32Array; values: Float32Array } {
    const counts = new Map<number, number>();
    for (const t of terms(tokenize(text), this.config.ngrams)) {
      const b = this.bucket(t);
      counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    const indices = Int32Array.from(counts.keys()).sort();
    const values = new Float32Array(indices.length);
    let sq = 0;
    for (let i = 0; i < indices.length; i++) {
      const v = this.config.weighting === 'binary' ? 1 : Math.log1p(counts.get(indices[i])!);
      values[i] = v;
      sq += v * v;
    }
    if (this.config.normalize && sq > 0) {
      const s = 1 / Math.sqrt(sq);
      for (let i = 0; i < values.length; i++) values[i] *= s;
    }
    return { indices, values };
  }

  /** The features of many texts. */
  features(texts: readonly string[]): HashedFeatures {
    const rows = texts.map((t) => this.row(t));
    const indptr = new Int32Array(texts.length + 1);
    rows.forEach((r, i) => (indptr[i + 1] = indptr[i] + r.indices.length));
    const indices = new Int32Array(indptr[texts.length]);
    const values = new Float32Array(indptr[texts.length]);
    rows.forEach((r, i) => {
      indices.set(r.indices, indptr[i]);
      values.set(r.values, indptr[i]);
    });
    return { n: texts.length, dim: this.config.buckets, indptr, indices, values };
  }
}

/** Rows `rows` of the features as a dense row-major Float32Array (rows.length x dim). */
export function denseRows(f: HashedFeatures, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * f.dim);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!(r >= 0 && r < f.n)) throw new Error(`row ${r} is not among the ${f.n} rows`);
    for (let k = f.indptr[r]; k < f.indptr[r + 1]; k++) out[i * f.dim + f.indices[k]] = f.values[k];
  }
  return out;
}
