/**
 * rlab eval: clean and robust accuracy of a model under any attack of the library. Its attack flags are
 * the attacks lab's field tables (the same as the URL's keys and the studio's controls), so an attack's
 * new parameter is a flag here without touching this file. `--epsilons a,b,c` gives a robust
 * accuracy per epsilon (Foolbox style) in one JSON object.
 */
import type { ParseArgsConfig } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { getDataset } from '../../../core/data/datasets';
import { evaluate } from '../../../core/eval/evaluate';
import { initNodeBackend, type NodeBackend } from '../../../core/engine/node-backend';
import {
  ATTACK_NAMES,
  ATTACK_PARAM_FIELDS,
  ATTACKS,
  attackRunner,
  isAttackName,
  paramKey,
  resolveSpec,
  type AttackSpec,
  type ParamField,
  type TargetSpec,
} from '../index';
import { maxEps } from '../../../core/experiment/core-settings';
import { sliceSplit } from '../../../core/data/batches';
import { isNonNegInt, isPosInt, num, parse, UsageError } from '../../../cli/args';
import type { Command, Flag } from '../../../cli/command';
import { describeType } from '../../../core/experiment/fields';
import { loadNodeModel, loadNodeSplit } from '../../../cli/node-io';
import { ADAPTIVE_MODES, DEFENCE_SYNTAX, defend, eotRefusal, parseDefence, formatDefence, type AdaptiveMode } from '../../../core/defences';

/** The flags of the attack parameters, from the attacks lab's field tables (the URL's and the studio's). */
const PARAM_FIELDS = ATTACK_PARAM_FIELDS;

