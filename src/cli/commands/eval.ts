import * as tf from '@tensorflow/tfjs';
import { getDataset } from '../../core/data/datasets';
import { evaluate, type EvalAttack } from '../../core/eval/evaluate';
import { initNodeBackend, type NodeBackend } from '../../core/engine/node-backend';
import { sliceSplit } from '../../core/train/train';
import { isNonNegInt, isPosInt, num, parse, UsageError } from '../args';
import { loadNodeModel, loadNodeSplit } from '../node-io';

export async function runEval(args: string[]): Promise<number> {
  const { values } = parse(args, {
    model: { type: 'string' },
    dataset: { type: 'string' },
    attack: { type: 'string', default: 'none' },
    norm: { type: 'string', default: 'linf' },
    eps: { type: 'string' },
    steps: { type: 'string' },
    'step-size': { type: 'string' },
    'random-start': { type: 'boolean', default: false },
    restarts: { type: 'string' },
    n: { type: 'string' },
    seed: { type: 'string' },
    'batch-size': { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    json: { type: 'boolean', default: false },
  });
  if (!values.model) throw new UsageError('eval needs --model <zoo-id | path/to/model.json>');
  if (!values.dataset) throw new UsageError('eval needs --dataset <mnist|fashion-mnist>');
  const ds = getDataset(values.dataset);
  if (values.norm !== 'linf') throw new UsageError(`--norm ${values.norm} is not supported (linf)`);
  if (!['none', 'fgsm', 'pgd'].includes(values.attack!)) throw new UsageError(`unknown attack "${values.attack}" (none, fgsm, pgd)`);
  if (values.backend !== 'wasm' && values.backend !== 'cpu')
    throw new UsageError(`--backend ${values.backend} is not available in Node (wasm, cpu)`);
  const eps = num(values.eps, 'eps', values.attack === 'none' ? 0 : NaN, (v) => v >= 0 && v <= 1, 'an eps in [0, 1]');
  if (values.attack !== 'none' && Number.isNaN(eps)) throw new UsageError(`--attack ${values.attack} needs --eps`);
  const steps = num(values.steps, 'steps', values.attack === 'pgd' ? 40 : 1, isPosInt, 'a whole number >= 1');
  const stepSize = num(
    values['step-size'],
    'step-size',
    values.attack === 'pgd' ? 0.01 : eps,
    (v) => v > 0 && v <= 1,
    'a step size in (0, 1]',
  );
  const restarts = num(values.restarts, 'restarts', 1, isPosInt, 'a whole number >= 1');
  const seed = num(values.seed, 'seed', 0, isNonNegInt, 'a whole number >= 0');
  const batchSize = num(values['batch-size'], 'batch-size', 250, isPosInt, 'a whole number >= 1');
  const backend = await initNodeBackend(values.backend as NodeBackend);
  const test = await loadNodeSplit(ds.id, 'test');
  const n = num(values.n, 'n', test.n, (v) => isPosInt(v) && v <= test.n, `a whole number from 1 to ${test.n}`);
  const model = await loadNodeModel(values.model, ds.shape);
  const attack: EvalAttack =
    values.attack === 'none'
      ? { attack: 'none' }
      : values.attack === 'fgsm'
        ? { attack: 'fgsm', eps, randomStart: values['random-start'], seed }
        : { attack: 'pgd', eps, steps, stepSize, randomStart: values['random-start']!, restarts, seed };
  const r = await evaluate(model.classifier, sliceSplit(test, 0, n), attack, {
    batchSize,
    onProgress: values.json ? undefined : (d, t) => process.stderr.write(`\r${d}/${t} images`),
  });
  if (!values.json) process.stderr.write('\n');
  const out = {
    model: model.label,
    dataset: ds.id,
    n: r.n,
    attack: {
      name: values.attack,
      norm: 'linf',
      eps: values.attack === 'none' ? 0 : eps,
      steps: values.attack === 'none' ? 0 : values.attack === 'fgsm' ? 1 : steps,
      step_size: values.attack === 'none' ? 0 : values.attack === 'fgsm' ? eps : stepSize,
      random_start: values.attack === 'none' ? false : values['random-start'],
      restarts: values.attack === 'none' ? 0 : values.attack === 'fgsm' ? 1 : restarts,
      seed,
    },
    clean_accuracy: r.cleanAccuracy,
    robust_accuracy: r.robustAccuracy,
    seconds: Number(r.seconds.toFixed(3)),
    backend,
  };
  if (values.json) {
    process.stdout.write(JSON.stringify(out) + '\n');
  } else {
    console.log(`model ${out.model} (${model.classifier.outputKind}), ${ds.name}, first ${r.n} test images, backend ${backend}`);
    console.log(`clean accuracy  ${(100 * r.cleanAccuracy).toFixed(2)}%`);
    if (values.attack !== 'none') {
      console.log(
        `robust accuracy ${(100 * r.robustAccuracy).toFixed(2)}% under ${values.attack.toUpperCase()} linf eps ${eps}` +
          (values.attack === 'pgd'
            ? `, ${steps} steps of ${stepSize}, ${restarts} restart(s)${values['random-start'] ? ', random start' : ''}`
            : ''),
      );
    }
    console.log(`${r.seconds.toFixed(1)} s`);
  }
  model.model.dispose();
  tf.disposeVariables();
  return 0;
}
