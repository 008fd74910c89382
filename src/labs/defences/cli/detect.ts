/**
 * rlab detect: the feature-squeezing detector (Xu et al. 2018, algorithms/squeezing.ts) on a model:
 * the threshold at a target false positive rate on clean held-out test images, the ROC and its AUC,
 * and the detection rate of an attack of the attacks lab, naive (it ignores the detector) or adaptive
 * (`--adaptive bpda`: PGD on the classifier and the detector, BPDA through the squeezers; the
 * criterion is "misclassified and not detected").
 *
 * Images: the attacked ones are test images start .. start + n - 1 (clean-correct ones are attacked,
 * as rlab eval does); the clean held-out ones for the threshold are the last --clean-n test images
 * (9000..9999 of MNIST by default) and must not overlap them.
 */
import * as tf from '@tensorflow/tfjs';
import { ATTACKS, ATTACKS_SLICE, resolveSpec, specFromSettings, type AttackSpec } from '../../attacks/index';
import { experimentFromFlags } from '../../experiment';
import { getDataset } from '../../../core/data/datasets';
import { initNodeBackend, type NodeBackend } from '../../../core/engine/node-backend';
import { transformsOf, DEFENCE_SYNTAX } from '../../../core/defences';
import { isNonNegInt, isPosInt, num, parse, UsageError } from '../../../cli/args';
import type { Command } from '../../../cli/command';
import { loadNodeModel, loadNodeSplit } from '../../../cli/node-io';
import { detectorRunError, evaluateDetector } from '../detector/evaluate';

/** The attack's flags: the attacks lab's fields (the same as rlab eval's and the URL's). */
const ATTACK_FIELDS = ATTACKS_SLICE.fields.filter((f) => f.path.startsWith('attack.'));

const OPTIONS = {
  model: { type: 'string' },
  dataset: { type: 'string' },
  squeezers: { type: 'string', default: 'bit-depth:1,median:2' },
  fpr: { type: 'string', default: '0.05' },
  adaptive: { type: 'string', default: 'none' },
  n: { type: 'string', default: '500' },
  start: { type: 'string', default: '0' },
  'clean-n': { type: 'string', default: '1000' },
  'batch-size': { type: 'string', default: '100' },
  backend: { type: 'string', default: 'wasm' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean', default: false },
  ...Object.fromEntries(ATTACK_FIELDS.map((f) => [f.cli, { type: f.type.kind === 'bool' ? 'boolean' : 'string' }])),
} as const;

export async function runDetect(args: string[]): Promise<number> {
  const { values: raw } = parse(args, OPTIONS);
  const values = raw as Record<string, string | boolean | undefined>;
  if (!values.model) throw new UsageError('detect needs --model <zoo-id | path/to/model.json>');
  if (!values.dataset) throw new UsageError('detect needs --dataset <mnist|fashion-mnist|cifar10>');
  const ds = getDataset(values.dataset as string);
  let squeezers;
  try {
    squeezers = transformsOf(values.squeezers as string);
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^defence: /, 'squeezers: '));
  }
  if (squeezers.length === 0)
    throw new UsageError(
      `--squeezers needs at least one squeezer (${DEFENCE_SYNTAX.replace(', comma-joined to compose', ', comma-separated')})`,
    );
  if (squeezers.some((s) => s.randomised)) throw new UsageError('--squeezers: a squeezer must be deterministic (bit-depth, median, jpeg)');
  const fpr = num(values.fpr as string, 'fpr', 0.05, (v) => v >= 0 && v < 1, 'a rate in [0, 1)');
  const adaptive = values.adaptive as string;
  if (adaptive !== 'none' && adaptive !== 'bpda') throw new UsageError(`--adaptive ${adaptive} is not one of none, bpda`);
  const attackFlags: Record<string, string | boolean | undefined> = {};
  for (const f of ATTACK_FIELDS) if (values[f.cli] !== undefined) attackFlags[f.cli] = values[f.cli];
  if (attackFlags.attack === undefined) throw new UsageError(`detect needs --attack <${Object.keys(ATTACKS).join('|')}>`);
  let spec: AttackSpec;
  try {
    const e = experimentFromFlags(attackFlags, undefined, 'attacks');
    const s = specFromSettings(e.attack);
    if (!s) throw new Error('detect needs an attack, not none');
    spec = resolveSpec(s);
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^invalid attack options: /, ''));
  }
  const info = ATTACKS[spec.name];
  if (adaptive === 'bpda' && !['pgd', 'bim', 'fgsm'].includes(spec.name))
    throw new UsageError('--adaptive bpda attacks the detector with PGD (BPDA through the squeezers): use --attack pgd (or bim, fgsm)');
  const batchSize = num(values['batch-size'] as string, 'batch-size', 100, isPosInt, 'a whole number >= 1');
  const backend = await initNodeBackend(values.backend as NodeBackend);
  const test = await loadNodeSplit(ds.id, 'test', values['data-dir'] as string | undefined);
  const start = num(values.start as string, 'start', 0, (v) => isNonNegInt(v) && v < test.n, `a whole number from 0 to ${test.n - 1}`);
  const n = num(values.n as string, 'n', 500, (v) => isPosInt(v) && start + v <= test.n, `a whole number from 1 to ${test.n - start}`);
  const cleanN = num(
    values['clean-n'] as string,
    'clean-n',
    1000,
    (v) => isPosInt(v) && v < test.n,
    `a whole number from 1 to ${test.n - 1}`,
  );
  const model = await loadNodeModel(values.model as string, ds.shape);
  const clf = model.classifier;
  const t0 = performance.now();
  const log = (s: string) => {
    if (!values.json) process.stderr.write(s);
  };
  const problem = detectorRunError(test, spec, { start, n, cleanN, adaptive });
  if (problem) throw new UsageError(problem.replace('attack fewer images or use fewer clean ones', 'lower --n or --clean-n'));
  const r = await evaluateDetector(clf, test, spec, {
    squeezers,
    fpr,
    start,
    n,
    cleanN,
    adaptive,
    batchSize,
    onProgress: (phase, done, total) => log(`\r${phase === 'threshold' ? 'clean held-out' : 'attacked'} ${done}/${total} images`),
  });
  log('\n');
  const { threshold, cleanStart } = r;
  const fprMeasured = r.fprMeasured;
  const out = {
    model: model.label,
    dataset: ds.id,
    squeezers: squeezers.map((s) => `${s.kind}:${s.param}`),
    fpr,
    threshold,
    fpr_measured: fprMeasured,
    clean_images: { start: cleanStart, n: cleanN },
    attacked_images: { start, n },
    attack: {
      name: spec.name,
      norm: spec.norm ?? info.norms[0],
      eps: 'eps' in spec ? spec.eps : null,
      ...info.json(spec),
      seed: spec.seed ?? 0,
    },
    adaptive,
    n,
    clean_accuracy: r.cleanCorrect / n,
    attacked: r.cleanCorrect,
    successful: r.successful,
    detected: r.detected,
    detection_rate: r.detectionRate,
    auc: r.auc,
    robust_accuracy: r.robustAccuracy,
    robust_accuracy_undetected: r.robustAccuracyUndetected,
    roc: r.roc,
    seconds: Number(((performance.now() - t0) / 1000).toFixed(3)),
    backend,
  };
  if (values.json) process.stdout.write(JSON.stringify(out) + '\n');
  else {
    console.log(`feature squeezing (${out.squeezers.join(', ')}) on ${out.model}, ${ds.name}, backend ${backend}`);
    console.log(
      `threshold ${threshold.toFixed(4)} at FPR ${fpr} on clean test images ${cleanStart}..${test.n - 1} (measured ${(100 * fprMeasured).toFixed(1)}%)`,
    );
    console.log(
      `${info.label}${adaptive === 'bpda' ? ' (adaptive: BPDA through the squeezers, kept under the threshold)' : ''} on test images ${start}..${start + n - 1}`,
    );
    console.log(
      `successful adversarial examples ${r.successful} of ${r.cleanCorrect} attacked, detected ${r.detected} (${out.detection_rate === null ? '-' : (100 * out.detection_rate).toFixed(1) + '%'})`,
    );
    console.log(`ROC AUC ${out.auc === null ? '-' : out.auc.toFixed(4)}`);
    console.log(
      `robust accuracy ${(100 * out.robust_accuracy).toFixed(1)}% (classifier alone), ${(100 * out.robust_accuracy_undetected).toFixed(1)}% counting detected inputs as caught`,
    );
  }
  model.model.dispose();
  tf.disposeVariables();
  return 0;
}

