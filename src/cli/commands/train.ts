import { existsSync, mkdirSync, writeFileSync, appendFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getDataset } from '../../core/data/datasets';
import { ARCHITECTURES } from '../../core/models/architectures';
import { cardBase } from '../../core/models/card-base';
import { attackRunner } from '../../labs/attacks/index';
import { robustEntrySpec, type ModelCard, type PrivacyEntry, type RobustAccuracyEntry } from '../../core/models/card';
import { serializeLayersModel, sha256Hex } from '../../core/models/io';
import { describeTraining, formatBudget, getRecipe, recipeEpochs } from '../../core/train/recipes';
import { train } from '../../core/train/train';
import { holdoutPgd } from '../../labs/attacks/holdout';
import { recipeStep } from '../../labs/defences/algorithms/trades';
import { dpSgdTraining, expectedBatchSize, poissonSteps } from '../../labs/privacy/algorithms/dp-sgd';
import { epsilonSpent } from '../../labs/privacy/index';
import { privacyEntry } from '../../labs/privacy/dp-plan';
import { evaluate } from '../../core/eval/evaluate';
import { initNodeBackend, wasmThreads } from '../../core/engine/node-backend';
import { isNonNegInt, isPosInt, num, parse } from '../args';
import { fileCheckpointStore } from '../run-state';
import { getTextRecipe } from '../../core/train/train-text';
import { runTrainText } from './train-text';
import { loadNodeModel, loadNodeSplit } from '../node-io';
import { projectRoot } from '../paths';

