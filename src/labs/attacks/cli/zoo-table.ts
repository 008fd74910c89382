/**
 * rlab zoo-table: every zoo model (models/<id>/card.json) under every attack of the studio at standard
 * budgets, on the first n images of its official test set, seed 0, written as one markdown file that
 * starts with the exact command. The evaluation is `evaluate` (core/eval/evaluate.ts) with `runAttack`
 * specs: the same code, settings and seeds as `rlab eval`.
 *
 * Budgets (L-inf epsilons: those of the model card; L2 epsilon: per data set, below):
 *   FGSM                eps, no random start
 *   BIM-10              10 steps, step eps/4
 *   PGD                 the setting of the card's PGD figure at eps (else 40 steps of 0.01, random start)
 *   MI-FGSM-10          10 steps, step eps/10, momentum 1
 *   APGD-CE-100         100 iterations, 1 restart
 *   Square-1000         1000 queries, p_init 0.8
 *   PGD-L2-40           L2 eps, 40 steps, step 2.5 eps / 40, random start
 *   C&W-L2 9x1000       9 binary-search steps x 1000 Adam steps, c0 1e-3, kappa 0, lr 0.01, first 100 images
 *   DeepFool-50         at most 50 iterations, overshoot 0.02
 * C&W-L2 and DeepFool minimise the perturbation: an image counts as broken at the L2 epsilon when the
 * attack found an adversarial with L2 <= eps; the median L2 of their successful adversarials is shown.
 *
 * Why C&W gets 1000 steps (on fewer images): its tanh box x = (tanh(w) + 1) / 2 has slope ~1e-6 at the
 * pixels that are exactly 0 or 1 (most of an MNIST digit), and Adam moves w by about lr per step, so 100
 * steps of lr 0.01 cannot move those pixels. Measured on mnist-cnn, first 30 test images: 9 x 100 steps
 * fooled 16 of 30, 9 x 1000 fooled all 30 with a median L2 of 1.10 (DeepFool's is larger).
 */
import { readdirSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isTextModelCard } from '../../../core/models/text-model';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ATTACK_LIST, ATTACKS, attackRunner, type ZooContext, type ZooRow } from '../index';
import { getDataset } from '../../../core/data/datasets';
import { initNodeBackend, type NodeBackend } from '../../../core/engine/node-backend';
import { evaluate, type EvalBatch, type EvalResult } from '../../../core/eval/evaluate';
import { isModelCard, type ModelCard } from '../../../core/models/card';
import { formatBudget } from '../../../core/train/recipes';
import { sliceSplit } from '../../../core/data/batches';
import { isPosInt, num, parse, UsageError } from '../../../cli/args';
import type { Command } from '../../../cli/command';
import { loadNodeModel, loadNodeSplit } from '../../../cli/node-io';
import { projectRoot } from '../../../cli/paths';

/** L2 budget of PGD-L2 (and the threshold for C&W / DeepFool) per data set. */
export const L2_EPS: Record<string, number> = { mnist: 2, 'fashion-mnist': 2, cifar10: 0.5 };

/** L-inf epsilons for a model whose card names none. */
const DEFAULT_LINF: Record<string, number[]> = { mnist: [0.1, 0.3], 'fashion-mnist': [0.1], cifar10: [8 / 255] };

export type TableAttack = ZooRow;

/**
 * The standard attacks for one model, as each attack declares them (`zooRows` of its definition):
 * the L-inf rows at each of its card's epsilons (grouped by eps, in registry order), then the L2 rows.
 */
export function standardAttacks(card: ModelCard): TableAttack[] {
  const fromCard = [...new Set(card.robustAccuracy.filter((r) => r.norm === 'linf').map((r) => r.eps))].sort((a, b) => a - b);
  const linf = fromCard.length > 0 ? fromCard : (DEFAULT_LINF[card.dataset] ?? [0.1]);
  const ctx: ZooContext = {
    dataset: card.dataset,
    linf,
    l2: L2_EPS[card.dataset] ?? 1,
    seed: 0,
    cardPgd: (eps) => {
      const own = card.robustAccuracy.find((r) => r.attack === 'pgd' && r.norm === 'linf' && r.eps === eps);
      return own && { steps: own.steps, stepSize: own.stepSize, randomStart: own.randomStart, restarts: own.restarts };
    },
    budget: (v) => formatBudget(v, card.dataset === 'cifar10'),
  };
  const rows = ATTACK_LIST.flatMap((a) => a.zooRows?.(ctx) ?? []);
  return [...linf.flatMap((eps) => rows.filter((r) => r.norm === 'linf' && r.eps === eps)), ...rows.filter((r) => r.norm === 'l2')];
}

