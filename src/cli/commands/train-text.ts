/**
 * `rlab train --recipe spam-bow`: trains a text recipe (src/core/train/train-text.ts) on the training
 * split of the SpamAssassin set and writes models/<id>/{model.json,weights.bin,card.json} with the
 * held-out figures; `rlab check-card --model spam-bow` re-measures them. `rlab train` hands text
 * recipes to this file.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadTextSet, mailText, SPAM_ASSASSIN, TEXT_SPLIT, type LabeledMails } from '../../core/data/text';
import { FeatureHasher } from '../../core/data/tokenize';
import { initNodeBackend, wasmThreads } from '../../core/engine/node-backend';
import { serializeLayersModel, sha256Hex } from '../../core/models/io';
import { describeModel } from '../../core/models/architectures';
import { isTextModelCard, loadTextModel, TEXT_ARCHITECTURES, type TextModelCard } from '../../core/models/text-model';
import { evaluateText, trainText, type TextRecipe } from '../../core/train/train-text';
import { dataRoots } from '../prepare';
import { prepareTextSet } from '../prepare-text';
import { projectRoot } from '../paths';

/** The SpamAssassin splits from the prepared file (prepared first when missing). */
export async function loadNodeTextSet(): Promise<{ train: LabeledMails; test: LabeledMails }> {
  const root = dataRoots().public;
  if (!existsSync(join(root, SPAM_ASSASSIN.id, SPAM_ASSASSIN.file))) {
    const r = await prepareTextSet(root);
    if (!r.ok) throw new Error(r.message);
  }
  return loadTextSet(async (id, f) => new Uint8Array(await readFile(join(root, id, f))));
}

const TOKENIZER =
  'Subject line + decoded body, lower-cased tokens of letters and digits, words and neighbouring pairs, 32-bit FNV-1a mod buckets, log(1 + count), unit L2 rows';

