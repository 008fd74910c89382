/**
 * FLTrust (Cao, Fang, Liu & Gong 2021, "FLTrust: Byzantine-robust Federated Learning via Trust
 * Bootstrapping"), Algorithm 1's aggregation: the server's own update g0 on its small root set
 * (`input.root`) bootstraps trust. Each client's trust score TS_i = ReLU(cos(g_i, g0)); each update is
 * rescaled to g0's norm (g_i * ||g0|| / ||g_i||); the aggregate is sum_i TS_i * rescaled_i / sum_j TS_j.
 * When every trust score is 0 the aggregate is the zero vector (the paper's formula is 0 / 0 there).
 * A zero update (or a zero root) has cosine 0, so trust 0. The server learning rate is the caller's.
 * Data sizes are not used (the paper weights by trust only). `scores`: the trust scores TS_i;
 * `weights`: TS_i / sum TS (0 for all when no client is trusted).
 */
import { checkInput, dot, norm } from './common';
import type { Aggregator } from './types';

export const fltrust: Aggregator = (input) => {
  const { n, d } = checkInput('FLTrust', input);
  const root = input.root;
  if (!root) throw new Error("FLTrust needs the server's root update (root)");
  const r = norm(root);
  const norms = input.updates.map(norm);
  const trust = input.updates.map((u, i) => (r > 0 && norms[i] > 0 ? Math.max(0, dot(u, root) / (r * norms[i])) : 0));
  const total = trust.reduce((a, b) => a + b, 0);
  const weights = trust.map((t) => (total > 0 ? t / total : 0));
  const out = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    if (weights[i] === 0) continue;
    const c = (weights[i] * r) / norms[i];
    const u = input.updates[i];
    for (let j = 0; j < d; j++) out[j] += c * u[j];
  }
  return { aggregate: Float32Array.from(out), weights, scores: trust };
};
