/**
 * rlab aggregate: one aggregation rule (aggregators/) on update vectors from a JSON file, so any rule
 * can be checked against another implementation.
 *
 *   input  {"updates": number[][], "history"?: number[][], "sizes"?: number[], "root"?: number[]}
 *   output {"aggregate": number[], "weights"?: number[], "selected"?: number[], "scores"?: number[]}
 *
 * `history` is each client's sum of its updates so far, this round's included (FoolsGold scores it;
 * without it, this round's updates); `sizes` the clients' data sizes (all 1 when absent); `root` the
 * server's update on its root set (FLTrust). The flags are the lab's aggregation fields
 * (experiment/aggregation.ts: --aggregator, --f, --trim, --clip, --noise, --keep, --kappa, the same as
 * the URL's fl.* keys) and the lab's seed (--seed, federation.seed) for norm clipping's noise.
 * `--rule` is accepted as a synonym of --aggregator, read by the same field (the issue's spelling;
 * the codec has one flag per field, so the alias lives in this command only).
 */
import { readFileSync } from 'node:fs';
import { parseFieldValue, type Field } from '../../../core/experiment/fields';
import { Rng } from '../../../core/random';
import { parse, UsageError } from '../../../cli/args';
import type { Command } from '../../../cli/command';
import { AGGREGATORS, type AggregationResult } from '../aggregators/index';
import { AGGREGATION_FIELDS, aggregatorParams, defaultAggregation, type AggregationSettings } from '../experiment/aggregation';
import { FEDERATION_FIELDS, defaultFederation } from '../experiment/federation';

const SEED_FIELD = FEDERATION_FIELDS.find((f) => f.path === 'federation.seed')!;
const RULE_FIELD = AGGREGATION_FIELDS.find((f) => f.path === 'aggregation.rule')!;

export const AGGREGATE_OPTIONS = {
  input: { type: 'string' },
  json: { type: 'boolean', default: false },
  rule: { type: 'string' },
  ...Object.fromEntries([...AGGREGATION_FIELDS, SEED_FIELD].map((f) => [f.cli, { type: 'string' as const }])),
} as const;

function fieldValue<C>(f: Field<C>, flag: string, raw: unknown, context: C): unknown {
  const r = parseFieldValue(f, String(raw), context);
  if ('error' in r) throw new UsageError(`--${flag} ${JSON.stringify(raw)}: ${r.error}`);
  return r.value;
}

/** The aggregation settings and the seed from the flags (the fields' defaults where absent). */
export function aggregationFromFlags(values: Record<string, unknown>): { settings: AggregationSettings; seed: number } {
  const s = defaultAggregation() as unknown as Record<string, unknown>;
  const context = { aggregation: defaultAggregation() };
  for (const f of AGGREGATION_FIELDS) {
    if (values[f.cli] === undefined) continue;
    s[f.path.split('.')[1]] = fieldValue(f, f.cli, values[f.cli], context);
  }
  if (values.rule !== undefined) {
    const rule = fieldValue(RULE_FIELD, 'rule', values.rule, context);
    if (values.aggregator !== undefined && rule !== s.rule)
      throw new UsageError(`--rule ${String(values.rule)} and --aggregator ${String(values.aggregator)} disagree (give one)`);
    s.rule = rule;
  }
  const seed = values.seed === undefined ? 0 : (fieldValue(SEED_FIELD, 'seed', values.seed, { federation: defaultFederation() }) as number);
  return { settings: s as unknown as AggregationSettings, seed };
}

/** The input file's vectors, checked: one-line errors naming the key and index. */
export interface AggregateInputJson {
  updates: number[][];
  history?: number[][];
  sizes?: number[];
  root?: number[];
}

const FLOAT32_MAX = 3.4028234663852886e38;
const KEYS = ['updates', 'history', 'sizes', 'root'];

function numbers(v: unknown, what: string): Float32Array {
  if (!Array.isArray(v)) throw new UsageError(`${what} is not a list of numbers`);
  v.forEach((x, j) => {
    if (typeof x !== 'number') throw new UsageError(`${what}[${j}] is not a number (${JSON.stringify(x)})`);
    if (Math.abs(x) > FLOAT32_MAX) throw new UsageError(`${what}[${j}] (${x}) is outside the float32 range of model weights`);
  });
  return Float32Array.from(v as number[]);
}

function vectors(v: unknown, what: string): Float32Array[] {
  if (!Array.isArray(v)) throw new UsageError(`${what} is not a list of vectors`);
  return v.map((row, i) => numbers(row, `${what}[${i}]`));
}