export async function runTrainText(
  recipe: TextRecipe,
  o: { seedGiven: boolean; epochsGiven: boolean; out?: string; skipEval: boolean },
): Promise<number> {
  const backend = await initNodeBackend('wasm');
  const outDir = o.out ?? join(projectRoot(), 'models', recipe.id);
  const logDir = join(projectRoot(), 'runs', recipe.id);
  mkdirSync(outDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `train-seed${recipe.seed}.log`);
  const log = (s: string) => {
    const line = `[${new Date().toISOString()}] ${s}`;
    console.error(line);
    appendFileSync(logFile, line + '\n');
  };
  const command = `npm run --silent rlab -- train --recipe ${recipe.id}${o.seedGiven ? ` --seed ${recipe.seed}` : ''}${o.epochsGiven ? ` --epochs ${recipe.epochs}` : ''}`;
  log(
    `training ${recipe.id} on ${SPAM_ASSASSIN.name} (${recipe.architecture}, ${recipe.epochs} epochs, seed ${recipe.seed}, backend ${backend})`,
  );
  const t0 = performance.now();
  const { train, test } = await loadNodeTextSet();
  const hasher = new FeatureHasher(recipe.features);
  const ftrain = hasher.features(train.mails.map(mailText));
  log(`features of ${train.n} training mails in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let result: Awaited<ReturnType<typeof trainText>>;
  try {
    result = await trainText(recipe, ftrain, train.labels, {
      signal: stop.signal,
      onEpoch: (r) =>
        log(
          `epoch ${r.epoch}: ${r.seconds.toFixed(0)} s, loss ${r.trainLoss.toFixed(4)}, holdout ${(100 * r.holdoutAccuracy).toFixed(2)}%${r.selected ? ' [best so far]' : ''}`,
        ),
    });
  } catch (e) {
    if (!stop.signal.aborted) throw e;
    log('stopped (a text recipe trains in minutes: run the same command again to start over)');
    return 130;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  log(`trained in ${result.seconds.toFixed(0)} s; checkpoint of epoch ${result.selectedEpoch}`);
  const { modelJson, weights } = await serializeLayersModel(result.model);
  writeFileSync(join(outDir, 'model.json'), modelJson);
  writeFileSync(join(outDir, 'weights.bin'), weights);
  let clean = { n: 0, accuracy: NaN, spamPrecision: NaN, spamRecall: NaN };
  if (!o.skipEval) {
    clean = await evaluateText(result.model, hasher.features(test.mails.map(mailText)), test.labels);
    log(
      `held-out accuracy ${(100 * clean.accuracy).toFixed(2)}% (${clean.n} mails), spam precision ${(100 * clean.spamPrecision).toFixed(2)}%, recall ${(100 * clean.spamRecall).toFixed(2)}%`,
    );
  }
  const card: TextModelCard = {
    schema: 1,
    kind: 'text',
    id: recipe.id,
    dataset: recipe.dataset,
    classNames: [...SPAM_ASSASSIN.classNames],
    output: 'logits',
    architecture: `${recipe.architecture}: ${TEXT_ARCHITECTURES[recipe.architecture]}`,
    layers: describeModel(result.model),
    parameters: result.model.countParams(),
    features: { ...recipe.features, tokenizer: TOKENIZER },
    recipe: recipe.id,
    training: `standard: Adam, one-cycle lr peak ${recipe.learningRate}, batch ${recipe.batchSize}; checkpoint chosen by accuracy on ${recipe.holdout} training mails held out (drawn from the seed)`,
    command,
    seed: recipe.seed,
    epochs: recipe.epochs,
    selectedEpoch: result.selectedEpoch,
    trainingSeconds: Math.round(result.seconds),
    backend: `Node ${process.version}, TensorFlow.js ${tf.version.tfjs} ${backend} backend, ${backend === 'wasm' ? `${wasmThreads()} wasm thread(s) on ` : ''}a ${cpus().length}-core machine`,
    tfjsVersion: tf.version.tfjs,
    split: { ...TEXT_SPLIT, train: train.n, test: test.n },
    cleanAccuracy: { ...clean, command: `npm run --silent rlab -- check-card --model ${recipe.id}` },
    weights: [{ path: 'weights.bin', sha256: await sha256Hex(weights), bytes: weights.length }],
    notes: [
      `Trained on ${train.n - recipe.holdout} of the ${train.n} training mails of the fixed split (20% of each SpamAssassin group held out at seed ${TEXT_SPLIT.seed}, src/core/data/text.ts); figures on the ${test.n} held-out mails; spam is the positive class, a mail is called spam when p(spam) > 0.5.`,
      'trainingSeconds excludes computing the features (the log says how long they took).',
    ],
  };
  writeFileSync(join(outDir, 'card.json'), JSON.stringify(card, null, 2) + '\n');
  writeFileSync(join(logDir, `history-seed${recipe.seed}.json`), JSON.stringify(result.history, null, 2));
  result.model.dispose();
  log(`wrote ${outDir}/{model.json,weights.bin,card.json}`);
  return 0;
}

/** Reads a zoo text model and its card (models/<id>/). */
export async function loadNodeTextModel(
  id: string,
  zooRoot = join(projectRoot(), 'models'),
): Promise<{ model: tf.LayersModel; card: TextModelCard }> {
  const dir = join(zooRoot, id);
  const card = JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8')) as unknown;
  if (!isTextModelCard(card)) throw new Error(`models/${id}/card.json is not a text model card`);
  const model = await loadTextModel(
    new Uint8Array(await readFile(join(dir, 'model.json'))),
    async (p) => new Uint8Array(await readFile(join(dir, p))),
    card,
  );
  return { model, card };
}

/** `rlab check-card` for a text model: the held-out figures again; exit 1 past the tolerance (points). */
export async function checkTextCard(id: string, tolerance: number): Promise<number> {
  await initNodeBackend('wasm');
  const { model, card } = await loadNodeTextModel(id);
  const { test } = await loadNodeTextSet();
  if (test.n !== card.cleanAccuracy.n) throw new Error(`the held-out split has ${test.n} mails, the card ${card.cleanAccuracy.n}`);
  const hasher = new FeatureHasher({
    buckets: card.features.buckets,
    ngrams: card.features.ngrams,
    weighting: card.features.weighting,
    normalize: card.features.normalize,
  });
  const r = await evaluateText(model, hasher.features(test.mails.map(mailText)), test.labels);
  model.dispose();
  const rows: [string, number, number][] = [
    [`held-out accuracy (${r.n} mails)`, card.cleanAccuracy.accuracy, r.accuracy],
    ['spam precision', card.cleanAccuracy.spamPrecision, r.spamPrecision],
    ['spam recall', card.cleanAccuracy.spamRecall, r.spamRecall],
  ];
  for (const [what, c, m] of rows)
    console.log(`${what.padEnd(48)} card ${(100 * c).toFixed(2).padStart(6)}%   measured ${(100 * m).toFixed(2).padStart(6)}%`);
  const worst = Math.max(...rows.map(([, c, m]) => Math.abs(c - m) * 100));
  console.log(`largest difference ${worst.toFixed(2)} points (tolerance ${tolerance})`);
  return worst <= tolerance ? 0 : 1;
}
