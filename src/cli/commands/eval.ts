/**
 * rlab eval: clean and robust accuracy of a model under any attack of the library, with the same
 * parameter names as the lab's URL/UI (experiment.ts FIELDS). `--epsilons a,b,c` gives a robust
 * accuracy per epsilon (Foolbox style) in one JSON object.
 */
import * as tf from '@tensorflow/tfjs';
import { getDataset } from '../../core/data/datasets';
import { evaluate } from '../../core/eval/evaluate';
import { initNodeBackend, type NodeBackend } from '../../core/engine/node-backend';
import { ATTACK_NAMES, ATTACKS, isAttackName, resolveSpec, type AttackSpec, type SpecParam } from '../../labs/attacks/algorithms/registry';
import { maxEps } from '../../core/experiment';
import { sliceSplit } from '../../core/data/batches';
import { isNonNegInt, isPosInt, num, parse, UsageError } from '../args';
import { loadNodeModel, loadNodeSplit } from '../node-io';

/** CLI flag -> spec option, for the flags that configure an attack. */
const FLAG_PARAM: Record<string, SpecParam> = {
  norm: 'norm',
  eps: 'eps',
  steps: 'steps',
  'step-size': 'stepSize',
  'random-start': 'randomStart',
  restarts: 'restarts',
  seed: 'seed',
  targeted: 'target',
  target: 'target',
  momentum: 'momentum',
  'binary-search': 'binarySearchSteps',
  c: 'c0',
  confidence: 'confidence',
  lr: 'lr',
  overshoot: 'overshoot',
  queries: 'queries',
  'p-init': 'pInit',
};

