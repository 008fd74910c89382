/**
 * The first run's test image (STARTER_SAMPLE, src/labs/attacks/starter.ts): the studio's default
 * attack (DEFAULT_EXPERIMENT.attack) run on one MNIST test image the way the studio's worker job runs
 * it (src/labs/attacks/jobs.ts attackJob: a batch of one, the true label, specFromSettings), on the
 * zoo's models loaded with their sha256 check. Used by its test (starter-image.test.ts) and, run as a
 * script, to choose the image again:
 *
 *   node --import tsx src/cli/starter-image.ts [--to 50]
 *
 * prints, for the first test images, whether the default model (mnist-cnn) and the data set's most
 * robust zoo model (by its card: robustAlternative, the rule of the studio's next-move hint) get the image right and whether the default attack fools them, and
 * names the first image the default attack fools on mnist-cnn and the robust model resists.
 * Convention: Node-only (src/cli), the same attack path as the worker; no tensor leaks (every tensor
 * is disposed here).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { imagesAsFloats } from '../core/data/datasets';
import type { LabeledImages } from '../core/data/types';
import { initNodeBackend } from '../core/engine/node-backend';
import { isModelCard, type ModelCard } from '../core/models/card';
import { robustAlternative, runAttack, specFromSettings } from '../labs/attacks/index';
import { DEFAULT_EXPERIMENT } from '../labs/experiment';
import { loadNodeModel, loadNodeSplit, type ResolvedModel } from './node-io';
import { projectRoot } from './paths';

/** The image models' cards of the zoo (models/<id>/card.json). */
export function zooCards(root = join(projectRoot(), 'models')): ModelCard[] {
  return readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'card.json')))
    .map((d) => JSON.parse(readFileSync(join(root, d, 'card.json'), 'utf8')) as unknown)
    .filter(isModelCard);
}

export interface StudioRun {
  sample: number;
  label: number;
  cleanPredicted: number;
  predicted: number;
  /** The attack's own verdict (the prediction moved off the true label). */
  fooled: boolean;
}

/** The studio's default attack on one test image, as its worker job runs it. */
export async function studioAttack(model: ResolvedModel, split: LabeledImages, sample: number): Promise<StudioRun> {
  const spec = specFromSettings(DEFAULT_EXPERIMENT.attack);
  if (!spec) throw new Error('the default experiment has no attack');
  const label = split.labels[sample];
  const x = tf.tensor4d(imagesAsFloats(split, sample, 1), [1, ...split.shape]);
  try {
    const clean = tf.tidy(() => model.classifier.logits(x).argMax(-1).dataSync()[0]);
    const out = await runAttack(model.classifier, x, [label], spec, { keepTrace: false });
    try {
      const predicted = tf.tidy(() => model.classifier.logits(out.adversarial).argMax(-1).dataSync()[0]);
      return { sample, label, cleanPredicted: clean, predicted, fooled: out.success[0] === 1 };
    } finally {
      out.adversarial.dispose();
    }
  } finally {
    x.dispose();
  }
}

async function main(): Promise<void> {
  const to = Number(process.argv[process.argv.indexOf('--to') + 1] ?? 50) || 50;
  const { dataset, model: modelId } = DEFAULT_EXPERIMENT;
  await initNodeBackend('wasm');
  const robustCard = robustAlternative(zooCards(), modelId, dataset, DEFAULT_EXPERIMENT.attack)?.model;
  if (!robustCard) throw new Error(`the zoo has no model of ${dataset} more robust than ${modelId}`);
  const split = await loadNodeSplit(dataset, 'test');
  const plain = await loadNodeModel(modelId);
  const robust = await loadNodeModel(robustCard.id);
  const a = DEFAULT_EXPERIMENT.attack;
  console.log(`${a.name} eps ${a.eps}, ${a.steps} steps of ${a.stepSize}, seed ${a.seed}: ${modelId} against ${robustCard.id}`);
  let found: number | null = null;
  for (let i = 0; i < to; i++) {
    const p = await studioAttack(plain, split, i);
    const r = await studioAttack(robust, split, i);
    const ok = p.cleanPredicted === p.label && r.cleanPredicted === r.label && p.fooled && !r.fooled;
    console.log(
      `image ${i} (a ${p.label}): ${modelId} ${p.cleanPredicted}->${p.predicted}${p.fooled ? ' fooled' : ''}, ` +
        `${robustCard.id} ${r.cleanPredicted}->${r.predicted}${r.fooled ? ' fooled' : ''}${ok ? '  <- starter' : ''}`,
    );
    if (ok) {
      found = i;
      break;
    }
  }
  plain.model.dispose();
  robust.model.dispose();
  console.log(found === null ? `no image in 0..${to - 1} fits` : `first fitting image: ${found}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main();
  // the wasm backend's threads keep Node alive
  process.exit(0);
}
