/**
 * Regression check for refactors: `rlab eval` must give bit-identical results before and after.
 *
 *   npx tsx src/cli/eval-snapshot.ts --root <repo checkout> --out <file.json>
 *     runs a fixed set of `npm run --silent rlab -- eval ... --json` commands inside <root> (its own CLI,
 *     so an older checkout is measured with its own code) and writes every JSON result, minus `seconds`.
 *   npx tsx src/cli/eval-snapshot.ts --compare a.json b.json
 *     reports every difference, field by field; exits 1 if there is any.
 *
 * Only flags that `rlab eval` already had at commit 0b8522d are used, so any later checkout can be compared
 * with that one. Numbers are compared exactly (JSON round-trips doubles exactly), so "identical" means bit-identical.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** One eval run: a name (the key in the snapshot) and its arguments after `rlab eval`. */
export interface SnapshotCase {
  name: string;
  args: string[];
}

const MODELS: { id: string; dataset: string }[] = [
  { id: 'mnist-cnn', dataset: 'mnist' },
  { id: 'fashion-cnn-robust', dataset: 'fashion-mnist' },
];

/** Per model: every attack of the library, with few steps/queries so the whole set takes minutes. */
const ATTACK_ARGS: { name: string; args: string[] }[] = [
  { name: 'none', args: ['--attack', 'none', '--n', '50'] },
  { name: 'fgsm', args: ['--attack', 'fgsm', '--eps', '0.1', '--n', '50'] },
  { name: 'fgsm-rs', args: ['--attack', 'fgsm', '--eps', '0.1', '--random-start', '--seed', '3', '--n', '30'] },
  { name: 'bim', args: ['--attack', 'bim', '--eps', '0.1', '--steps', '5', '--n', '30'] },
  { name: 'pgd-linf', args: ['--attack', 'pgd', '--eps', '0.1', '--steps', '5', '--random-start', '--seed', '1', '--n', '30'] },
  { name: 'pgd-l2', args: ['--attack', 'pgd', '--norm', 'l2', '--eps', '1.5', '--steps', '5', '--seed', '2', '--n', '30'] },
  { name: 'mifgsm', args: ['--attack', 'mifgsm', '--eps', '0.1', '--steps', '5', '--momentum', '1', '--n', '30'] },
  { name: 'apgd-ce', args: ['--attack', 'apgd-ce', '--eps', '0.1', '--steps', '10', '--seed', '4', '--n', '20'] },
  { name: 'cw', args: ['--attack', 'cw', '--steps', '20', '--binary-search', '2', '--c', '1', '--n', '20'] },
  { name: 'deepfool', args: ['--attack', 'deepfool', '--steps', '10', '--n', '20'] },
  { name: 'square', args: ['--attack', 'square', '--eps', '0.1', '--queries', '50', '--seed', '5', '--n', '20'] },
];

/** The fixed set: every attack on both models, one --epsilons sweep, one targeted run. */
export function snapshotCases(): SnapshotCase[] {
  const cases: SnapshotCase[] = [];
  for (const m of MODELS)
    for (const a of ATTACK_ARGS) cases.push({ name: `${m.id}/${a.name}`, args: ['--model', m.id, '--dataset', m.dataset, ...a.args] });
  cases.push({
    name: 'mnist-cnn/pgd-epsilons',
    args: [
      '--model',
      'mnist-cnn',
      '--dataset',
      'mnist',
      '--attack',
      'pgd',
      '--epsilons',
      '0.05,0.1,0.2',
      '--steps',
      '5',
      '--step-size',
      '0.05',
      '--n',
      '30',
    ],
  });
  cases.push({
    name: 'mnist-cnn/deepfool-epsilons',
    args: ['--model', 'mnist-cnn', '--dataset', 'mnist', '--attack', 'deepfool', '--epsilons', '0.5,1,2', '--steps', '10', '--n', '20'],
  });
  cases.push({
    name: 'fashion-cnn-robust/pgd-targeted',
    args: [
      '--model',
      'fashion-cnn-robust',
      '--dataset',
      'fashion-mnist',
      '--attack',
      'pgd',
      '--eps',
      '0.15',
      '--steps',
      '5',
      '--target',
      '3',
      '--n',
      '30',
    ],
  });
  return cases;
}

