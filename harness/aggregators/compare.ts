/**
 * An independent check of `rlab aggregate`: random inputs, the lab's rules through the CLI only (no
 * lab source is imported), against a plain re-implementation here of the reference formulas:
 *   Flower's flwr/server/strategy/aggregate.py -- aggregate (FedAvg), aggregate_krum (Krum, and
 *     Multi-Krum with to_keep), aggregate_median, aggregate_trimmed_avg / _trim_mean, aggregate_bulyan
 *     (aggregate_krum as the first rule, _find_reference_weights, _aggregate_n_closest_weights);
 *   FoolsGold: the authors' `foolsgold` (DistributedML/FoolsGold) and their deep-fg trainer's
 *     aggregation (sum of wv_i * update_i, divided by the number of clients);
 *   FLTrust (Cao et al. 2021, Algorithm 1) and norm clipping (Sun et al. 2019, noise 0, weighted by
 *     size as FedAvg).
 * Written the way the Python reads (argsort of a row then [1 : k + 1], argsort(scores)[::-1][n - keep:],
 * partition-then-slice), in float64 on the float32 values the CLI reads.
 *
 *   npx tsx harness/aggregators/compare.ts [--trials 4] [--seed 1] [--json]
 *
 * Exit code 1 when any rule differs by more than 1e-5 relative (the CLI returns float32) or selects
 * other clients.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
type Vec = number[];

// ---- random inputs (its own generator: nothing from the lab) ----
function lcg(seed: number) {
  let s = BigInt(seed) & 0xffffffffffffn;
  return () => {
    s = (s * 0x5deece66dn + 0xbn) & 0xffffffffffffn;
    return Number(s >> 16n) / 2 ** 32;
  };
}
const normal = (u: () => number) => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());

interface Case {
  updates: Vec[];
  sizes: number[];
  history: Vec[];
  root: Vec;
  f: number;
}

function makeCase(u: () => number): Case {
  const f = 1 + Math.floor(u() * 2); // 1 or 2
  const n = 4 * f + 3 + Math.floor(u() * 6); // Bulyan's n >= 4f + 3
  const d = 1 + Math.floor(u() * 12);
  const centre = Array.from({ length: d }, () => normal(u));
  const updates = Array.from({ length: n }, (_, i) =>
    // the last f are far (Byzantine-like), the others around a common centre
    centre.map((c) => Math.fround(i >= n - f ? 10 * normal(u) : c + 0.3 * normal(u))),
  );
  const sizes = updates.map(() => 1 + Math.floor(u() * 100));
  // a history per client; the last f share one direction (sybils)
  const sybil = Array.from({ length: d }, () => normal(u));
  const history = updates.map((x, i) => (i >= n - f ? sybil.map((v) => Math.fround(3 * v)) : x.map((v) => Math.fround(v + normal(u)))));
  const root = centre.map((c) => Math.fround(c + 0.1 * normal(u)));
  return { updates, sizes, history, root, f };
}

// ---- the reference formulas ----
const sq = (a: Vec, b: Vec) => a.reduce((s, v, j) => s + (v - b[j]) ** 2, 0);
const argsort = (v: number[]) => v.map((_, i) => i).sort((a, b) => v[a] - v[b]);
const npMedian = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};
const column = (w: Vec[], j: number) => w.map((x) => x[j]);

/** Flower `aggregate`: sum(num_examples * w) / sum(num_examples). */
function flwrAggregate(results: [Vec, number][]): Vec {
  const total = results.reduce((s, [, k]) => s + k, 0);
  return results[0][0].map((_, j) => results.reduce((s, [w, k]) => s + w[j] * k, 0) / total);
}

/** Flower `aggregate_krum`; returns the result and the chosen indices. */
function flwrKrum(results: [Vec, number][], numMalicious: number, toKeep: number): { w: Vec; idx: number[]; scores: number[] } {
  const weights = results.map(([w]) => w);
  const dm = weights.map((a) => weights.map((b) => sq(a, b)));
  const numClosest = Math.max(1, weights.length - numMalicious - 2);
  const scores = dm.map((row) =>
    argsort(row)
      .slice(1, numClosest + 1)
      .reduce((s, j) => s + row[j], 0),
  );
  if (toKeep > 0) {
    const best = argsort(scores)
      .reverse()
      .slice(scores.length - toKeep);
    return { w: flwrAggregate(best.map((i) => results[i])), idx: best, scores };
  }
  const i = argsort(scores)[0];
  return { w: weights[i], idx: [i], scores };
}