export async function runTrain(args: string[]): Promise<number> {
  const { values } = parse(args, {
    recipe: { type: 'string' },
    seed: { type: 'string' },
    epochs: { type: 'string' },
    out: { type: 'string' },
    'data-dir': { type: 'string' },
    fresh: { type: 'boolean', default: false },
    'stop-after-epoch': { type: 'string' },
    'save-every': { type: 'string' },
    'skip-eval': { type: 'boolean', default: false },
  });
  if (!values.recipe) throw new Error('train needs --recipe <id>');
  // text recipes (the federated lab's spam filter) train in their own loop
  const text = getTextRecipe(values.recipe);
  if (text) {
    const recipe = {
      ...text,
      seed: num(values.seed, 'seed', text.seed, isNonNegInt, 'a whole number >= 0'),
      epochs: num(values.epochs, 'epochs', text.epochs, isPosInt, 'a whole number >= 1'),
    };
    return runTrainText(recipe, { seedGiven: !!values.seed, epochsGiven: !!values.epochs, out: values.out, skipEval: values['skip-eval'] });
  }
  const base = getRecipe(values.recipe);
  const recipe = {
    ...base,
    seed: num(values.seed, 'seed', base.seed, isNonNegInt, 'a whole number >= 0'),
    epochs: num(values.epochs, 'epochs', base.epochs, isPosInt, 'a whole number >= 1'),
  };
  const ds = getDataset(recipe.dataset);
  const backend = await initNodeBackend('wasm');
  const outDir = values.out ?? join(projectRoot(), 'models', recipe.id);
  const logDir = join(projectRoot(), 'runs', recipe.id);
  // the model's folder is made when the model is written: an empty zoo folder during a run would be a
  // zoo entry without a card (the zoo tests read every folder of models/); its parent is checked now
  if (!existsSync(dirname(outDir))) throw new Error(`--out: the folder ${dirname(outDir)} does not exist`);
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `train-seed${recipe.seed}.log`);
  const log = (s: string) => {
    const line = `[${new Date().toISOString()}] ${s}`;
    console.error(line);
    appendFileSync(logFile, line + '\n');
  };
  const imported = ds.origin === 'imported';
  const dataDirArg = imported ? ' --data-dir <cifar-10-batches-bin>' : '';
  const command = `npm run --silent rlab -- train --recipe ${recipe.id}${values.seed ? ` --seed ${recipe.seed}` : ''}${values.epochs ? ` --epochs ${recipe.epochs}` : ''}${dataDirArg}`;
  const stopAfter =
    values['stop-after-epoch'] === undefined
      ? undefined
      : num(values['stop-after-epoch'], 'stop-after-epoch', 0, isPosInt, 'a whole number >= 1');
  // minutes between saves within an epoch (0: only at epochs' ends)
  const saveEveryMinutes = num(values['save-every'], 'save-every', 10, (v) => v >= 0, 'a number of minutes >= 0');
  const store = fileCheckpointStore(join(logDir, `state-seed${recipe.seed}${values.epochs ? `-e${recipe.epochs}` : ''}`));
  if (values.fresh) store.clear();
  else if (store.exists()) log('resuming the saved run (use --fresh to start over)');
  const epochs = recipeEpochs(recipe);
  log(
    `training ${recipe.id} on ${ds.name} (${recipe.architecture}, ${epochs} epochs${recipe.fineTune ? ` (${recipe.fineTune.epochs} of fine-tuning)` : ''}, seed ${recipe.seed}, backend ${backend})`,
  );
  const trainSplit = await loadNodeSplit(ds.id, 'train', values['data-dir']);
  const testSplit = await loadNodeSplit(ds.id, 'test', values['data-dir']);
  let initialWeights: Float32Array[] | undefined;
  if (recipe.initFrom) {
    const from = await loadNodeModel(recipe.initFrom, ds.shape);
    initialWeights = from.model.getWeights().map((w) => new Float32Array(w.dataSync()));
    from.model.dispose();
    log(`fine-tuning ${recipe.initFrom} (models/${recipe.initFrom}/)`);
  }
  let lastPct = -1;
  // Ctrl-C or a kill (SIGTERM) stops the run after its current batch, with the state saved there. Later
  // signals are ignored: a terminal's Ctrl-C can reach this process twice (directly and forwarded by npm).
  const stop = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (stop.signal.aborted) return;
    log(`${sig}: stopping after this batch and saving the run`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let result: Awaited<ReturnType<typeof train>>;
  // DP-SGD's step and Poisson sampler live in the privacy lab
  const dp = recipe.dp;
  const dpTraining = dp ? dpSgdTraining(dp) : undefined;
  const DELTA = 1e-5;
  const dpSteps = (epochsDone: number) => (dp ? epochsDone * poissonSteps(dp.sampleRate) : 0);
  try {
    result = await train(recipe, trainSplit, {
      checkpoint: store,
      saveEvery: saveEveryMinutes > 0 ? { seconds: 60 * saveEveryMinutes } : undefined,
      signal: stop.signal,
      stopAfterEpoch: stopAfter,
      holdoutAttack: holdoutPgd,
      // TRADES's step lives in the defences lab; other recipes get the core loop's own step from it
      step: dpTraining?.step ?? recipeStep,
      sampler: dpTraining?.sampler,
      initialWeights,
      onBatch: (step, total) => {
        const pct = Math.floor((100 * step) / total);
        if (pct % 5 === 0 && pct !== lastPct) {
          lastPct = pct;
          log(`  ${pct}% (${step}/${total} steps)`);
        }
      },
      onEpoch: (r) =>
        log(
          `epoch ${r.epoch}: ${r.seconds.toFixed(0)} s, ${r.imagesPerSecond.toFixed(0)} img/s, loss ${r.trainLoss.toFixed(4)}, eps ${r.eps.toFixed(3)}, ` +
            (Number.isNaN(r.holdoutClean) ? 'no holdout' : `holdout clean ${(100 * r.holdoutClean).toFixed(2)}%`) +
            (dp
              ? `, epsilon ${epsilonSpent('rdp', [{ noiseMultiplier: dp.noiseMultiplier, sampleRate: dp.sampleRate, steps: dpSteps(r.epoch) }], DELTA).epsilon.toFixed(3)} (rdp, delta ${DELTA})`
              : '') +
            (r.holdoutRobust !== null ? `, holdout PGD-10 ${(100 * r.holdoutRobust).toFixed(2)}%` : '') +
            (r.selected ? ' [best so far]' : ''),
        ),
    });
  } catch (e) {
    if (!stop.signal.aborted) throw e;
    const saved = await store.load();
    log(
      saved?.partial
        ? `stopped in epoch ${saved.epochsDone + 1} after batch ${saved.partial.batches}, saved; run the same command again to continue`
        : 'stopped; run the same command again to continue from the last saved epoch',
    );
    return 130;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (!result.complete) {
    log(`stopped after epoch ${stopAfter} of ${epochs} (${result.seconds.toFixed(0)} s so far); run the same command again to continue`);
    return 0;
  }
  log(`trained in ${result.seconds.toFixed(0)} s; checkpoint of epoch ${result.selectedEpoch}`);
  const { modelJson, weights } = await serializeLayersModel(result.model);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'model.json'), modelJson);
  writeFileSync(join(outDir, 'weights.bin'), weights);
  const clf = {
    logits: (x: tf.Tensor4D) => result.model.apply(x) as tf.Tensor2D,
    inputShape: ds.shape,
    numClasses: 10,
    outputKind: 'logits' as const,
  };
  const evalCmd = (extra: string) => `npm run --silent rlab -- eval --model ${recipe.id} --dataset ${ds.id}${dataDirArg} ${extra} --json`;
  // CIFAR-10 budgets are written in /255, as in the papers
  const fmt = (v: number) => formatBudget(v, imported);
  let clean = { n: 0, accuracy: NaN };
  const robust: RobustAccuracyEntry[] = [];
  if (!values['skip-eval']) {
    const c = await evaluate(clf, testSplit, { attack: 'none' });
    clean = { n: c.n, accuracy: c.cleanAccuracy };
    log(`test clean accuracy ${(100 * c.cleanAccuracy).toFixed(2)}% (${c.n} images)`);
    for (const e of recipe.evaluations) {
      const r = await evaluate(
        clf,
        testSplit,
        { attack: 'run', run: attackRunner(robustEntrySpec({ ...e, seed: 0 })) },
        { onProgress: (d, t) => d % 2000 === 0 && log(`  eval ${e.attack} eps ${e.eps}: ${d}/${t}`) },
      );
      log(
        `test robust accuracy ${(100 * r.robustAccuracy).toFixed(2)}% under PGD-${e.steps} eps ${fmt(e.eps)} (${r.seconds.toFixed(0)} s)`,
      );
      robust.push({
        ...e,
        norm: 'linf',
        seed: 0,
        n: r.n,
        accuracy: r.robustAccuracy,
        command: evalCmd(
          `--attack pgd --eps ${fmt(e.eps)} --steps ${e.steps} --step-size ${fmt(e.stepSize)}${e.randomStart ? ' --random-start' : ''} --restarts ${e.restarts} --seed 0`,
        ),
      });
    }
  }
  let privacy: PrivacyEntry | undefined;
  if (dp) {
    const steps = dpSteps(epochs);
    privacy = privacyEntry({ ...dp, expectedBatch: expectedBatchSize(trainSplit.n - recipe.holdout, dp.sampleRate), steps, delta: DELTA });
    for (const s of privacy.epsilon)
      log(
        `epsilon ${s.epsilon.toFixed(3)} at delta ${DELTA} (${s.accountant}${s.order !== undefined ? `, order ${s.order}` : ''}), ${steps} steps`,
      );
  }
  const card: ModelCard = {
    ...cardBase(result.model, ds, recipe.id, `${recipe.architecture}: ${ARCHITECTURES[recipe.architecture]}`),
    recipe: recipe.id,
    training: describeTraining(recipe, imported),
    command,
    seed: recipe.seed,
    epochs,
    selectedEpoch: result.selectedEpoch,
    trainingSeconds: Math.round(result.seconds),
    backend: `Node ${process.version}, TensorFlow.js ${tf.version.tfjs} ${backend} backend (with the lab's convolution gradients), ${backend === 'wasm' ? `${wasmThreads()} wasm thread(s) on ` : ''}a ${(await import('node:os')).cpus().length}-core machine`,
    tfjsVersion: tf.version.tfjs,
    cleanAccuracy: { ...clean, command: evalCmd('--attack none') },
    robustAccuracy: robust,
    ...(privacy && { privacy }),
    weights: [{ path: 'weights.bin', sha256: await sha256Hex(weights), bytes: weights.length }],
    notes: [
      `Trained on the ${recipe.holdout > 0 ? 'first ' : ''}${trainSplit.n - recipe.holdout} images of the official ${ds.name} training file; accuracies are on the full official test set (${testSplit.n} images).`,
      ...(imported
        ? [
            `Trained and measured on the shared JPEG re-encoded copy of CIFAR-10 written in the official binary layout (test_batch.bin sha256 ${await sha256Hex(readFileSync(join(values['data-dir'] ?? process.env.CIFAR10_DIR ?? '', 'test_batch.bin')))}); its pixels differ slightly from the original release, so accuracy on the original test set is close to, not equal to, these figures.`,
          ]
        : []),
    ],
  };
  writeFileSync(join(outDir, 'card.json'), JSON.stringify(card, null, 2) + '\n');
  writeFileSync(join(logDir, `history-seed${recipe.seed}.json`), JSON.stringify(result.history, null, 2));
  log(`wrote ${outDir}/{model.json,weights.bin,card.json}`);
  return 0;
}