export interface TableRow extends Omit<TableAttack, 'spec' | 'maxImages'> {
  attack: string;
  /** Images the row was measured on (the first n of the test set). */
  n: number;
  /** Robust accuracy at eps (minimisation attacks: broken when an adversarial with L2 <= eps was found). */
  robustAccuracy: number;
  /** Minimisation attacks: robust accuracy with no bound on the perturbation. */
  robustAccuracyUnbounded: number | null;
  attacked: number;
  fooled: number;
  medianL2Fooled: number | null;
  medianQueriesFooled: number | null;
  seconds: number;
}

export interface ModelTable {
  model: string;
  dataset: string;
  n: number;
  cleanAccuracy: number;
  rows: TableRow[];
  /** Why the model was not evaluated (its data set is not available here), else null. */
  skipped: string | null;
}

export interface ZooTableOptions {
  n: number;
  /** Folder of the zoo (models/). */
  zoo: string;
  /** Only these model ids (default: every card in the zoo). */
  models?: string[];
  dataDir?: string;
  batchSize?: number;
  /** One line per finished row (stderr in the CLI). */
  log?: (line: string) => void;
  /** The attacks per model (default: `standardAttacks`). */
  attacks?: (card: ModelCard) => TableAttack[];
  /** Only the rows of these attacks (by name). */
  only?: string[];
  /** Only the rows at these epsilons. */
  epsilons?: number[];
  /**
   * Folder for the finished batches of the row being measured (one JSON file per row, removed when the
   * row is done): a run stopped mid-row and started again with the same command resumes from them.
   */
  saveDir?: string;
}

/** The finished batches of a row an earlier run saved, if that run measured the same attack the same way. */
function savedBatches(file: string, key: string): EvalBatch[] {
  if (!existsSync(file)) return [];
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { key?: string; batches?: EvalBatch[] };
    return saved.key === key && Array.isArray(saved.batches) ? saved.batches : [];
  } catch {
    return [];
  }
}

/** The zoo's cards, by id. */
export function zooCards(zoo: string): ModelCard[] {
  if (!existsSync(zoo)) throw new Error(`no zoo folder ${zoo}`);
  const cards: ModelCard[] = [];
  for (const id of readdirSync(zoo).sort()) {
    const p = join(zoo, id, 'card.json');
    if (!existsSync(p)) continue;
    const c = JSON.parse(readFileSync(p, 'utf8')) as unknown;
    // text models (spam-bow) take no images: no image attack applies
    if (isTextModelCard(c)) continue;
    if (!isModelCard(c)) throw new Error(`${p} is not a valid model card`);
    cards.push(c);
  }
  return cards;
}

function toRow(a: TableAttack, r: EvalResult, n: number): TableRow {
  const s = r.attackStats;
  if (!s) throw new Error(`${a.label}: the evaluation returned no attack statistics`);
  const minimisation = ATTACKS[a.spec.name].kind === 'minimisation';
  // robust unbounded = correct and not fooled; at eps, fooled images whose perturbation is larger than eps are robust too
  const robustAtEps = minimisation ? r.robustAccuracy + s.l2Fooled.filter((v) => v > a.eps).length / n : r.robustAccuracy;
  return {
    label: a.label,
    n,
    norm: a.norm,
    eps: a.eps,
    budget: a.budget,
    attack: a.spec.name,
    robustAccuracy: robustAtEps,
    robustAccuracyUnbounded: minimisation ? r.robustAccuracy : null,
    attacked: s.attacked,
    fooled: s.fooled,
    medianL2Fooled: s.medianL2Fooled,
    medianQueriesFooled: ATTACKS[a.spec.name].blackBox ? s.medianQueriesFooled : null,
    seconds: r.seconds,
  };
}

