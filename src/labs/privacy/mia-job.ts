/**
 * The worker job `mia`: the membership-inference experiment (mia.ts) on a bundled data set's training
 * split (the pool) with the test split's first images as holdout, then every attack on the target.
 * Progress: `done` counts training steps over all K + 1 models; the payload streams one `model` item as
 * each model finishes (its train and test accuracy). The result holds each attack's metrics and ROC
 * points (for the log-log chart) and the most exposed members: the target's training images that the
 * strongest attack (highest TPR at 0.1% FPR) is surest of, with their pixels.
 */
import { getDataset } from '../../core/data/datasets';
import type { WorkerJobContext } from '../../worker/jobs';
import { MIA_ATTACKS, mostExposed, runMiaAttack, targetEpsilon, trainMiaModels, type MiaAttack, type MiaConfig } from './mia';

export interface MiaRequest {
  config: MiaConfig;
  /** Exposed images to return. */
  exposed: number;
}

export type MiaEvent = { kind: 'model'; model: number; models: number; trainAccuracy: number; testAccuracy: number };

export interface MiaAttackSummary {
  attack: MiaAttack;
  auc: number;
  tprAt001: number;
  tprAt01: number;
  advantage: number;
  curve: { fpr: number; tpr: number }[];
}

export interface ExposedImage {
  /** Index in the training split. */
  index: number;
  label: number;
  score: number;
  pixels: Uint8Array;
}

export interface MiaOutcome {
  config: MiaConfig;
  attacks: MiaAttackSummary[];
  /** The attack the exposed images are ranked by. */
  exposedBy: MiaAttack;
  exposed: ExposedImage[];
  shape: [number, number, number];
  members: number;
  nonMembers: number;
  targetTrainAccuracy: number;
  targetTestAccuracy: number;
  /** With DP-SGD (config.dp): the target's epsilon at delta (RDP and PRV accountants); null without. */
  targetEpsilon: { rdp: number; prv: number; delta: number } | null;
  seconds: number;
}

export async function miaJob(ctx: WorkerJobContext<MiaEvent>, req: MiaRequest): Promise<MiaOutcome> {
  const cfg = req.config;
  const ds = getDataset(cfg.dataset);
  const train = await ctx.services.trainingSplit(ds.id, ctx.signal, (p) => ctx.progress({ ...p, payload: [] }));
  let test;
  try {
    test = ctx.services.dataset(ds.id);
  } catch {
    throw new Error(`the ${ds.name} test images are not loaded: choose ${ds.name} in Setup`);
  }
  const t0 = performance.now();
  const label = `Membership inference on ${ds.name}: ${cfg.shadows} shadows + target, pool ${cfg.pool}`;
  // steps of model m: ceil(members / batch) x epochs; the total is known once the masks are drawn, so
  // the progress counts finished models' steps plus the running model's
  let doneBefore = 0;
  let current = 0;
  let lastModel = -1;
  const perModelGuess = Math.ceil(cfg.pool / 2 / cfg.training.batchSize) * cfg.training.epochs;
  const total = perModelGuess * (cfg.shadows + 1);
  ctx.progress({ label, done: 0, total, unit: 'steps', payload: [] });
  const models = await trainMiaModels(cfg, train, test, {
    signal: ctx.signal,
    onProgress: (p) => {
      if (p.model !== lastModel) {
        doneBefore += current;
        current = 0;
        lastModel = p.model;
      }
      current = p.step;
      const done = Math.min(total, doneBefore + current);
      ctx.progress({
        label: `${label} · model ${p.model + 1} of ${p.models}${p.model === p.models - 1 ? ' (target)' : ''}`,
        done,
        total,
        unit: 'steps',
        rate: done / ((performance.now() - t0) / 1000),
        payload: [],
      });
    },
  });
  models.logits.forEach((_, m) =>
    ctx.progress({
      label,
      done: total,
      total,
      unit: 'steps',
      payload: [
        {
          kind: 'model',
          model: m,
          models: models.logits.length,
          trainAccuracy: models.trainAccuracy[m],
          testAccuracy: models.testAccuracy[m],
        },
      ],
    }),
  );
  const results = MIA_ATTACKS.map((a) => runMiaAttack(models, a));
  const best = results.reduce((b, r) => (r.tprAt001 > b.tprAt001 || (r.tprAt001 === b.tprAt001 && r.auc > b.auc) ? r : b));
  const size = train.shape[0] * train.shape[1] * train.shape[2];
  const exposed = mostExposed(models, best, req.exposed).map((i) => {
    const index = models.poolIndex[i];
    return { index, label: models.labels[i], score: best.scores[i], pixels: train.pixels.slice(index * size, (index + 1) * size) };
  });
  const k = models.keep.length - 1;
  const members = models.keep[k].reduce((s, x) => s + x, 0);
  return {
    config: cfg,
    attacks: results.map((r) => ({
      attack: r.attack,
      auc: r.auc,
      tprAt001: r.tprAt001,
      tprAt01: r.tprAt01,
      advantage: r.advantage,
      curve: r.curve,
    })),
    exposedBy: best.attack,
    exposed,
    shape: train.shape,
    members,
    nonMembers: cfg.pool - members,
    targetTrainAccuracy: models.trainAccuracy[k],
    targetTestAccuracy: models.testAccuracy[k],
    targetEpsilon: targetEpsilon(cfg, models),
    seconds: (performance.now() - t0) / 1000,
  };
}
