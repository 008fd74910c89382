/**
 * Side-by-side robust accuracy: the lab's attacks (through the rlab CLI only -- no lab source is
 * imported, so the harness stays independent) vs the original AutoAttack (run_reference.py's JSON).
 *
 *   npx tsx harness/autoattack/compare.ts --model mnist-cnn-robust --n 100 --eps 0.3 --norm linf \
 *       --reference ref.json[,more.json] [--dataset mnist] [--attacks apgd-ce,apgd-dlr,apgd-t,fab-t,square,autoattack] \
 *       [--lab-results saved.json] [--save-lab saved.json] [--json]
 *
 * Each lab attack runs as
 *   npm run --silent rlab -- eval --model <id> --dataset <ds> --attack <name> --eps <e> --norm <norm> --n <N> --json
 * (APGD-CE / APGD-DLR also get --steps 100 --restarts 1, Square --queries 5000 --p-init 0.8: AutoAttack's
 * standard settings). A name the
 * CLI rejects as unknown is skipped with a note. Several --reference files (e.g. one with the
 * standard run, one with the individual attacks) are merged. The lab's wasm threads follow
 * RLAB_THREADS if it is set.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEFAULT_ATTACKS = ['apgd-ce', 'apgd-dlr', 'apgd-t', 'fab-t', 'square', 'autoattack'];
/** Extra CLI flags per lab attack: AutoAttack's standard settings where the lab exposes them. */
const EXTRA: Record<string, string[]> = {
  'apgd-ce': ['--steps', '100', '--restarts', '1'],
  'apgd-dlr': ['--steps', '100', '--restarts', '1'],
  square: ['--queries', '5000', '--p-init', '0.8'],
};

interface RefIndividual {
  robust_accuracy: number;
  robust: number;
  seconds: number;
}
interface Reference {
  autoattack_commit?: string | null;
  torch?: string;
  model?: string;
  dataset?: string;
  n?: number;
  norm?: string;
  eps?: number;
  clean_accuracy?: number;
  clean_correct?: number;
  standard?: {
    attacks: string[];
    stages: Record<string, { robust_accuracy: number; robust: number; cumulative_seconds: number }>;
    robust_accuracy: number;
    robust: number;
    seconds: number;
  };
  individual?: Record<string, RefIndividual>;
}
interface LabResult {
  attack: string;
  ok: boolean;
  note?: string;
  clean_accuracy?: number;
  robust_accuracy?: number;
  seconds?: number;
  command?: string;
  raw?: unknown;
}

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    dataset: { type: 'string' },
    n: { type: 'string', default: '100' },
    eps: { type: 'string' },
    norm: { type: 'string', default: 'linf' },
    reference: { type: 'string' },
    attacks: { type: 'string', default: DEFAULT_ATTACKS.join(',') },
    'lab-results': { type: 'string' },
    'save-lab': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

function die(msg: string): never {
  console.error(`compare: ${msg}`);
  process.exit(2);
}

if (!values.model) die('--model <zoo-id> is required');
if (!values.eps) die('--eps is required');
if (!values.reference && !values['save-lab'])
  die('--reference ref.json (from run_reference.py) is required (or --save-lab to run only the lab side)');
const n = Number(values.n);
const eps = Number(values.eps);
const norm = values.norm!;

// ---- reference (merged)
const ref: Reference = {};
for (const f of (values.reference ?? '').split(',').filter(Boolean)) {
  if (!existsSync(f)) die(`${f} not found`);
  const r = JSON.parse(readFileSync(f, 'utf8')) as Reference;
  for (const [k, v] of Object.entries(r)) {
    if (k === 'individual') ref.individual = { ...ref.individual, ...(v as Record<string, RefIndividual>) };
    else if (v !== undefined) (ref as Record<string, unknown>)[k] = v;
  }
}
const dataset =
  values.dataset ??
  ref.dataset ??
  (values.model!.startsWith('fashion') ? 'fashion-mnist' : values.model!.startsWith('cifar') ? 'cifar10' : 'mnist');
const warnings: string[] = [];
if (ref.model && ref.model !== values.model) warnings.push(`reference model ${ref.model} != --model ${values.model}`);
if (ref.dataset && ref.dataset !== dataset) warnings.push(`reference dataset ${ref.dataset} != ${dataset}`);
if (ref.n !== undefined && ref.n !== n) warnings.push(`reference n ${ref.n} != --n ${n}`);
if (ref.eps !== undefined && Math.abs(ref.eps - eps) > 1e-12) warnings.push(`reference eps ${ref.eps} != --eps ${eps}`);
if (ref.norm && ref.norm !== norm) warnings.push(`reference norm ${ref.norm} != --norm ${norm}`);

