/**
 * The shadow-model attack of Shokri et al. 2017 ("Membership Inference Attacks against Machine Learning
 * Models"): shadow models trained like the target on data whose membership the attacker knows; their
 * prediction vectors on their own training records (labelled "in") and on other records ("out") train
 * the attack model; as in the paper, there is ONE ATTACK MODEL PER CLASS (section 5: the attack is
 * partitioned by the record's true label), and the target's prediction vector on a record, given to the
 * attack model of the record's class, gives its membership score.
 *
 * What differs from the paper: (1) the attack models are logistic regressions on the standardised
 * log-probability vector (full-batch gradient descent with a small L2 penalty), where the paper used small
 * neural networks (the paper notes the attack's choice of model matters little next to the features);
 * (2) the shadows' data is the same pool as the target's (LiRA's set-up: random halves of one pool), where
 * Shokri et al. drew the shadows' data from the same distribution but disjoint from the target's.
 */

export interface ShadowAttackData {
  /** features[m]: model m's n x c log-probabilities (row-major). */
  features: readonly ArrayLike<number>[];
  /** keep[m][i]: model m trained on example i. */
  keep: readonly ArrayLike<boolean | number>[];
  labels: ArrayLike<number>;
  classes: number;
}

export interface AttackModel {
  /** Per class: feature means and deviations, weights and bias (for the standardised features). */
  perClass: { mean: Float64Array; sd: Float64Array; w: Float64Array; b: number }[];
}

export interface ShadowAttackOptions {
  iterations?: number;
  learningRate?: number;
  l2?: number;
  /** Log-probabilities are floored here (a p of 0 is as informative as e^-30). */
  floor?: number;
}

const sigmoid = (t: number) => (t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t)));

/** Fits logistic regression (full-batch gradient descent) of y on rows of x (n x d, already standardised). */
export function logisticRegression(
  x: Float64Array,
  y: Uint8Array,
  d: number,
  opts: { iterations: number; learningRate: number; l2: number },
): { w: Float64Array; b: number } {
  const n = y.length;
  const w = new Float64Array(d);
  let b = 0;
  const gw = new Float64Array(d);
  for (let it = 0; it < opts.iterations; it++) {
    gw.fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      let t = b;
      for (let j = 0; j < d; j++) t += w[j] * x[i * d + j];
      const r = sigmoid(t) - y[i];
      gb += r;
      for (let j = 0; j < d; j++) gw[j] += r * x[i * d + j];
    }
    for (let j = 0; j < d; j++) w[j] -= opts.learningRate * (gw[j] / n + opts.l2 * w[j]);
    b -= (opts.learningRate * gb) / n;
  }
  return { w, b };
}

/** Trains the per-class attack models on the shadows' in/out prediction vectors. */
export function trainShadowAttack(data: ShadowAttackData, opts: ShadowAttackOptions = {}): AttackModel {
  const { classes: c, labels } = data;
  const n = labels.length;
  const floor = opts.floor ?? -30;
  const perClass: AttackModel['perClass'] = [];
  for (let k = 0; k < c; k++) {
    const rows: number[] = [];
    const ys: number[] = [];
    for (let m = 0; m < data.features.length; m++) {
      const f = data.features[m];
      for (let i = 0; i < n; i++) {
        if (labels[i] !== k) continue;
        for (let j = 0; j < c; j++) rows.push(Math.max(floor, f[i * c + j]));
        ys.push(data.keep[m][i] ? 1 : 0);
      }
    }
    const cnt = ys.length;
    const mean = new Float64Array(c);
    const sd = new Float64Array(c);
    for (let r = 0; r < cnt; r++) for (let j = 0; j < c; j++) mean[j] += rows[r * c + j] / cnt;
    for (let r = 0; r < cnt; r++) for (let j = 0; j < c; j++) sd[j] += (rows[r * c + j] - mean[j]) ** 2 / cnt;
    for (let j = 0; j < c; j++) sd[j] = Math.sqrt(sd[j]) || 1;
    const x = new Float64Array(cnt * c);
    for (let r = 0; r < cnt; r++) for (let j = 0; j < c; j++) x[r * c + j] = (rows[r * c + j] - mean[j]) / sd[j];
    const fit =
      cnt > 0
        ? logisticRegression(x, Uint8Array.from(ys), c, {
            iterations: opts.iterations ?? 300,
            learningRate: opts.learningRate ?? 0.5,
            l2: opts.l2 ?? 1e-4,
          })
        : { w: new Float64Array(c), b: 0 };
    perClass.push({ mean, sd, ...fit });
  }
  return { perClass };
}

/** Membership scores (the attack model's logit: higher, member) of the target's log-probabilities. */
export function shadowAttackScores(model: AttackModel, features: ArrayLike<number>, labels: ArrayLike<number>, floor = -30): Float64Array {
  const c = model.perClass.length;
  return Float64Array.from(labels, (k, i) => {
    const p = model.perClass[k];
    let t = p.b;
    for (let j = 0; j < c; j++) t += p.w[j] * ((Math.max(floor, features[i * c + j]) - p.mean[j]) / p.sd[j]);
    return t;
  });
}