/** Flower `_trim_mean` along the clients. */
function trimMean(w: Vec[], proportiontocut: number): Vec {
  const nobs = w.length;
  const lowercut = Math.trunc(proportiontocut * nobs);
  const uppercut = nobs - lowercut;
  return w[0].map((_, j) => {
    const s = column(w, j)
      .sort((a, b) => a - b)
      .slice(lowercut, uppercut);
    return s.reduce((a, b) => a + b, 0) / s.length;
  });
}

/** Flower `aggregate_bulyan` with aggregate_krum (to_keep 0). */
function flwrBulyan(all: [Vec, number][], numMalicious: number): { w: Vec; chosen: number[] } {
  const results = all.map((r, i) => ({ r, i }));
  const theta = all.length - 2 * numMalicious;
  const beta = theta - 2 * numMalicious;
  const selected: { r: [Vec, number]; i: number }[] = [];
  for (let t = 0; t < theta; t++) {
    const best = flwrKrum(
      results.map((x) => x.r),
      numMalicious,
      0,
    ).w;
    const idx = results.findIndex((x) => x.r[0].every((v, j) => v === best[j])); // _find_reference_weights
    selected.push(results[idx]);
    results.splice(idx, 1);
  }
  const ws = selected.map((x) => x.r[0]);
  const med = ws[0].map((_, j) => npMedian(column(ws, j)));
  const w = med.map((m, j) => {
    const col = column(ws, j);
    const closest = argsort(col.map((v) => Math.abs(m - v))).slice(0, beta);
    return closest.reduce((s, k) => s + col[k], 0) / beta;
  });
  return { w, chosen: selected.map((x) => x.i) };
}

/** The FoolsGold authors' `foolsgold(grads)` (kappa 1 there; the paper's kappa here). */
function foolsgoldWv(grads: Vec[], kappa: number): number[] {
  const n = grads.length;
  const nrm = grads.map((g) => Math.sqrt(g.reduce((s, v) => s + v * v, 0)));
  const cs = grads.map((a, i) => grads.map((b, j) => (i === j ? 0 : a.reduce((s, v, k) => s + v * b[k], 0) / (nrm[i] * nrm[j]))));
  const maxcs = cs.map((r) => Math.max(...r));
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j && maxcs[i] < maxcs[j]) cs[i][j] = (cs[i][j] * maxcs[i]) / maxcs[j];
  let wv = cs.map((r) => 1 - Math.max(...r)).map((w) => Math.min(1, Math.max(0, w)));
  const m = Math.max(...wv);
  wv = wv.map((w) => w / m).map((w) => (w === 1 ? 0.99 : w));
  return wv.map((w) => kappa * (Math.log(w / (1 - w)) + 0.5)).map((w) => (w > 1 ? 1 : w < 0 ? 0 : w));
}

interface Reference {
  aggregate: Vec;
  selected?: number[];
  weights?: number[];
}

function reference(rule: string, c: Case, o: { trim: number; clip: number; keep: number; kappa: number }): Reference {
  const results = c.updates.map((w, i) => [w, c.sizes[i]] as [Vec, number]);
  const n = c.updates.length;
  switch (rule) {
    case 'fedavg':
      return { aggregate: flwrAggregate(results) };
    case 'krum': {
      const r = flwrKrum(results, c.f, 0);
      return { aggregate: r.w, selected: r.idx };
    }
    case 'multikrum': {
      const r = flwrKrum(results, c.f, o.keep || n - c.f);
      return { aggregate: r.w, selected: [...r.idx].reverse() }; // the lab lists the kept by ascending score
    }
    case 'median':
      return { aggregate: c.updates[0].map((_, j) => npMedian(column(c.updates, j))) };
    case 'trimmed-mean':
      return { aggregate: trimMean(c.updates, o.trim) };
    case 'bulyan': {
      const r = flwrBulyan(results, c.f);
      return { aggregate: r.w, selected: r.chosen };
    }
    case 'norm-clip': {
      const clipped = c.updates.map((u) => {
        const nr = Math.sqrt(u.reduce((s, v) => s + v * v, 0));
        return u.map((v) => v / Math.max(1, nr / o.clip));
      });
      return { aggregate: flwrAggregate(clipped.map((w, i) => [w, c.sizes[i]])) };
    }
    case 'foolsgold': {
      const wv = foolsgoldWv(c.history, o.kappa);
      return { aggregate: c.updates[0].map((_, j) => c.updates.reduce((s, u, i) => s + wv[i] * u[j], 0) / n), weights: wv };
    }
    case 'fltrust': {
      const g0 = c.root;
      const n0 = Math.sqrt(g0.reduce((s, v) => s + v * v, 0));
      const ts = c.updates.map((u) => {
        const nu = Math.sqrt(u.reduce((s, v) => s + v * v, 0));
        return Math.max(0, u.reduce((s, v, j) => s + v * g0[j], 0) / (nu * n0));
      });
      const total = ts.reduce((a, b) => a + b, 0);
      const agg = g0.map((_, j) =>
        c.updates.reduce((s, u, i) => s + (ts[i] * (n0 / Math.sqrt(u.reduce((a, v) => a + v * v, 0))) * u[j]) / total, 0),
      );
      return { aggregate: agg, weights: ts.map((t) => t / total) };
    }
  }
  throw new Error(`no reference for ${rule}`);
}

