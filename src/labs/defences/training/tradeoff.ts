/**
 * The trade-off chart's job: clean against robust accuracy of several models (the zoo's and the
 * user's), each measured with the same attack on the same test images in one run, through the core's
 * evaluate (the attack's seed per batch is tied to its first image, as in rlab eval and the batch
 * check). Each point says how its model was trained, read from its card.
 */
import { sliceSplit } from '../../../core/data/batches';
import { evaluate } from '../../../core/eval/evaluate';
import type { ModelCard } from '../../../core/models/card';
import type { WorkerJobContext } from '../../../worker/jobs';
import { attackRunner, specFromSettings, type AttackSettings } from '../../attacks/index';
export { trainingMethodOf } from './log';
import { trainingMethodOf } from './log';
import { isUserModel } from './user-models';

export interface TradeoffPoint {
  model: string;
  method: string;
  mine: boolean;
  clean: number;
  robust: number;
}

export interface TradeoffRequest {
  jobId: number;
  dataset: string;
  models: ModelCard[];
  attack: AttackSettings;
  start: number;
  n: number;
}

export interface TradeoffOutcome {
  status: 'done' | 'cancelled';
  dataset: string;
  attack: AttackSettings;
  start: number;
  n: number;
  points: TradeoffPoint[];
  /** Models that could not be measured, with why. */
  failed: { model: string; error: string }[];
  seconds: number;
}

export async function tradeoffJob(ctx: WorkerJobContext, req: TradeoffRequest): Promise<TradeoffOutcome> {
  const { services } = ctx;
  const spec = specFromSettings(req.attack);
  if (!spec) throw new Error('choose an attack in the studio first');
  const run = attackRunner(spec);
  const test = services.dataset(req.dataset);
  const start = Math.max(0, Math.min(test.n - 1, Math.floor(req.start)));
  const n = Math.max(1, Math.min(test.n - start, Math.floor(req.n)));
  const images = sliceSplit(test, start, start + n);
  const models = req.models.filter((m) => m.dataset === req.dataset);
  const t0 = performance.now();
  const points: TradeoffPoint[] = [];
  const failed: { model: string; error: string }[] = [];
  const label = `Trade-off: ${spec.name} on ${n} test images × ${models.length} models`;
  let cancelled = false;
  for (const [k, card] of models.entries()) {
    if (ctx.signal.aborted) {
      cancelled = true;
      break;
    }
    ctx.progress({ label: `${label} (now ${card.id})`, done: k * n, total: models.length * n, unit: 'images' });
    let loaded;
    try {
      loaded = (await services.downloadModel(card, ctx.signal, (p) => ctx.progress(p))).loaded;
    } catch (e) {
      if (ctx.signal.aborted) {
        cancelled = true;
        break;
      }
      failed.push({ model: card.id, error: e instanceof Error ? e.message : String(e) });
      continue;
    }
    try {
      const r = await evaluate(
        loaded.classifier,
        images,
        { attack: 'run', run },
        {
          signal: ctx.signal,
          batchSize: 100,
          onProgress: (done) =>
            ctx.progress({ label: `${label} (now ${card.id})`, done: k * n + done, total: models.length * n, unit: 'images' }),
        },
      );
      points.push({
        model: card.id,
        method: trainingMethodOf(card),
        mine: isUserModel(card),
        clean: r.cleanAccuracy,
        robust: r.robustAccuracy,
      });
    } catch (e) {
      if (!ctx.signal.aborted) throw e;
      cancelled = true;
      break;
    } finally {
      loaded.model.dispose();
    }
  }
  return {
    status: cancelled ? 'cancelled' : 'done',
    dataset: req.dataset,
    attack: req.attack,
    start,
    n,
    points,
    failed,
    seconds: (performance.now() - t0) / 1000,
  };
}