/** parseArgs options of `rlab eval`: its own flags, then one per attack parameter. */
export const EVAL_OPTIONS = {
  model: { type: 'string' },
  dataset: { type: 'string' },
  'data-dir': { type: 'string' },
  attack: { type: 'string', default: 'none' },
  norm: { type: 'string' },
  epsilons: { type: 'string' },
  n: { type: 'string' },
  'batch-size': { type: 'string' },
  backend: { type: 'string', default: 'wasm' },
  json: { type: 'boolean', default: false },
  defence: { type: 'string' },
  adaptive: { type: 'string' },
  'eot-samples': { type: 'string' },
  ...Object.fromEntries(PARAM_FIELDS.map((f) => [f.cli, { type: f.type.kind === 'bool' ? 'boolean' : 'string' }])),
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** What a numeric flag must be, in words, from its field's type ("a whole number from 1 to 10000"). */
function expected(f: ParamField): { check: (v: number) => boolean; what: string } {
  const t = f.type;
  if (t.kind !== 'int' && t.kind !== 'float') return { check: () => true, what: 'a number' };
  const max = typeof t.max === 'number' ? t.max : Infinity;
  return t.kind === 'int'
    ? { check: (v) => Number.isInteger(v) && v >= t.min && v <= max, what: `a whole number from ${t.min} to ${max}` }
    : { check: (v) => v >= t.min && v <= max, what: `a ${f.label} in [${t.min}, ${max}]` };
}

export async function runEval(args: string[]): Promise<number> {
  const { values: raw } = parse(args, EVAL_OPTIONS);
  const values = raw as Record<string, string | boolean | undefined> & typeof raw;
  if (!values.model) throw new UsageError('eval needs --model <zoo-id | path/to/model.json>');
  if (!values.dataset) throw new UsageError('eval needs --dataset <mnist|fashion-mnist|cifar10>');
  const ds = getDataset(values.dataset);
  const name = values.attack!;
  if (name !== 'none' && !isAttackName(name)) throw new UsageError(`unknown attack "${name}" (none, ${ATTACK_NAMES.join(', ')})`);
  if (values.backend !== 'wasm' && values.backend !== 'cpu')
    throw new UsageError(`--backend ${values.backend} is not available in Node (wasm, cpu)`);
  const given = (flag: string) => values[flag] !== undefined;
  const info = name === 'none' ? null : ATTACKS[name];
  // a flag applies when its parameter is one the attack reads (the target: when the attack has a targeted variant)
  const applies = (key: string) =>
    !!info &&
    (key === 'targeted' || key === 'target' ? info.targeted : info.params.includes(key) && !(info.cli?.fixed ?? []).includes(key));
  for (const f of PARAM_FIELDS) {
    const key = paramKey(f);
    if (!given(f.cli) || key === 'seed') continue;
    if (!applies(key)) {
      if (info?.cli?.fixed?.includes(key))
        throw new UsageError(`--${f.cli} does not apply to --attack ${name} (it always uses its own ${f.label})`);
      throw new UsageError(`--${f.cli} does not apply to --attack ${name}`);
    }
  }
  if (given('epsilons') && !info) throw new UsageError('--epsilons needs an attack');
  if (given('epsilons') && given('eps')) throw new UsageError('give either --eps or --epsilons, not both');

  const norm = values.norm ?? 'linf';
  if (norm !== 'linf' && norm !== 'l2') throw new UsageError(`--norm ${norm} is not supported (linf, l2)`);
  if (info && !info.norms.includes(norm) && given('norm'))
    throw new UsageError(`--attack ${name} supports --norm ${info.norms.join(', ')}`);
  const attackNorm = info && !info.norms.includes(norm) ? info.norms[0] : norm;
  // the lab's ranges (the attacks lab's fields): [0, 1] for L-inf, [0, sqrt(H*W*C)] for L2 (28 on MNIST)
  const epsMax = maxEps(attackNorm, ds.id);
  const epsCheck = (v: number) => v >= 0 && v <= epsMax;
  const epsWhat = attackNorm === 'linf' ? 'an eps in [0, 1]' : `an L2 eps in [0, ${Number(epsMax.toFixed(2))}]`;
  const bounded = info?.kind === 'bounded';
  let epsilons: number[] | undefined;
  if (given('epsilons')) {
    epsilons = (values.epsilons as string)
      .split(',')
      .map((s) =>
        num(
          s,
          'epsilons',
          NaN,
          epsCheck,
          `a comma-separated list of ${attackNorm === 'l2' ? 'L2 ' : ''}epsilons in [0, ${Number(epsMax.toFixed(2))}]`,
        ),
      );
  }
  const eps = num(values.eps as string | undefined, 'eps', NaN, epsCheck, epsWhat);
  if (given('eps') && info && !bounded)
    throw new UsageError(`--eps does not apply to --attack ${name} (a minimisation attack; use --epsilons)`);
  if (bounded && Number.isNaN(eps) && !epsilons) throw new UsageError(`--attack ${name} needs --eps`);
  const seed = num(values.seed as string | undefined, 'seed', 0, isNonNegInt, 'a whole number >= 0');
  let target: TargetSpec | undefined;
  if (given('target')) {
    const t = values.target as string;
    if (t === 'least-likely') target = 'least-likely';
    else target = num(t, 'target', NaN, isNonNegInt, 'a class index or least-likely');
  } else if (values.targeted) {
    target = 'least-likely';
  }
  let spec: AttackSpec | null = null;
  if (info) {
    const rawSpec: AttackSpec = { name, seed };
    if (given('norm')) rawSpec.norm = norm;
    if (bounded) rawSpec.eps = epsilons ? Math.max(...epsilons) : eps;
    if (target !== undefined) rawSpec.target = target;
    for (const f of PARAM_FIELDS) {
      const key = paramKey(f);
      if (!applies(key) || key === 'eps' || key === 'seed' || key === 'targeted' || key === 'target') continue;
      const v = values[f.cli];
      if (f.type.kind === 'bool') {
        const absent = info.cli?.absent?.[key];
        if (v !== undefined) rawSpec[key] = v;
        else if (absent !== undefined) rawSpec[key] = absent;
      } else if (v !== undefined && f.type.kind === 'enum') {
        if (!f.type.values.includes(v as string))
          throw new UsageError(`--${f.cli} ${JSON.stringify(v)} is not one of ${f.type.values.join(', ')}`);
        rawSpec[key] = v;
      } else if (v !== undefined) {
        const bound =
          key === 'stepSize'
            ? { check: (x: number) => x > 0 && x <= epsMax, what: `a step size in (0, ${Number(epsMax.toFixed(2))}]` }
            : expected(f);
        rawSpec[key] = num(v as string, f.cli, NaN, bound.check, bound.what);
      }
    }
    try {
      spec = resolveSpec(rawSpec);
    } catch (e) {
      throw new UsageError((e as Error).message.replace(/^invalid attack options: /, ''));
    }
  }
  // the defence in front of the model (src/core/defences): its spec, and how attacks differentiate it
  let defence: string | null = null;
  if (given('defence')) {
    const d = parseDefence(values.defence as string);
    if ('error' in d) throw new UsageError(d.error);
    defence = d.transforms.length > 0 ? formatDefence(d.transforms) : null;
  }
  const adaptive = (values.adaptive ?? 'none') as AdaptiveMode;
  if (!ADAPTIVE_MODES.includes(adaptive)) throw new UsageError(`--adaptive ${values.adaptive} is not one of ${ADAPTIVE_MODES.join(', ')}`);
  if ((given('adaptive') || given('eot-samples')) && !defence) throw new UsageError('--adaptive and --eot-samples need --defence');
  if (given('eot-samples') && adaptive !== 'eot') throw new UsageError('--eot-samples needs --adaptive eot');
  const eotSamples = num(
    values['eot-samples'] as string | undefined,
    'eot-samples',
    10,
    (v) => isPosInt(v) && v <= 1000,
    'a whole number from 1 to 1000',
  );
  const batchSize = num(values['batch-size'], 'batch-size', 250, isPosInt, 'a whole number >= 1');
  const backend = await initNodeBackend(values.backend as NodeBackend);
  const test = await loadNodeSplit(ds.id, 'test', values['data-dir']);
  const n = num(values.n, 'n', test.n, (v) => isPosInt(v) && v <= test.n, `a whole number from 1 to ${test.n}`);
  const model = await loadNodeModel(values.model, ds.shape);
  if (typeof target === 'number' && target >= model.classifier.numClasses)
    throw new UsageError(`--target ${target} is not a class of the model (0..${model.classifier.numClasses - 1})`);
  let clf = model.classifier;
  if (defence) {
    try {
      clf = defend(model.classifier, defence, adaptive, eotSamples, seed);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const refusal = spec ? eotRefusal(clf, ATTACKS[spec.name]) : null;
    if (refusal) throw new UsageError(refusal);
  }
  const r = await evaluate(clf, sliceSplit(test, 0, n), spec ? { attack: 'run', run: attackRunner(spec), epsilons } : { attack: 'none' }, {
    batchSize,
    onProgress: values.json ? undefined : (d, t) => process.stderr.write(`\r${d}/${t} images`),
  });
  if (!values.json) process.stderr.write('\n');
  const out = {
    model: model.label,
    dataset: ds.id,
    n: r.n,
    attack: attackJson(name, spec, seed, epsilons),
    defence,
    adaptive: defence ? adaptive : null,
    ...(defence && adaptive === 'eot' ? { eot_samples: eotSamples } : {}),
    ...(clf.defence?.attackOn && spec ? { attacked_model: 'undefended (no gradient through the defence; result passed through it)' } : {}),
    clean_accuracy: r.cleanAccuracy,
    robust_accuracy: r.robustAccuracy,
    ...(r.robustAccuracyByEps ? { robust_accuracy_by_eps: r.robustAccuracyByEps } : {}),
    ...(spec && ATTACKS[spec.name].jsonStats !== false && r.attackStats
      ? {
          attacked: r.attackStats.attacked,
          fooled: r.attackStats.fooled,
          ...(ATTACKS[spec.name].blackBox
            ? { queries_mean_fooled: r.attackStats.meanQueriesFooled, queries_median_fooled: r.attackStats.medianQueriesFooled }
            : {}),
          ...(ATTACKS[spec.name].kind === 'minimisation' ? { l2_median_fooled: r.attackStats.medianL2Fooled } : {}),
          // robust accuracy after each stage, as AutoAttack prints it
          ...(r.attackStats.stages
            ? {
                stages: stageRows(r.attackStats.stages, r.cleanAccuracy * r.n, r.n),
              }
            : {}),
        }
      : {}),
    seconds: Number(r.seconds.toFixed(3)),
    backend,
  };
  if (values.json) {
    process.stdout.write(JSON.stringify(out) + '\n');
  } else {
    console.log(`model ${out.model} (${model.classifier.outputKind}), ${ds.name}, first ${r.n} test images, backend ${backend}`);
    if (defence)
      console.log(
        `defence ${defence}, adaptive ${adaptive}${adaptive === 'eot' ? ` (${eotSamples} draws)` : ''}${clf.defence?.attackOn && spec ? ': attacks run on the undefended model, their result passed through the defence' : ''}`,
      );
    console.log(`clean accuracy  ${(100 * r.cleanAccuracy).toFixed(2)}%`);
    if (spec) {
      const desc = describeSpec(spec);
      if (r.robustAccuracyByEps) {
        for (const [e, acc] of Object.entries(r.robustAccuracyByEps))
          console.log(`robust accuracy ${(100 * acc).toFixed(2)}% at eps ${e} under ${desc}`);
      } else {
        console.log(`robust accuracy ${(100 * r.robustAccuracy).toFixed(2)}% under ${desc}`);
      }
      for (const st of r.attackStats?.stages ? stageRows(r.attackStats.stages, r.cleanAccuracy * r.n, r.n) : [])
        console.log(
          `robust accuracy after ${st.stage}: ${(100 * st.robust_accuracy_after).toFixed(2)}% (fooled ${st.fooled} of ${st.attacked}, ${st.seconds} s)`,
        );
      if (r.attackStats && ATTACKS[spec.name].blackBox && r.attackStats.meanQueriesFooled !== null)
        console.log(
          `queries on fooled images: mean ${r.attackStats.meanQueriesFooled.toFixed(1)}, median ${r.attackStats.medianQueriesFooled}`,
        );
      if (r.attackStats && ATTACKS[spec.name].kind === 'minimisation' && r.attackStats.medianL2Fooled !== null)
        console.log(`median L2 of the perturbations found: ${r.attackStats.medianL2Fooled.toFixed(4)}`);
    }
    console.log(`${r.seconds.toFixed(1)} s`);
  }
  model.model.dispose();
  tf.disposeVariables();
  return 0;
}

function describeSpec(s: AttackSpec): string {
  const parts = Object.entries(s)
    .filter(([k, v]) => k !== 'name' && v !== undefined)
    .map(([k, v]) => `${k} ${String(v)}`);
  return `${ATTACKS[s.name].label} (${parts.join(', ')})`;
}

/** Per stage: images attacked and fooled, and the robust accuracy after it (clean-correct minus every image fooled so far). */
function stageRows(stages: { stage: string; attacked: number; fooled: number; seconds: number }[], clean: number, n: number) {
  let robust = Math.round(clean);
  return stages.map((st) => {
    robust -= st.fooled;
    return {
      stage: st.stage,
      attacked: st.attacked,
      fooled: st.fooled,
      robust_accuracy_after: robust / n,
      seconds: Number(st.seconds.toFixed(3)),
    };
  });
}

/** The "attack" object of the JSON output: name, norm, eps, then the attack's own fields (its definition's json), seed, target. */
function attackJson(name: string, s: AttackSpec | null, seed: number, epsilons: number[] | undefined): Record<string, unknown> {
  if (!s) return { name, norm: 'linf', eps: 0, steps: 0, step_size: 0, random_start: false, restarts: 0, seed };
  const def = ATTACKS[s.name];
  const o: Record<string, unknown> = { name, norm: s.norm ?? def.norms[0], eps: 'eps' in s ? s.eps : null, ...def.json(s) };
  o.seed = seed;
  if (s.target !== undefined) o.target = s.target;
  if (epsilons) o.epsilons = epsilons;
  return o;
}

/** The attack parameter flags, from the field tables: the value's range and which attacks read it. */
function paramFlags(): Flag[] {
  const context = { dataset: 'mnist', attack: { name: 'pgd', norm: 'linf' as const } };
  return PARAM_FIELDS.map((f) => {
    const key = paramKey(f);
    const users = ATTACK_NAMES.filter((n) =>
      key === 'targeted' || key === 'target'
        ? ATTACKS[n].targeted
        : ATTACKS[n].params.includes(key) && !(ATTACKS[n].cli?.fixed ?? []).includes(key),
    );
    const value = f.type.kind === 'bool' ? undefined : key === 'target' ? 'class|least-likely' : describeType(f.type, context);
    return {
      name: f.cli,
      value,
      help: `${f.help ?? f.label} (${users.length === ATTACK_NAMES.length ? 'every attack' : users.join(', ')})`,
    };
  });
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'clean and robust accuracy of a model under any attack of the library (one JSON object with --json)',
  flags: [
    { name: 'model', value: 'zoo-id | model.json', help: 'a zoo model or a TensorFlow.js LayersModel', required: true },
    { name: 'dataset', value: 'mnist|fashion-mnist|cifar10', help: 'the test set (its first --n images)', required: true },
    { name: 'attack', value: ['none', ...ATTACK_NAMES].join('|'), help: 'the attack (default none: clean accuracy only)' },
    { name: 'norm', value: 'linf|l2', help: 'the norm of the budget, for attacks that have both' },
    { name: 'epsilons', value: 'e1,e2,...', help: 'robust accuracy per epsilon (instead of --eps)' },
    ...paramFlags(),
    { name: 'n', value: 'N', help: 'test images (default: all)' },
    { name: 'batch-size', value: 'b', help: 'images per batch (250)' },
    { name: 'data-dir', value: 'dir', help: 'CIFAR-10 binary batches (cifar-10-batches-bin)' },
    { name: 'backend', value: 'wasm|cpu', help: 'TensorFlow.js backend in Node (wasm)' },
    { name: 'defence', value: 'spec', help: `input transformations in front of the model: ${DEFENCE_SYNTAX}` },
    { name: 'adaptive', value: 'none|bpda|eot', help: 'how attacks differentiate the defence (none: as TensorFlow.js does)' },
    { name: 'eot-samples', value: 'k', help: 'draws of a randomised defence averaged per gradient (--adaptive eot; 10)' },
    { name: 'json', help: 'print one JSON object' },
  ],
  notes: [
    'Attacks: ' +
      ATTACK_NAMES.map(
        (n) => `${n} (${ATTACKS[n].label}, ${ATTACKS[n].norms.join('/')}${ATTACKS[n].kind === 'minimisation' ? ', minimisation' : ''})`,
      ).join(', ') +
      '.',
    'L-inf eps in [0, 1] (fractions such as 8/255 are read as numbers); L2 eps in [0, sqrt(H*W*C)] (28 on MNIST).',
  ],
  run: runEval,
};
