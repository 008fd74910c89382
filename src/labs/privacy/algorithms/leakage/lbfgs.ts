/**
 * L-BFGS as PyTorch's torch.optim.LBFGS runs it with its defaults (what the DLG and iDLG authors call:
 * lr 1, max_iter 20 iterations per step, max_eval 25, history 100, tolerance_grad 1e-7,
 * tolerance_change 1e-9, no line search): the two-loop recursion over the last `history` pairs, the
 * first iteration scaled by min(1, 1/|g|_1), a pair kept only when y.s > 1e-10, and a step that ends
 * early when the gradient or the change becomes tiny. One step is one `step()` call (the authors' 300
 * "iterations" are 300 of them).
 *
 * Differs from PyTorch: the history and directions are float64 here (PyTorch keeps the parameters'
 * float32); the function itself is evaluated in float32 by TensorFlow.js. No npm package fits (the
 * optimisation packages on npm are unmaintained or line-search-only variants), so it is written here
 * and tested on known minima (lbfgs.test.ts).
 */

/** Loss and gradient at x. */
export type Objective = (x: Float64Array) => { loss: number; grad: Float64Array };

export interface LbfgsOptions {
  lr?: number;
  maxIter?: number;
  maxEval?: number;
  history?: number;
  toleranceGrad?: number;
  toleranceChange?: number;
}

const dot = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

export class Lbfgs {
  readonly x: Float64Array;
  /** Function evaluations so far (one gradient each). */
  evaluations = 0;
  /** L-BFGS iterations so far, over every step. */
  iterations = 0;
  private readonly o: Required<LbfgsOptions>;
  private d: Float64Array | null = null;
  private t = 0;
  private prevGrad: Float64Array | null = null;
  private dirs: Float64Array[] = [];
  private stps: Float64Array[] = [];
  private ro: number[] = [];
  private hDiag = 1;

  constructor(
    x0: Float64Array,
    private readonly f: Objective,
    options: LbfgsOptions = {},
  ) {
    this.x = Float64Array.from(x0);
    const maxIter = options.maxIter ?? 20;
    this.o = {
      lr: options.lr ?? 1,
      maxIter,
      maxEval: options.maxEval ?? Math.floor((maxIter * 5) / 4),
      history: options.history ?? 100,
      toleranceGrad: options.toleranceGrad ?? 1e-7,
      toleranceChange: options.toleranceChange ?? 1e-9,
    };
  }

  private evaluate() {
    this.evaluations++;
    return this.f(this.x);
  }

  /** One optimizer.step(closure): returns the loss at the point where the step began. */
  step(): number {
    const { lr, maxIter, maxEval, history, toleranceGrad, toleranceChange } = this.o;
    let { loss, grad } = this.evaluate();
    const origLoss = loss;
    let currentEvals = 1;
    const maxAbs = (v: Float64Array) => v.reduce((m, a) => Math.max(m, Math.abs(a)), 0);
    if (maxAbs(grad) <= toleranceGrad) return origLoss;
    let n = 0;
    const len = grad.length;
    while (n < maxIter) {
      n++;
      this.iterations++;
      if (this.iterations === 1 || !this.d || !this.prevGrad) {
        this.d = grad.map((g) => -g);
        this.dirs = [];
        this.stps = [];
        this.ro = [];
        this.hDiag = 1;
      } else {
        const y = new Float64Array(len);
        const s = new Float64Array(len);
        for (let i = 0; i < len; i++) {
          y[i] = grad[i] - this.prevGrad[i];
          s[i] = this.d[i] * this.t;
        }
        const ys = dot(y, s);
        if (ys > 1e-10) {
          if (this.dirs.length === history) {
            this.dirs.shift();
            this.stps.shift();
            this.ro.shift();
          }
          this.dirs.push(y);
          this.stps.push(s);
          this.ro.push(1 / ys);
          this.hDiag = ys / dot(y, y);
        }
        const k = this.dirs.length;
        const al = new Float64Array(k);
        const q = grad.map((g) => -g);
        for (let i = k - 1; i >= 0; i--) {
          al[i] = dot(this.stps[i], q) * this.ro[i];
          const di = this.dirs[i];
          for (let j = 0; j < len; j++) q[j] -= al[i] * di[j];
        }
        const r = q.map((v) => v * this.hDiag);
        for (let i = 0; i < k; i++) {
          const be = dot(this.dirs[i], r) * this.ro[i];
          const si = this.stps[i];
          for (let j = 0; j < len; j++) r[j] += si[j] * (al[i] - be);
        }
        this.d = r;
      }
      this.prevGrad = Float64Array.from(grad);
      const prevLoss = loss;
      this.t = this.iterations === 1 ? Math.min(1, 1 / grad.reduce((a, g) => a + Math.abs(g), 0)) * lr : lr;
      const gtd = dot(grad, this.d);
      if (gtd > -toleranceChange) break;
      for (let i = 0; i < len; i++) this.x[i] += this.t * this.d[i];
      let optCond = false;
      if (n !== maxIter) {
        ({ loss, grad } = this.evaluate());
        optCond = maxAbs(grad) <= toleranceGrad;
        currentEvals++;
      }
      if (n === maxIter || currentEvals >= maxEval || optCond) break;
      if (maxAbs(this.d) * Math.abs(this.t) <= toleranceChange) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }
    return origLoss;
  }
}
