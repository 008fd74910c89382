/**
 * rlab mia: membership inference on a target trained by the lab (mia.ts: LiRA's set-up, K shadow models
 * and a target on random halves of a pool), one attack or all; with --json one object,
 * {"auc","tpr_at_fpr":{"0.001","0.01"},"advantage"} (and the run's settings and accuracies). The models'
 * outputs are cached under runs/mia/<run key>/, so the attacks on one pool train it once. The run's
 * settings are the privacy slice's MIA fields (experiment/mia.ts, `pv.*` URL keys, flags --mia-pool ...)
 * through src/cli/field-flags.ts, each also under its name without `mia-` (--pool, --shadows, --seed,
 * --arch, --epochs, --batch, --lr, --holdout), which the help lists first.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getDataset } from '../../../core/data/datasets';
import { initNodeBackend, type NodeBackend } from '../../../core/engine/node-backend';
import type { ArchitectureId } from '../../../core/models/architectures';
import { parse, UsageError } from '../../../cli/args';
import type { Command } from '../../../cli/command';
import { fieldFlags, fieldOptions, readFieldFlags } from '../../../cli/field-flags';
import { loadNodeSplit } from '../../../cli/node-io';
import { projectRoot } from '../../../cli/paths';
import { PRIVACY_SLICE } from '../experiment';
import { defaultMia, MIA_FIELDS, miaDp, type MiaPart } from '../experiment/mia';
import {
  MIA_ATTACKS,
  miaRunKey,
  runMiaAttack,
  targetEpsilon,
  trainMiaModels,
  type AttackResult,
  type MiaAttack,
  type MiaConfig,
  type ModelCache,
  type ModelRecord,
} from '../mia';

/** Each MIA field's flag without its `mia-` prefix: --pool for --mia-pool. */
export const MIA_ALIASES: Readonly<Record<string, string>> = Object.fromEntries(MIA_FIELDS.map((f) => [f.cli.replace(/^mia-/, ''), f.cli]));

export const MIA_OPTIONS = {
  dataset: { type: 'string' },
  attack: { type: 'string', default: 'all' },
  dp: { type: 'string' },
  ...fieldOptions(MIA_FIELDS, MIA_ALIASES),
  backend: { type: 'string', default: 'wasm' },
  'data-dir': { type: 'string' },
  fresh: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

/** The run's configuration from the flags (the slice's defaults where absent); one-line errors. */
export function miaConfigFromFlags(v: Record<string, string | boolean | undefined>): { cfg: MiaConfig; attacks: MiaAttack[] } {
  const d = readFieldFlags(MIA_FIELDS, v, { mia: defaultMia() } as MiaPart, MIA_ALIASES).mia;
  const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const dataset = str('dataset') ?? d.dataset;
  try {
    getDataset(dataset);
  } catch (e) {
    throw new UsageError(`--dataset ${dataset}: ${(e as Error).message}`);
  }
  const arch = d.architecture as ArchitectureId;
  const a = str('attack') ?? 'all';
  if (a !== 'all' && !(MIA_ATTACKS as readonly string[]).includes(a))
    throw new UsageError(`--attack ${a}: one of ${MIA_ATTACKS.join(', ')}, all`);
  // --dp sigma,C: the short form of --dp-noise sigma --dp-clip C
  let dp: MiaConfig['dp'] = miaDp(d);
  const dpRaw = str('dp');
  if (dpRaw !== undefined) {
    const m = /^\s*([0-9.eE+-]+)\s*,\s*([0-9.eE+-]+)\s*$/.exec(dpRaw);
    const sigma = m ? Number(m[1]) : NaN;
    const clip = m ? Number(m[2]) : NaN;
    if (!(sigma >= 0) || !(clip > 0))
      throw new UsageError(`--dp ${JSON.stringify(dpRaw)}: give sigma,C (noise multiplier >= 0, clipping norm > 0), e.g. --dp 1.0,1.0`);
    dp = { sigma, clip };
  }
  const cfg: MiaConfig = {
    dataset,
    pool: d.pool,
    shadows: d.shadows,
    seed: d.seed,
    training: { architecture: arch, epochs: d.epochs, batchSize: d.batchSize, learningRate: d.learningRate },
    holdout: d.holdout,
    ...(dp && { dp }),
  };
  return { cfg, attacks: a === 'all' ? [...MIA_ATTACKS] : [a as MiaAttack] };
}

/** Model outputs under runs/mia/<key>/: model-<m>.f32 (logits) and model-<m>.json (accuracies). */
function fileCache(dir: string): ModelCache {
  return {
    async load(m) {
      const f = join(dir, `model-${m}.f32`);
      const j = join(dir, `model-${m}.json`);
      if (!existsSync(f) || !existsSync(j)) return null;
      const buf = await readFile(f);
      const meta = JSON.parse(await readFile(j, 'utf8')) as Omit<ModelRecord, 'logits'>;
      return { ...meta, logits: new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)) };
    },
    async save(m, rec) {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, `model-${m}.f32`), Buffer.from(rec.logits.buffer, rec.logits.byteOffset, rec.logits.byteLength));
      await writeFile(join(dir, `model-${m}.json`), JSON.stringify({ trainAccuracy: rec.trainAccuracy, testAccuracy: rec.testAccuracy }));
    },
  };
}

const r4 = (x: number) => Number(x.toFixed(4));
const r6 = (x: number) => Number(x.toFixed(6));

function attackJson(r: AttackResult) {
  return { auc: r6(r.auc), tpr_at_fpr: { '0.001': r6(r.tprAt001), '0.01': r6(r.tprAt01) }, advantage: r6(r.advantage) };
}

