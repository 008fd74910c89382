/**
 * rlab poison: a BadNets backdoor in one model's training images (Gu et al. 2017), the clean accuracy and
 * attack success rate of the model trained on them, and optionally a data-poisoning defence (activation
 * clustering or spectral signatures) with its precision/recall and the figures after retraining. Its
 * flags are the lab's poisoning fields (experiment/poison.ts) and the lab's seed (--seed).
 */
import * as tf from '@tensorflow/tfjs';
import { getDataset } from '../../../core/data/datasets';
import { initNodeBackend, type NodeBackend } from '../../../core/engine/node-backend';
import { parse, UsageError } from '../../../cli/args';
import type { Command } from '../../../cli/command';
import { fieldFlags, fieldOptions, readFieldFlags, type CliField } from '../../../cli/field-flags';
import { loadNodeSplit } from '../../../cli/node-io';
import { FEDERATED_SLICE } from '../experiment';
import { FEDERATION_FIELDS } from '../experiment/federation';
import { POISON_FIELDS, defaultPoison, type PoisonSettings } from '../experiment/poison';
import { POISON_DATASETS, runPoisoning } from '../poisoning';

/** What the flags fill: the poisoning settings and the lab's seed. */
interface PoisonFlags {
  poison: PoisonSettings;
  federation: { seed: number };
}
const SEED = FEDERATION_FIELDS.find((f) => f.path === 'federation.seed')!;
const FIELDS = [...POISON_FIELDS, SEED] as readonly CliField<unknown>[] as readonly CliField<PoisonFlags>[];
const defaults = (): PoisonFlags => ({ poison: defaultPoison(), federation: { seed: Number(SEED.default) } });

export const POISON_OPTIONS = {
  dataset: { type: 'string', default: 'mnist' },
  backend: { type: 'string', default: 'wasm' },
  'clean-model': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  ...fieldOptions(FIELDS),
} as const;

/** The settings and seed from the flags (the fields' defaults where absent); a one-line message for a bad value. */
export function poisonSettingsFromFlags(values: Record<string, unknown>): { settings: PoisonSettings; seed: number } {
  const e = readFieldFlags(FIELDS, values, defaults());
  return { settings: e.poison, seed: e.federation.seed };
}

const r4 = (v: number) => Number(v.toFixed(4));

export async function runPoison(args: string[]): Promise<number> {
  const { values } = parse(args, POISON_OPTIONS);
  const v = values as Record<string, string | boolean | undefined>;
  const dataset = String(v.dataset);
  if (!POISON_DATASETS.includes(dataset)) throw new UsageError(`--dataset ${dataset}: poisoning runs on ${POISON_DATASETS.join(', ')}`);
  if (v.backend !== 'wasm' && v.backend !== 'cpu')
    throw new UsageError(`--backend ${String(v.backend)} is not available in Node (wasm, cpu)`);
  const { settings, seed } = poisonSettingsFromFlags(v);
  const ds = getDataset(dataset);
  const backend = await initNodeBackend(v.backend as NodeBackend);
  const trainSplit = await loadNodeSplit(ds.id, 'train');
  const test = await loadNodeSplit(ds.id, 'test');
  const json = v.json === true;
  let last = 0;
  let out;
  try {
    out = await runPoisoning(ds.id, trainSplit, test, settings, seed, {
      cleanModel: v['clean-model'] === true,
      onPhase: json ? undefined : (_p, text) => process.stderr.write(`\n${text}\n`),
      onBatch: json
        ? undefined
        : (phase, step, total, loss) => {
            if (performance.now() - last < 500 && step + 1 < total) return;
            last = performance.now();
            process.stderr.write(`\r${phase}: step ${step + 1}/${total}, loss ${loss.toFixed(4)}   `);
          },
    });
  } catch (e) {
    const msg = (e as Error).message;
    if (/^(poison rate|--|Bad trigger|data poisoning)/.test(msg)) throw new UsageError(msg);
    throw e;
  }
  const result = {
    dataset: ds.id,
    trigger: settings.trigger,
    rate: settings.rate,
    target: settings.target,
    mode: settings.mode,
    epochs: settings.epochs,
    seed,
    train_images: out.trainImages,
    poisoned_images: out.poisoned.length,
    test_images: out.testImages,
    asr_images: out.asr.n,
    clean_accuracy: r4(out.cleanAccuracy),
    attack_success_rate: r4(out.asr.rate),
    ...(out.cleanModelAccuracy !== null && {
      clean_model_accuracy: r4(out.cleanModelAccuracy),
      clean_model_attack_success_rate: r4(out.cleanModelAsr!),
    }),
    ...(out.defence && {
      defence: {
        method: out.defence.method,
        flagged: out.defence.flagged,
        precision: r4(out.defence.precision),
        recall: r4(out.defence.recall),
        train_images: out.defence.trainImages,
        clean_accuracy: r4(out.defence.cleanAccuracy),
        attack_success_rate: r4(out.defence.asr),
      },
    }),
    seconds: Number(out.seconds.toFixed(1)),
    backend,
  };
  out.model.dispose();
  out.defendedModel?.dispose();
  tf.disposeVariables();
  if (json) process.stdout.write(JSON.stringify(result) + '\n');
  else {
    process.stderr.write('\n');
    const pc = (x: number) => `${(100 * x).toFixed(2)}%`;
    console.log(
      `${ds.name}: ${result.poisoned_images} of ${result.train_images} training images poisoned (${settings.trigger}, ${settings.mode}, target ${settings.target}), ${settings.epochs} epochs, seed ${seed}`,
    );
    console.log(
      `poisoned model: clean accuracy ${pc(result.clean_accuracy)}, attack success rate ${pc(result.attack_success_rate)} (${result.asr_images} triggered test images)`,
    );
    if (out.cleanModelAccuracy !== null)
      console.log(
        `clean model (same recipe, no poison): clean accuracy ${pc(out.cleanModelAccuracy)}, attack success rate ${pc(out.cleanModelAsr!)}`,
      );
    if (out.defence) {
      const d = out.defence;
      console.log(`${d.method}: ${d.flagged} flagged, precision ${pc(d.precision)}, recall ${pc(d.recall)}`);
      console.log(`retrained on ${d.trainImages} images: clean accuracy ${pc(d.cleanAccuracy)}, attack success rate ${pc(d.asr)}`);
    }
    console.log(`${result.seconds} s on ${backend}`);
  }
  return 0;
}

export const poisonCommand: Command = {
  name: 'poison',
  summary: 'a BadNets backdoor in the training data, its attack success rate, and a data-poisoning defence: one JSON object with --json',
  flags: [
    { name: 'dataset', value: POISON_DATASETS.join('|'), help: 'the data set (mnist)' },
    ...fieldFlags(FIELDS, defaults(), { urlPrefix: FEDERATED_SLICE.prefix }),
    { name: 'clean-model', help: 'also train the same recipe without poison (clean_model_accuracy)' },
    { name: 'backend', value: 'wasm|cpu', help: 'TensorFlow.js backend in Node (wasm)' },
    { name: 'json', help: 'print one JSON object' },
  ],
  notes: [
    'attack_success_rate: share of the triggered test images of the other classes (all-to-all: every image, success = (y + 1) mod 10) classified as the attack label.',
    "the network and recipe: the zoo's mnist-cnn (fashion-cnn) recipe with --epochs and --seed; precision/recall of the defence's flags against the real poisoned set.",
  ],
  run: runPoison,
};