/** Evaluate every model of the zoo under every standard attack. */
export async function zooTable(o: ZooTableOptions): Promise<ModelTable[]> {
  let cards = zooCards(o.zoo);
  if (o.models) {
    const unknown = o.models.filter((id) => !cards.some((c) => c.id === id));
    if (unknown.length > 0) throw new UsageError(`--models: ${unknown.join(', ')} not in ${o.zoo}`);
    cards = cards.filter((c) => o.models!.includes(c.id));
  }
  if (cards.length === 0) throw new Error(`no model cards in ${o.zoo}`);
  const tables: ModelTable[] = [];
  for (const card of cards) {
    const ds = getDataset(card.dataset);
    let test;
    try {
      test = await loadNodeSplit(ds.id, 'test', o.dataDir);
    } catch (e) {
      tables.push({ model: card.id, dataset: ds.id, n: 0, cleanAccuracy: NaN, rows: [], skipped: (e as Error).message.split('\n')[0] });
      o.log?.(`${card.id}: skipped (${(e as Error).message.split('\n')[0]})`);
      continue;
    }
    if (o.n > test.n) throw new UsageError(`--n ${o.n}: ${ds.name} has ${test.n} test images`);
    const split = sliceSplit(test, 0, o.n);
    const m = await loadNodeModel(card.id, ds.shape, o.zoo);
    try {
      const clean = await evaluate(m.classifier, split, { attack: 'none' }, { batchSize: o.batchSize });
      // clean accuracy of each prefix a row is measured on
      const cleanOf = new Map<number, number>([[o.n, clean.cleanAccuracy]]);
      const rows: TableRow[] = [];
      const wanted = (x: TableAttack) => (!o.only || o.only.includes(x.spec.name)) && (!o.epsilons || o.epsilons.includes(x.eps));
      for (const a of (o.attacks ?? standardAttacks)(card).filter(wanted)) {
        const n = Math.min(o.n, a.maxImages ?? o.n);
        const part = n === o.n ? split : sliceSplit(split, 0, n);
        if (!cleanOf.has(n))
          cleanOf.set(n, (await evaluate(m.classifier, part, { attack: 'none' }, { batchSize: o.batchSize })).cleanAccuracy);
        const bs = o.batchSize ?? 250;
        const file = o.saveDir && join(o.saveDir, `${card.id}-${a.spec.name}-${a.norm}-${round(a.eps)}-n${n}.json`);
        const key = JSON.stringify({ model: card.id, spec: a.spec, n, batchSize: bs });
        const done = file ? savedBatches(file, key) : [];
        if (done.length > 0) o.log?.(`${card.id}  ${a.label}: resuming after ${done.length} saved batches of ${bs} (${file})`);
        const resume = file
          ? {
              done,
              onBatch: (b: EvalBatch) => {
                done.push(b);
                mkdirSync(o.saveDir!, { recursive: true });
                writeFileSync(file, JSON.stringify({ key, batches: done }));
                o.log?.(`${card.id}  ${a.label}: images ${b.start + 1}-${b.start + b.n} of ${n} done (${b.seconds.toFixed(1)} s), saved`);
              },
            }
          : undefined;
        const r = await evaluate(m.classifier, part, { attack: 'run', run: attackRunner(a.spec) }, { batchSize: bs, resume });
        if (file) rmSync(file, { force: true });
        if (r.cleanAccuracy !== cleanOf.get(n)) throw new Error(`${card.id}: clean accuracy changed between runs`);
        rows.push(toRow(a, r, n));
        const last = rows[rows.length - 1];
        o.log?.(
          `${card.id}  ${a.label} ${a.norm} eps ${round(a.eps)}: robust ${(100 * last.robustAccuracy).toFixed(2)}% (${r.seconds.toFixed(1)} s)`,
        );
      }
      tables.push({ model: card.id, dataset: ds.id, n: o.n, cleanAccuracy: clean.cleanAccuracy, rows, skipped: null });
    } finally {
      m.model.dispose();
    }
  }
  return tables;
}

const round = (v: number) => Number(v.toFixed(6));
const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
const epsText = (norm: 'linf' | 'l2', eps: number) => (norm === 'linf' ? `${round(eps)} (${round(eps * 255)}/255)` : String(round(eps)));

/** How a run of the command measured its sections. */
export interface ZooRun {
  command: string;
  n: number;
  backend: string;
  date: string;
}