// ---- run ----
const { values } = parseArgs({
  options: { trials: { type: 'string', default: '4' }, seed: { type: 'string', default: '1' }, json: { type: 'boolean', default: false } },
});
const RULES = ['fedavg', 'krum', 'multikrum', 'median', 'trimmed-mean', 'norm-clip', 'foolsgold', 'bulyan', 'fltrust'];
const u = lcg(Number(values.seed));
const dir = mkdtempSync(join(tmpdir(), 'rlab-agg-harness-'));
const rows: { rule: string; trials: number; maxRelDiff: number; selectionAgrees: boolean; ok: boolean }[] = RULES.map((rule) => ({
  rule,
  trials: 0,
  maxRelDiff: 0,
  selectionAgrees: true,
  ok: true,
}));
for (let t = 0; t < Number(values.trials); t++) {
  const c = makeCase(u);
  const o = { trim: [0.1, 0.2, 0.3][t % 3], clip: 0.5 + u() * 2, keep: t % 2 ? 0 : c.f + 2, kappa: [1, 0.5, 2][t % 3] };
  const file = join(dir, `case${t}.json`);
  writeFileSync(file, JSON.stringify({ updates: c.updates, sizes: c.sizes, history: c.history, root: c.root }));
  for (const row of rows) {
    const args = ['run', '--silent', 'rlab', '--', 'aggregate', '--rule', row.rule, '--f', String(c.f), '--trim', String(o.trim)];
    args.push('--clip', String(o.clip), '--keep', String(o.keep), '--kappa', String(o.kappa), '--input', file, '--json');
    const r = spawnSync('npm', args, { cwd: repo, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`rlab aggregate --rule ${row.rule} failed: ${r.stderr.trim()}`);
    const lab = JSON.parse(r.stdout) as { aggregate: Vec; selected?: number[]; weights?: number[] };
    const ref = reference(row.rule, c, o);
    const scale = 1 + Math.max(...ref.aggregate.map(Math.abs));
    const diff = Math.max(...ref.aggregate.map((v, j) => Math.abs(v - lab.aggregate[j]))) / scale;
    const wdiff = ref.weights && lab.weights ? Math.max(...ref.weights.map((v, i) => Math.abs(v - lab.weights![i]))) : 0;
    row.trials++;
    row.maxRelDiff = Math.max(row.maxRelDiff, diff, wdiff);
    if (ref.selected && JSON.stringify(ref.selected) !== JSON.stringify(lab.selected)) row.selectionAgrees = false;
    row.ok = row.maxRelDiff <= 1e-5 && row.selectionAgrees;
  }
}
if (values.json) process.stdout.write(JSON.stringify({ seed: Number(values.seed), rows }) + '\n');
else {
  console.log(`rlab aggregate vs the reference formulas, ${values.trials} random cases (seed ${values.seed})`);
  for (const r of rows)
    console.log(
      `${r.rule.padEnd(13)} ${r.ok ? 'agree' : 'DIFFER'}  max |lab - ref| / (1 + max |ref|) ${r.maxRelDiff.toExponential(2)}${r.selectionAgrees ? '' : '  selection differs'}`,
    );
}
process.exit(rows.every((r) => r.ok) ? 0 : 1);