export async function runMia(args: string[]): Promise<number> {
  const { values } = parse(args, MIA_OPTIONS);
  const v = values as Record<string, string | boolean | undefined>;
  const { cfg, attacks } = miaConfigFromFlags(v);
  if (v.backend !== 'wasm' && v.backend !== 'cpu')
    throw new UsageError(`--backend ${String(v.backend)} is not available in Node (wasm, cpu)`);
  const backend = await initNodeBackend(v.backend as NodeBackend);
  const dataDir = typeof v['data-dir'] === 'string' ? v['data-dir'] : undefined;
  const train = await loadNodeSplit(cfg.dataset, 'train', dataDir);
  const test = await loadNodeSplit(cfg.dataset, 'test', dataDir);
  if (cfg.pool > train.n) throw new UsageError(`--pool ${cfg.pool}: the ${cfg.dataset} training split has ${train.n} images`);
  if (cfg.holdout > test.n) throw new UsageError(`--holdout ${cfg.holdout}: the ${cfg.dataset} test split has ${test.n} images`);
  const key = miaRunKey(cfg);
  const dir = join(projectRoot(), 'runs', 'mia', key);
  const cache = fileCache(dir);
  if (v.fresh) {
    const { rm } = await import('node:fs/promises');
    await rm(dir, { recursive: true, force: true });
  }
  const t0 = performance.now();
  let last = 0;
  const models = await trainMiaModels(cfg, train, test, {
    cache,
    onProgress: (p) => {
      const now = performance.now();
      if (p.step === p.steps || now - last > 10000) {
        last = now;
        process.stderr.write(
          `model ${p.model + 1}/${p.models}${p.model === p.models - 1 ? ' (target)' : ''}: ${p.cached ? 'cached' : `step ${p.step}/${p.steps}`}  ${((now - t0) / 1000).toFixed(0)} s\n`,
        );
      }
    },
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  const results = attacks.map((a) => runMiaAttack(models, a));
  const k = models.logits.length - 1;
  const eps = targetEpsilon(cfg, models);
  const info = {
    dataset: cfg.dataset,
    pool: cfg.pool,
    shadows: cfg.shadows,
    seed: cfg.seed,
    architecture: cfg.training.architecture,
    epochs: cfg.training.epochs,
    batch: cfg.training.batchSize,
    lr: cfg.training.learningRate,
    holdout: cfg.holdout,
    backend,
    members: models.keep[k].reduce((s, x) => s + x, 0),
    target_train_accuracy: r4(models.trainAccuracy[k]),
    target_test_accuracy: r4(models.testAccuracy[k]),
    shadow_train_accuracy: r4(models.trainAccuracy.slice(0, k).reduce((s, x) => s + x, 0) / k),
    shadow_test_accuracy: r4(models.testAccuracy.slice(0, k).reduce((s, x) => s + x, 0) / k),
    train_seconds: Number(trainSeconds.toFixed(1)),
    cache: `runs/mia/${key}`,
    ...(cfg.dp && {
      dp: { noise_multiplier: cfg.dp.sigma, clip: cfg.dp.clip, epsilon: eps && { rdp: r4(eps.rdp), prv: r4(eps.prv), delta: eps.delta } },
    }),
  };
  if (v.json) {
    const out =
      results.length === 1
        ? { attack: results[0].attack, ...attackJson(results[0]), ...info }
        : { attacks: Object.fromEntries(results.map((r) => [r.attack, attackJson(r)])), ...info };
    process.stdout.write(JSON.stringify(out) + '\n');
  } else {
    console.log(
      `${cfg.dataset}, pool ${cfg.pool}, ${cfg.shadows} shadows, ${cfg.training.architecture} ${cfg.training.epochs} epochs: target train ${(100 * info.target_train_accuracy).toFixed(1)}%, test ${(100 * info.target_test_accuracy).toFixed(1)}%`,
    );
    for (const r of results)
      console.log(
        `${r.attack.padEnd(18)} AUC ${r.auc.toFixed(4)}  TPR@0.1%FPR ${(100 * r.tprAt001).toFixed(2)}%  TPR@1%FPR ${(100 * r.tprAt01).toFixed(2)}%  advantage ${r.advantage.toFixed(4)}`,
      );
  }
  tf.disposeVariables();
  return 0;
}

export const miaCommand: Command = {
  name: 'mia',
  summary: 'membership inference (loss threshold, shadow models, LiRA online/offline) on a target trained by the lab among K shadows',
  flags: [
    { name: 'dataset', value: 'id', help: 'the data set (default fashion-mnist; cifar10 needs --data-dir)' },
    { name: 'attack', value: `${MIA_ATTACKS.join('|')}|all`, help: 'the attack (default all)' },
    { name: 'dp', value: 'sigma,C', help: 'train every model with DP-SGD (noise multiplier, clipping norm)' },
    ...fieldFlags(MIA_FIELDS, { mia: defaultMia() }, { aliases: MIA_ALIASES, urlPrefix: PRIVACY_SLICE.prefix }),
    { name: 'backend', value: 'wasm|cpu', help: 'TensorFlow.js backend in Node (wasm)' },
    { name: 'data-dir', value: 'dir', help: 'the cifar-10-batches-bin folder (cifar10)' },
    { name: 'fresh', help: 'train again instead of using the cached models of this run' },
    { name: 'json', help: 'print one JSON object' },
  ],
  notes: [
    "The target is the last of K + 1 models; each pool image is in exactly floor((K + 1) / 2) of them (LiRA's set-up), so the target's members are about half the pool.",
    "tpr_at_fpr: the TPR of the last ROC point with FPR strictly below the level (as LiRA's plot.py). Models are cached under runs/mia/.",
  ],
  run: runMia,
};