export async function runEval(args: string[]): Promise<number> {
  const { values } = parse(args, {
    model: { type: 'string' },
    dataset: { type: 'string' },
    'data-dir': { type: 'string' },
    attack: { type: 'string', default: 'none' },
    norm: { type: 'string' },
    eps: { type: 'string' },
    epsilons: { type: 'string' },
    steps: { type: 'string' },
    'step-size': { type: 'string' },
    'random-start': { type: 'boolean' },
    restarts: { type: 'string' },
    targeted: { type: 'boolean' },
    target: { type: 'string' },
    momentum: { type: 'string' },
    'binary-search': { type: 'string' },
    c: { type: 'string' },
    confidence: { type: 'string' },
    lr: { type: 'string' },
    overshoot: { type: 'string' },
    queries: { type: 'string' },
    'p-init': { type: 'string' },
    n: { type: 'string' },
    seed: { type: 'string' },
    'batch-size': { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    json: { type: 'boolean', default: false },
  });
  if (!values.model) throw new UsageError('eval needs --model <zoo-id | path/to/model.json>');
  if (!values.dataset) throw new UsageError('eval needs --dataset <mnist|fashion-mnist|cifar10>');
  const ds = getDataset(values.dataset);
  const name = values.attack!;
  if (name !== 'none' && !isAttackName(name)) throw new UsageError(`unknown attack "${name}" (none, ${ATTACK_NAMES.join(', ')})`);
  if (values.backend !== 'wasm' && values.backend !== 'cpu')
    throw new UsageError(`--backend ${values.backend} is not available in Node (wasm, cpu)`);
  const given = (flag: string) => (values as Record<string, unknown>)[flag] !== undefined;
  const info = name === 'none' ? null : ATTACKS[name];
  for (const flag of Object.keys(FLAG_PARAM)) {
    if (!given(flag) || flag === 'seed') continue;
    if (!info || !info.params.includes(FLAG_PARAM[flag])) throw new UsageError(`--${flag} does not apply to --attack ${name}`);
    if (flag === 'random-start' && name === 'apgd-ce')
      throw new UsageError('--random-start does not apply to --attack apgd-ce (it always uses the AutoAttack random start)');
  }
  if (given('epsilons') && !info) throw new UsageError('--epsilons needs an attack');
  if (given('epsilons') && given('eps')) throw new UsageError('give either --eps or --epsilons, not both');

  const norm = values.norm ?? 'linf';
  if (norm !== 'linf' && norm !== 'l2') throw new UsageError(`--norm ${norm} is not supported (linf, l2)`);
  if (info && !info.norms.includes(norm) && given('norm'))
    throw new UsageError(`--attack ${name} supports --norm ${info.norms.join(', ')}`);
  const attackNorm = info && !info.norms.includes(norm) ? info.norms[0] : norm;
  // the lab's ranges (experiment.ts): [0, 1] for L-inf, [0, sqrt(H*W*C)] for L2 (28 on MNIST)
  const epsMax = maxEps(attackNorm, ds.id);
  const epsCheck = (v: number) => v >= 0 && v <= epsMax;
  const epsWhat = attackNorm === 'linf' ? 'an eps in [0, 1]' : `an L2 eps in [0, ${Number(epsMax.toFixed(2))}]`;
  const bounded = info?.kind === 'bounded';
  let epsilons: number[] | undefined;
  if (given('epsilons')) {
    epsilons = values
      .epsilons!.split(',')
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
  const eps = num(values.eps, 'eps', NaN, epsCheck, epsWhat);
  if (given('eps') && info && !bounded)
    throw new UsageError(`--eps does not apply to --attack ${name} (a minimisation attack; use --epsilons)`);
  if (bounded && Number.isNaN(eps) && !epsilons) throw new UsageError(`--attack ${name} needs --eps`);
  const seed = num(values.seed, 'seed', 0, isNonNegInt, 'a whole number >= 0');
  const opt = (flag: string, check: (v: number) => boolean, what: string) =>
    given(flag) ? num(values[flag as 'steps'], flag, NaN, check, what) : undefined;
  let target: AttackSpec['target'];
  if (given('target')) {
    const t = values.target!;
    if (t === 'least-likely') target = 'least-likely';
    else target = num(t, 'target', NaN, isNonNegInt, 'a class index or least-likely');
  } else if (values.targeted) {
    target = 'least-likely';
  }
  const randomStart = name === 'pgd' || name === 'fgsm' ? (values['random-start'] ?? false) : undefined;
  const raw: Record<string, unknown> = {
    name,
    norm: given('norm') ? norm : undefined,
    eps: bounded ? (epsilons ? Math.max(...epsilons) : eps) : undefined,
    steps: opt('steps', isPosInt, 'a whole number >= 1'),
    stepSize: opt('step-size', (v) => v > 0 && v <= epsMax, `a step size in (0, ${Number(epsMax.toFixed(2))}]`),
    randomStart,
    restarts: opt('restarts', isPosInt, 'a whole number >= 1'),
    seed,
    target,
    momentum: opt('momentum', (v) => v >= 0 && v <= 100, 'a momentum in [0, 100]'),
    binarySearchSteps: opt('binary-search', (v) => isPosInt(v) && v <= 100, 'a whole number from 1 to 100'),
    c0: opt('c', (v) => v > 0 && v <= 1e10, 'a constant c in (0, 1e10]'),
    confidence: opt('confidence', (v) => v >= 0 && v <= 1e4, 'a confidence in [0, 10000]'),
    lr: opt('lr', (v) => v > 0 && v <= 10, 'a learning rate in (0, 10]'),
    overshoot: opt('overshoot', (v) => v >= 0 && v <= 10, 'an overshoot in [0, 10]'),
    queries: opt('queries', (v) => isPosInt(v) && v <= 1e6, 'a whole number from 1 to 1000000'),
    pInit: opt('p-init', (v) => v > 0 && v <= 1, 'a fraction in (0, 1]'),
  };
  // the CLI's PGD default step size stays 0.01 for L-inf (as before); other defaults are the attack's
  for (const k of Object.keys(raw))
    if (raw[k] === undefined || (k !== 'name' && info && !info.params.includes(k as SpecParam))) delete raw[k];
  let spec: AttackSpec | null = null;
  if (info) {
    try {
      spec = resolveSpec(raw as unknown as AttackSpec);
    } catch (e) {
      throw new UsageError((e as Error).message.replace(/^invalid attack options: /, ''));
    }
  }
  const batchSize = num(values['batch-size'], 'batch-size', 250, isPosInt, 'a whole number >= 1');
  const backend = await initNodeBackend(values.backend as NodeBackend);
  const test = await loadNodeSplit(ds.id, 'test', values['data-dir']);
  const n = num(values.n, 'n', test.n, (v) => isPosInt(v) && v <= test.n, `a whole number from 1 to ${test.n}`);
  const model = await loadNodeModel(values.model, ds.shape);
  if (typeof target === 'number' && target >= model.classifier.numClasses)
    throw new UsageError(`--target ${target} is not a class of the model (0..${model.classifier.numClasses - 1})`);
  const r = await evaluate(model.classifier, sliceSplit(test, 0, n), spec ? { attack: 'spec', spec, epsilons } : { attack: 'none' }, {
    batchSize,
    onProgress: values.json ? undefined : (d, t) => process.stderr.write(`\r${d}/${t} images`),
  });
  if (!values.json) process.stderr.write('\n');
  const out = {
    model: model.label,
    dataset: ds.id,
    n: r.n,
    attack: attackJson(name, spec, seed, epsilons),
    clean_accuracy: r.cleanAccuracy,
    robust_accuracy: r.robustAccuracy,
    ...(r.robustAccuracyByEps ? { robust_accuracy_by_eps: r.robustAccuracyByEps } : {}),
    ...(spec && spec.name !== 'fgsm' && spec.name !== 'pgd' && r.attackStats
      ? {
          attacked: r.attackStats.attacked,
          fooled: r.attackStats.fooled,
          ...(spec.name === 'square'
            ? { queries_mean_fooled: r.attackStats.meanQueriesFooled, queries_median_fooled: r.attackStats.medianQueriesFooled }
            : {}),
          ...(ATTACKS[spec.name].kind === 'minimisation' ? { l2_median_fooled: r.attackStats.medianL2Fooled } : {}),
        }
      : {}),
    seconds: Number(r.seconds.toFixed(3)),
    backend,
  };
  if (values.json) {
    process.stdout.write(JSON.stringify(out) + '\n');
  } else {
    console.log(`model ${out.model} (${model.classifier.outputKind}), ${ds.name}, first ${r.n} test images, backend ${backend}`);
    console.log(`clean accuracy  ${(100 * r.cleanAccuracy).toFixed(2)}%`);
    if (spec) {
      const desc = describeSpec(spec);
      if (r.robustAccuracyByEps) {
        for (const [e, acc] of Object.entries(r.robustAccuracyByEps))
          console.log(`robust accuracy ${(100 * acc).toFixed(2)}% at eps ${e} under ${desc}`);
      } else {
        console.log(`robust accuracy ${(100 * r.robustAccuracy).toFixed(2)}% under ${desc}`);
      }
      if (r.attackStats && spec.name === 'square' && r.attackStats.meanQueriesFooled !== null)
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

/** The "attack" object of the JSON output: the legacy keys (exactly, for untargeted fgsm/pgd) plus each attack's own. */
function attackJson(name: string, s: AttackSpec | null, seed: number, epsilons: number[] | undefined): Record<string, unknown> {
  if (!s) return { name, norm: 'linf', eps: 0, steps: 0, step_size: 0, random_start: false, restarts: 0, seed };
  const o: Record<string, unknown> = { name, norm: s.norm ?? ATTACKS[s.name].norms[0] };
  const eps = 'eps' in s ? s.eps : null;
  o.eps = eps;
  switch (s.name) {
    case 'fgsm':
      Object.assign(o, { steps: 1, step_size: s.eps, random_start: s.randomStart, restarts: 1 });
      break;
    case 'pgd':
      Object.assign(o, { steps: s.steps, step_size: s.stepSize, random_start: s.randomStart, restarts: s.restarts });
      break;
    case 'bim':
      Object.assign(o, { steps: s.steps, step_size: s.stepSize, random_start: false, restarts: 1 });
      break;
    case 'mifgsm':
      Object.assign(o, { steps: s.steps, step_size: s.stepSize, random_start: false, restarts: 1, momentum: s.momentum });
      break;
    case 'apgd-ce':
      Object.assign(o, {
        steps: s.steps,
        step_size: null,
        random_start: s.randomStart,
        restarts: s.restarts,
        initial_step_size: 2 * (s.eps ?? 0),
      });
      break;
    case 'cw':
      Object.assign(o, {
        steps: s.steps,
        step_size: null,
        random_start: false,
        restarts: 1,
        binary_search_steps: s.binarySearchSteps,
        c: s.c0,
        confidence: s.confidence,
        lr: s.lr,
      });
      break;
    case 'deepfool':
      Object.assign(o, { steps: s.steps, step_size: null, random_start: false, restarts: 1, overshoot: s.overshoot });
      break;
    case 'square':
      Object.assign(o, { steps: s.queries, step_size: null, random_start: false, restarts: 1, queries: s.queries, p_init: s.pInit });
      break;
  }
  o.seed = seed;
  if (s.target !== undefined) o.target = s.target;
  if (epsilons) o.epsilons = epsilons;
  return o;
}