/** Parses the input JSON text (`name`: the file, for messages). */
export function readAggregateInput(text: string, name: string) {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${name} is not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    throw new UsageError(`${name}: expected an object {"updates": [[...], ...]}`);
  const rec = o as Record<string, unknown>;
  const unknown = Object.keys(rec).find((k) => !KEYS.includes(k));
  if (unknown !== undefined) throw new UsageError(`${name}: unknown key "${unknown.slice(0, 40)}" (expected ${KEYS.join(', ')})`);
  if (rec.updates === undefined) throw new UsageError(`${name} has no "updates"`);
  const updates = vectors(rec.updates, 'updates');
  if (updates.length === 0) throw new UsageError(`${name}: "updates" is empty`);
  const sizes = rec.sizes === undefined ? updates.map(() => 1) : Array.from(numbers(rec.sizes, 'sizes'));
  return {
    updates,
    sizes,
    history: rec.history === undefined ? undefined : vectors(rec.history, 'history'),
    root: rec.root === undefined ? undefined : numbers(rec.root, 'root'),
  };
}

export interface AggregateJson {
  aggregate: number[];
  weights?: number[];
  selected?: number[];
  scores?: number[];
}

/** Runs the rule on the parsed input; a rule's own error (an f it cannot tolerate, lengths) as a usage error. */
export function aggregateInput(input: ReturnType<typeof readAggregateInput>, settings: AggregationSettings, seed: number): AggregateJson {
  const rng = new Rng(seed);
  let r: AggregationResult;
  try {
    r = AGGREGATORS[settings.rule].run({ ...input, random: () => rng.next() }, aggregatorParams(settings));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return {
    aggregate: Array.from(r.aggregate),
    ...(r.weights ? { weights: r.weights } : {}),
    ...(r.selected ? { selected: r.selected } : {}),
    ...(r.scores ? { scores: r.scores } : {}),
  };
}

const short = (v: readonly number[], max = 8) =>
  `[${v
    .slice(0, max)
    .map((x) => Number(x.toPrecision(4)))
    .join(', ')}${v.length > max ? `, ... (${v.length})` : ''}]`;

export async function runAggregate(args: string[]): Promise<number> {
  const { values } = parse(args, AGGREGATE_OPTIONS);
  const v = values as Record<string, string | boolean | undefined>;
  if (typeof v.input !== 'string') throw new UsageError('aggregate needs --input updates.json');
  const { settings, seed } = aggregationFromFlags(v);
  let text: string;
  try {
    text = readFileSync(v.input, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${v.input} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const input = readAggregateInput(text, v.input);
  const out = aggregateInput(input, settings, seed);
  if (v.json) {
    process.stdout.write(JSON.stringify(out) + '\n');
    return 0;
  }
  const rule = AGGREGATORS[settings.rule];
  console.log(`${rule.label} (${rule.reference}) over ${input.updates.length} updates of ${input.updates[0].length} values`);
  if (out.selected) console.log(`selected: ${out.selected.join(', ')}`);
  if (out.weights) console.log(`weights:   ${short(out.weights, 12)}`);
  if (out.scores) console.log(`scores:    ${short(out.scores, 12)}`);
  console.log(`aggregate: ${short(out.aggregate)}  (L2 norm ${Math.hypot(...out.aggregate).toPrecision(4)})`);
  return 0;
}

const valueOf = (f: Field<unknown>) => (f.type.kind === 'enum' ? f.type.values.join('|') : f.type.kind === 'int' ? 'k' : 'x');

export const aggregateCommand: Command = {
  name: 'aggregate',
  summary: 'one aggregation rule (FedAvg, Krum, ..., FLTrust) on update vectors from a JSON file: one JSON object with --json',
  flags: [
    {
      name: 'input',
      value: 'updates.json',
      help: '{"updates": [[...]], "history"?: [[...]], "sizes"?: [...], "root"?: [...]}',
      required: true,
    },
    ...[...AGGREGATION_FIELDS, SEED_FIELD].map((f) => ({
      name: f.cli,
      value: valueOf(f as Field<unknown>),
      help: `${f === SEED_FIELD ? 'seed of the Gaussian noise of norm-clip' : (f.help ?? f.label)} (default ${String(f.default)})`,
    })),
    { name: 'rule', value: 'name', help: 'the same as --aggregator' },
    { name: 'json', help: 'print one JSON object {"aggregate", "weights"?, "selected"?, "scores"?}' },
  ],
  notes: [
    "history: each client's sum of its updates so far, this round's included (FoolsGold; default: the updates); sizes: data sizes (default 1 each); root: the server's update (FLTrust).",
    '--seed seeds the Gaussian noise of norm-clip (--noise > 0). Conventions of each rule: the header of src/labs/federated/aggregators/<rule>.ts.',
  ],
  run: runAggregate,
};