export type Snapshot = Record<string, unknown>;

/**
 * Defaults that changed on purpose, pinned to their old values where the checkout's CLI has the flag, so
 * that the comparison still covers the code path: C&W's default optimiser became the cosine one
 * (lr 0.2); `--optimizer paper --lr 0.01` is the one every checkout before it ran. The pinned option is
 * left out of the recorded JSON.
 */
const PINS: { flag: string; args: string[]; applies: (c: SnapshotCase) => boolean; drop: string }[] = [
  { flag: '--optimizer', args: ['--optimizer', 'paper', '--lr', '0.01'], applies: (c) => c.args.includes('cw'), drop: 'optimizer' },
];

const helpOf = new Map<string, string>();
function evalHelp(root: string): string {
  if (!helpOf.has(root))
    helpOf.set(root, spawnSync('npm', ['run', '--silent', 'rlab', '--', 'eval', '--help'], { cwd: root, encoding: 'utf8' }).stdout ?? '');
  return helpOf.get(root)!;
}

function runCase(root: string, c: SnapshotCase): unknown {
  const pins = PINS.filter((p) => p.applies(c) && evalHelp(root).includes(p.flag));
  const args = ['run', '--silent', 'rlab', '--', 'eval', ...c.args, ...pins.flatMap((p) => p.args), '--json'];
  const r = spawnSync('npm', args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${c.name}: npm ${args.join(' ')} exited ${r.status ?? r.signal}\n${r.stderr}`);
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  const out = JSON.parse(line) as Record<string, unknown>;
  delete out.seconds;
  for (const p of pins) delete (out.attack as Record<string, unknown>)[p.drop];
  return out;
}

/** Field-by-field differences between two JSON values, as "path: a -> b" lines. */
export function diff(a: unknown, b: unknown, path = ''): string[] {
  if (Object.is(a, b)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => {
      const p = path ? `${path}.${k}` : k;
      if (!(k in a)) return [`${p}: (missing) -> ${JSON.stringify(b[k])}`];
      if (!(k in b)) return [`${p}: ${JSON.stringify(a[k])} -> (missing)`];
      return diff(a[k], b[k], p);
    });
  }
  return [`${path || '(root)'}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`];
}

function main(): number {
  const { values, positionals } = parseArgs({
    options: { root: { type: 'string' }, out: { type: 'string' }, compare: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  if (values.compare) {
    if (positionals.length !== 2) throw new Error('usage: eval-snapshot --compare a.json b.json');
    const [a, b] = positionals.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Snapshot);
    const d = diff(a.results, b.results);
    for (const line of d) console.log(line);
    const n = Object.keys((a.results ?? {}) as object).length;
    console.log(d.length === 0 ? `identical: ${n} eval runs` : `${d.length} difference(s)`);
    return d.length === 0 ? 0 : 1;
  }
  if (!values.root || !values.out) throw new Error('usage: eval-snapshot --root <checkout> --out <file.json> | --compare a.json b.json');
  const root = resolve(values.root);
  const results: Record<string, unknown> = {};
  const t0 = Date.now();
  for (const c of snapshotCases()) {
    const t = Date.now();
    results[c.name] = runCase(root, c);
    process.stderr.write(`${c.name}: ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
  }
  const commit = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
  writeFileSync(values.out, JSON.stringify({ root, commit, results }, null, 2) + '\n');
  process.stderr.write(`${Object.keys(results).length} runs in ${((Date.now() - t0) / 1000).toFixed(0)} s -> ${values.out}\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('eval-snapshot.ts')) process.exit(main());
