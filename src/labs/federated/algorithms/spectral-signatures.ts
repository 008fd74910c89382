/**
 * Spectral signatures (Tran, Li & Madry 2018): for each class, the representations (here the last
 * hidden layer's activations) are centred, the top right singular vector v of the centred matrix is
 * found, each image scores (R_i - mean) . v squared, and the floor(1.5 * eps * n_c) highest-scoring
 * images of the class (n_c its size) are removed. eps is the defender's upper bound on the poisoned
 * share: ART's SpectralSignatureDefense calls it `expected_pp_poison` (default 0.33) with
 * `eps_multiplier` 1.5, as here. The top singular vector is the covariance's top eigenvector
 * (representations.ts, ml-matrix).
 */
import { centredRows, indicesByClass, principalDirections, type Activations } from './representations';

export interface SpectralOptions {
  /** Expected share of poisoned images in a class (ART's expected_pp_poison). */
  eps?: number;
  multiplier?: number;
  classes?: number;
}

export interface SpectralResult {
  flagged: Int32Array;
  /** Every image's outlier score (its squared projection on its class's top singular vector). */
  scores: Float64Array;
}

export function spectralSignatures(acts: Activations, labels: ArrayLike<number>, opts: SpectralOptions = {}): SpectralResult {
  const eps = opts.eps ?? 0.33;
  const mult = opts.multiplier ?? 1.5;
  const scores = new Float64Array(acts.n);
  const flagged: number[] = [];
  for (const rows of indicesByClass(labels, opts.classes ?? 10)) {
    if (rows.length < 2) continue;
    const x = centredRows(acts, rows);
    const v = principalDirections(x, 1).directions.getColumn(0);
    const s = rows.map((r, i) => {
      let dot = 0;
      for (let d = 0; d < acts.dim; d++) dot += x.get(i, d) * v[d];
      scores[r] = dot * dot;
      return dot * dot;
    });
    const remove = Math.min(rows.length, Math.floor(mult * eps * rows.length));
    const order = rows.map((_, i) => i).sort((a, b) => s[b] - s[a] || rows[a] - rows[b]);
    for (let j = 0; j < remove; j++) flagged.push(rows[order[j]]);
  }
  return { flagged: Int32Array.from(flagged).sort(), scores };
}