export const detectCommand: Command = {
  name: 'detect',
  summary:
    'feature squeezing (Xu et al. 2018): threshold at an FPR, ROC AUC and detection rate of an attack, naive or adaptive (one JSON object with --json)',
  flags: [
    { name: 'model', value: 'zoo-id | model.json', help: 'a zoo model or a TensorFlow.js LayersModel', required: true },
    { name: 'dataset', value: 'mnist|fashion-mnist|cifar10', help: 'the test set', required: true },
    {
      name: 'squeezers',
      value: 'list',
      help: "squeezers, each applied alone: bit-depth:B, median:K, jpeg:Q (bit-depth:1,median:2, the authors' MNIST set-up)",
    },
    { name: 'fpr', value: 'rate', help: 'target false positive rate on the clean held-out images (0.05)' },
    {
      name: 'attack',
      value: Object.keys(ATTACKS).join('|'),
      help: 'the attack (its flags as in rlab eval: --eps, --steps, --step-size, --random-start, ...)',
      required: true,
    },
    {
      name: 'adaptive',
      value: 'none|bpda',
      help: 'none: the attack ignores the detector; bpda: PGD on classifier and detector, BPDA through the squeezers',
    },
    { name: 'n', value: 'N', help: 'attacked test images (500)' },
    { name: 'start', value: 'i', help: 'first attacked test image (0)' },
    { name: 'clean-n', value: 'N', help: 'clean held-out images for the threshold: the last N test images (1000)' },
    { name: 'batch-size', value: 'b', help: 'images per batch (100)' },
    { name: 'backend', value: 'wasm|cpu', help: 'TensorFlow.js backend in Node (wasm)' },
    { name: 'data-dir', value: 'dir', help: 'CIFAR-10 binary batches' },
    { name: 'json', help: 'print one JSON object' },
  ],
  notes: [
    'An input is flagged when its score is above the threshold. detection_rate: flagged successful adversarial examples; robust_accuracy_undetected: images that are classified correctly or flagged (the criterion "misclassified and not detected" counts as broken).',
  ],
  run: runDetect,
};