// ---- lab, through the CLI
function runLab(attack: string): LabResult {
  const base = ['run', '--silent', 'rlab', '--', 'eval', '--model', values.model!, '--dataset', dataset, '--n', String(n), '--json'];
  const tryRun = (extra: string[]) => {
    const args = [
      ...base,
      ...(attack === 'none' ? ['--attack', 'none'] : ['--attack', attack, '--eps', String(eps), '--norm', norm]),
      ...extra,
    ];
    const r = spawnSync('npm', args, { cwd: repo, encoding: 'utf8', maxBuffer: 64 << 20 });
    return { r, command: `npm ${args.join(' ')}` };
  };
  let { r, command } = tryRun(EXTRA[attack] ?? []);
  let note: string | undefined;
  if (r.status !== 0 && EXTRA[attack] && /does not apply/.test(r.stderr)) {
    note = `CLI rejected ${EXTRA[attack].join(' ')} (${r.stderr.trim().split('\n').pop()}); ran with its defaults`;
    ({ r, command } = tryRun([]));
  }
  if (r.status !== 0) {
    const msg = (r.stderr || r.stdout || '').trim().split('\n').pop() ?? '';
    if (/unknown attack/.test(msg)) return { attack, ok: false, note: `skipped: the lab CLI does not know "${attack}" yet`, command };
    return { attack, ok: false, note: `lab CLI failed (exit ${r.status}): ${msg}`, command };
  }
  const line = r.stdout.trim().split('\n').pop()!;
  const j = JSON.parse(line) as { clean_accuracy: number; robust_accuracy: number; seconds: number };
  return {
    attack,
    ok: true,
    note,
    clean_accuracy: j.clean_accuracy,
    robust_accuracy: j.robust_accuracy,
    seconds: j.seconds,
    command,
    raw: j,
  };
}

const attacks = values.attacks!.split(',').filter(Boolean);
let lab: LabResult[];
if (values['lab-results']) {
  lab = JSON.parse(readFileSync(values['lab-results'], 'utf8')).lab as LabResult[];
} else {
  lab = [runLab('none')];
  for (const a of attacks) {
    process.stderr.write(`lab: ${a} ...\n`);
    const r = runLab(a);
    lab.push(r);
    process.stderr.write(r.ok ? `lab: ${a} robust accuracy ${r.robust_accuracy} (${r.seconds} s)\n` : `lab: ${a}: ${r.note}\n`);
  }
}
if (values['save-lab'])
  writeFileSync(values['save-lab'], JSON.stringify({ model: values.model, dataset, n, eps, norm, lab }, null, 1) + '\n');

// ---- table
function refFor(attack: string): { acc: number; seconds?: number; what: string } | null {
  if (attack === 'none') return ref.clean_accuracy !== undefined ? { acc: ref.clean_accuracy, what: 'clean' } : null;
  if (attack === 'autoattack')
    return ref.standard ? { acc: ref.standard.robust_accuracy, seconds: ref.standard.seconds, what: 'standard AutoAttack' } : null;
  const ind = ref.individual?.[attack];
  return ind ? { acc: ind.robust_accuracy, seconds: ind.seconds, what: attack } : null;
}
const pct = (v: number | undefined) => (v === undefined ? '-' : `${(100 * v).toFixed(2)}%`);
const cnt = (v: number | undefined) => (v === undefined ? '' : ` (${Math.round(v * n)})`);
const rows: string[][] = [['attack', 'lab', 'reference', 'lab - ref (images)', 'lab s', 'ref s', 'note']];
const out: Record<string, unknown>[] = [];
for (const l of lab) {
  const r = refFor(l.attack);
  const labAcc = l.attack === 'none' ? l.clean_accuracy : l.robust_accuracy;
  const diff = l.ok && r && labAcc !== undefined ? Math.round(labAcc * n) - Math.round(r.acc * n) : undefined;
  const name = l.attack === 'none' ? 'clean' : l.attack;
  rows.push([
    name,
    l.ok ? `${pct(labAcc)}${cnt(labAcc)}` : '-',
    r ? `${pct(r.acc)}${cnt(r.acc)}` : '-',
    diff === undefined ? '' : diff > 0 ? `+${diff}` : String(diff),
    l.ok && l.seconds !== undefined ? l.seconds.toFixed(1) : '',
    r?.seconds !== undefined ? r.seconds.toFixed(1) : '',
    [l.note, !r && l.attack !== 'none' ? 'no reference number' : ''].filter(Boolean).join('; '),
  ]);
  out.push({ attack: name, lab: l.ok ? labAcc : null, reference: r ? r.acc : null, diff_images: diff ?? null, note: l.note ?? null });
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
const fmt = (r: string[]) => '| ' + r.map((v, c) => v.padEnd(widths[c])).join(' | ') + ' |';

if (values.json) {
  console.log(
    JSON.stringify({
      model: values.model,
      dataset,
      n,
      eps,
      norm,
      reference_commit: ref.autoattack_commit ?? null,
      rows: out,
      standard: ref.standard ?? null,
      warnings,
    }),
  );
} else {
  console.log(
    `${values.model} on the first ${n} ${dataset} test images, ${norm} eps ${eps}; reference: fra31/auto-attack ${ref.autoattack_commit ?? '?'} (torch ${ref.torch ?? '?'})`,
  );
  for (const w of warnings) console.log(`WARNING: ${w}`);
  console.log(fmt(rows[0]));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows.slice(1)) console.log(fmt(r));
  if (ref.standard) {
    const s = ref.standard;
    const stages = Object.entries(s.stages)
      .map(([k, v]) => `${k} ${pct(v.robust_accuracy)} (${v.robust})`)
      .join(' -> ');
    console.log(
      `reference standard AutoAttack stages: clean ${pct(ref.clean_accuracy)}${cnt(ref.clean_accuracy)} -> ${stages}; ${s.seconds.toFixed(0)} s`,
    );
  }
  console.log('robust accuracy = correct after the attack / N (clean-misclassified images count as broken); lab - ref in images.');
}