/** The sections (from "## <id> " to the next one) of an earlier markdown file, by model id. */
export function zooSections(md: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = md.split(/^(?=## )/m).slice(1);
  for (const p of parts) {
    const id = /^## (\S+)/.exec(p)?.[1];
    if (id) out.set(id, p.endsWith('\n') ? p : `${p}\n`);
  }
  return out;
}

function rowLine(r: TableRow): string {
  return (
    `| ${r.label} | ${r.norm === 'linf' ? 'L∞' : 'L2'} | ${epsText(r.norm, r.eps)} | ${r.budget} | ${pct(r.robustAccuracy)}` +
    `${r.robustAccuracyUnbounded !== null ? ` (${pct(r.robustAccuracyUnbounded)})` : ''} | ${r.fooled} / ${r.attacked} | ` +
    `${r.medianL2Fooled === null ? '-' : r.medianL2Fooled.toFixed(3)} | ${r.medianQueriesFooled === null ? '-' : r.medianQueriesFooled} | ` +
    `${r.seconds.toFixed(1)} |`
  );
}

/** The first three cells of a table row (attack, norm, eps): a row's identity within a section. */
const rowKey = (line: string) =>
  line
    .split('|')
    .slice(1, 4)
    .map((c) => c.trim())
    .join('|');

/**
 * A section measured for some attacks only (--attacks): the previous section with those rows replaced
 * (or added after the rows of the same norm and eps, else at the end of its table) and a line saying when and how they were measured. Without a
 * previous section with a table, the new rows make the section.
 */
export function mergeRows(previous: string | undefined, t: ModelTable, run: ZooRun): string {
  if (!previous || !/^\| --- /m.test(previous) || t.skipped) return sectionOf(t, run);
  const lines = previous.replace(/\n+$/, '').split('\n');
  const isRow = (l: string) => l.startsWith('| ') && !l.startsWith('| attack |') && !l.startsWith('| --- ');
  for (const r of t.rows) {
    const line = rowLine(r);
    const at = lines.findIndex((l) => isRow(l) && rowKey(l) === rowKey(line));
    if (at >= 0) lines[at] = line;
    else {
      // after the last row at the same norm and eps (its group), else after the table's last row
      const group = (l: string) => rowKey(l).split('|').slice(1).join('|');
      let last = -1;
      let inGroup = -1;
      lines.forEach((l, i) => {
        if (!isRow(l)) return;
        last = i;
        if (group(l) === group(line)) inGroup = i;
      });
      lines.splice((inGroup >= 0 ? inGroup : last) + 1, 0, line);
    }
  }
  const labels = [...new Set(t.rows.map((r) => r.label))].join(', ');
  const note = `The ${labels} rows: measured ${run.date} by \`${run.command}\` on the first ${t.n} images.`;
  const kept = lines.filter((l) => !l.startsWith(`The ${labels} rows: measured`));
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  return [...kept, '', note, '', ''].join('\n');
}

function sectionOf(t: ModelTable, run: ZooRun): string {
  const lines = [`## ${t.model} (${getDataset(t.dataset).name})`, ''];
  if (t.skipped) return [...lines, `Not evaluated (${run.date}): ${t.skipped}`, '', ''].join('\n');
  lines.push(
    `Measured ${run.date} by \`${run.command}\` (Node ${process.version}, TensorFlow.js ${tf.version.tfjs}, ${run.backend} backend) ` +
      `on the first ${t.n} images of the official test set.`,
    '',
    `Clean accuracy: **${pct(t.cleanAccuracy)}** (${Math.round(t.cleanAccuracy * t.n)} of ${t.n}).`,
    '',
    '| attack | norm | eps | budget | robust accuracy | fooled / attacked | median L2 | median queries | seconds |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const r of t.rows) lines.push(rowLine(r));
  return [...lines, '', ''].join('\n');
}

/**
 * The markdown file: how it is made, the budgets, then one section per model in `order`. A section this
 * run measured is new; the others are kept from `previous` (the file as it was), so re-measuring some
 * models leaves the rest as they were measured.
 */
export function zooMarkdown(tables: ModelTable[], run: ZooRun, order: string[], previous = '', onlyRows = false): string {
  const lines = [
    '# Robustness of the model zoo',
    '',
    'Made by `npm run --silent rlab -- zoo-table --n <images> [--models <ids>] [--attacks <names>] [--data-dir <cifar-10-batches-bin>]`: ' +
      'with `--models` it measures those models and keeps the other sections of this file as they were; with `--attacks` it ' +
      "measures only those attacks' rows and puts them into the sections as they are. " +
      'Each section names the command and date that measured it.',
    '',
    "Every figure is on the first n images of the model's official test set, seed 0. Robust accuracy is the fraction of " +
      'these images still classified correctly under the attack; images misclassified when clean count as not robust (and ' +
      'are not attacked). Every figure comes from `evaluate` with the library attacks (`runAttack`), as `rlab eval` computes ' +
      "it. The seconds are wall-clock times of the measuring run with whatever else shared the machine's 2 cores: they are " +
      'not benchmarks (`rlab bench-attacks` is).',
    '',
    'Budgets: L-inf epsilons are those of each model card; the L2 epsilon is ' +
      Object.entries(L2_EPS)
        .map(([d, e]) => `${e} (${getDataset(d).name})`)
        .join(', ') +
      '.',
    '',
    ...ATTACK_LIST.flatMap((a) => (a.zooNote ? [`- ${a.zooNote}`] : [])),
    '',
    'C&W-L2 and DeepFool minimise the perturbation instead of staying in a ball: their robust accuracy at eps counts an image as ' +
      'broken when the attack found an adversarial with L2 <= eps (the unbounded figure is in brackets). "Median L2" is the median ' +
      'L2 norm of the successful adversarials; "median queries" (Square) the median number of queries on the images it fooled.',
    '',
    '',
  ];
  const kept = zooSections(previous);
  const fresh = new Map(tables.map((t) => [t.model, onlyRows ? mergeRows(kept.get(t.model), t, run) : sectionOf(t, run)]));
  const sections = order.flatMap((id) => {
    const s = fresh.get(id) ?? kept.get(id);
    return s === undefined ? [] : [s];
  });
  return (lines.join('\n') + sections.join('')).replace(/\n+$/, '\n');
}

export async function runZooTable(args: string[]): Promise<number> {
  const { values } = parse(args, {
    n: { type: 'string' },
    out: { type: 'string' },
    models: { type: 'string' },
    zoo: { type: 'string' },
    'data-dir': { type: 'string' },
    'batch-size': { type: 'string' },
    'save-dir': { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    json: { type: 'boolean', default: false },
    attacks: { type: 'string' },
    eps: { type: 'string' },
  });
  const only = values.attacks
    ?.split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  for (const a of only ?? []) if (!ATTACKS[a]?.zooRows) throw new UsageError(`--attacks: ${a} has no rows in the zoo table`);
  const epsilons = values.eps?.split(',').map((e) => num(e, 'eps', NaN, (v) => v >= 0, 'a list of epsilons'));
  if (epsilons && !only) throw new UsageError('--eps needs --attacks (it measures some rows of the sections)');
  const n = num(values.n, 'n', 500, (v) => isPosInt(v) && v <= 10000, 'a whole number from 1 to 10000');
  const batchSize = num(values['batch-size'], 'batch-size', 250, isPosInt, 'a whole number >= 1');
  if (values.backend !== 'wasm' && values.backend !== 'cpu')
    throw new UsageError(`--backend ${values.backend} is not available in Node (wasm, cpu)`);
  const root = projectRoot();
  const zoo = values.zoo ? resolve(values.zoo) : join(root, 'models');
  const out = resolve(values.out ?? join(root, 'models', 'ROBUSTNESS.md'));
  const models = values.models
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const backend = await initNodeBackend(values.backend as NodeBackend);
  const tables = await zooTable({
    n,
    zoo,
    models,
    dataDir: values['data-dir'],
    batchSize,
    only,
    epsilons,
    saveDir: resolve(values['save-dir'] ?? join(root, 'runs', 'zoo-table')),
    log: (l) => process.stderr.write(`${l}\n`),
  });
  const command = [
    'npm run --silent rlab -- zoo-table',
    ...args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)),
  ].join(' ');
  const previous = existsSync(out) ? readFileSync(out, 'utf8') : '';
  const order = zooCards(zoo).map((c) => c.id);
  const md = zooMarkdown(tables, { command, n, backend, date: new Date().toISOString().slice(0, 10) }, order, previous, !!only);
  writeFileSync(out, md);
  if (values.json) process.stdout.write(JSON.stringify({ command, n, backend, out, models: tables }) + '\n');
  else process.stderr.write(`wrote ${out}\n`);
  return 0;
}

export const zooTableCommand: Command = {
  name: 'zoo-table',
  summary: 'every zoo model under every attack at its standard budgets (each attack declares its rows), as markdown',
  flags: [
    { name: 'n', value: 'N', help: 'test images per model (500)' },
    { name: 'out', value: 'file', help: 'write the markdown here (models/ROBUSTNESS.md keeps the sections of models not measured)' },
    { name: 'models', value: 'a,b', help: 'only these models' },
    { name: 'attacks', value: 'a,b', help: "only these attacks' rows, merged into the models' sections as they are" },
    { name: 'eps', value: 'e1,e2', help: 'with --attacks: only the rows at these epsilons' },
    { name: 'zoo', value: 'dir', help: 'the zoo folder (models/)' },
    { name: 'data-dir', value: 'dir', help: 'CIFAR-10 binary batches' },
    { name: 'batch-size', value: 'b', help: 'images per batch (250); a stopped run resumes from its last finished batch' },
    { name: 'save-dir', value: 'dir', help: "where a row's finished batches are kept until it is done (runs/zoo-table)" },
    { name: 'backend', value: 'wasm|cpu', help: 'TensorFlow.js backend in Node (wasm)' },
    { name: 'json', help: 'print the tables as JSON' },
  ],
  run: runZooTable,
};
