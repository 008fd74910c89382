/**
 * The worker's `poison` job: the data-poisoning run of poisoning.ts on the browser's training split,
 * with per-batch progress and cancel, returning the figures, a few triggered test images with their
 * clean and triggered predictions, and the saliency of the target logit on the triggered images.
 */
import * as tf from '@tensorflow/tfjs';
import { batchTensor } from '../../core/data/batches';
import { JobCancelled } from '../../core/jobs';
import { getDataset } from '../../core/data/datasets';
import type { WorkerJobContext } from '../../worker/jobs';
import { poisonLabel } from './algorithms/badnets';
import { parseTrigger, triggerOrigin, withTrigger } from './algorithms/trigger';
import type { PoisonSettings } from './experiment/poison';
import { classifierOfModel, runPoisoning, saliencyMaps, type DefenceOutcome, type PoisonPhase } from './poisoning';

export interface PoisonRequest {
  jobId: number;
  dataset: string;
  settings: PoisonSettings;
  seed: number;
  /** Triggered test images sent back. */
  samples: number;
}

/** Streamed: the loss of each batch. */
export interface PoisonBatchPoint {
  phase: PoisonPhase;
  step: number;
  loss: number;
}

export interface PoisonSample {
  index: number;
  label: number;
  /** The label the attack wants. */
  attackLabel: number;
  clean: Uint8Array;
  triggered: Uint8Array;
  cleanPrediction: number;
  triggeredPrediction: number;
  /** |d logit_attackLabel / d x| on the triggered image, H * W. */
  saliency: Float32Array;
  /** The defended model's prediction of the triggered image (after retraining), when there is one. */
  defendedPrediction: number | null;
}

export interface PoisonOutcome {
  dataset: string;
  settings: PoisonSettings;
  seed: number;
  shape: [number, number, number];
  trainImages: number;
  poisoned: number;
  testImages: number;
  asrImages: number;
  cleanAccuracy: number;
  asr: number;
  defence: DefenceOutcome | null;
  samples: PoisonSample[];
  /** The trigger's box in the image: the saliency's share inside it (mean over the samples). */
  saliencyInTrigger: number;
  triggerBox: { x: number; y: number; size: number };
  seconds: number;
  backend: string;
}

export async function poisonJob(ctx: WorkerJobContext<PoisonBatchPoint>, req: PoisonRequest): Promise<PoisonOutcome> {
  const { services } = ctx;
  const ds = getDataset(req.dataset);
  const s = req.settings;
  const trainSplit = await services.trainingSplit(req.dataset, ctx.signal, (p) => ctx.progress({ ...p, payload: [] }));
  let test;
  try {
    test = services.dataset(req.dataset);
  } catch {
    throw new Error(`the ${ds.name} test images are not loaded: choose ${ds.name} in Setup`);
  }
  const models: tf.LayersModel[] = [];
  ctx.onCleanup(() => models.forEach((m) => m.dispose()));
  let label = 'Poisoning';
  const out = await runPoisoning(req.dataset, trainSplit, test, s, req.seed, {
    signal: ctx.signal,
    onPhase: (_phase, text) => {
      label = text;
      ctx.progress({ label, done: 0, total: 0, unit: 'steps', payload: [] });
    },
    onBatch: (phase, step, total, loss) =>
      ctx.progress({ label, done: step + 1, total, unit: 'steps', loss, payload: [{ phase, step: step + 1, loss }] }),
  }).catch((e: unknown) => {
    // the training loop's own "training cancelled" is the job's cancellation
    if (ctx.signal.aborted) throw new JobCancelled('the poisoning run');
    throw e;
  });
  models.push(out.model);
  if (out.defendedModel) models.push(out.defendedModel);
  const trigger = parseTrigger(s.trigger, test.shape);
  const n = Math.min(req.samples, out.asr.indices.length);
  const idx = Array.from(out.asr.indices.subarray(0, n));
  const per = test.shape[0] * test.shape[1] * test.shape[2];
  const triggered = withTrigger(test, trigger, idx);
  const { x, y } = batchTensor(
    triggered,
    Array.from({ length: n }, (_, j) => j),
  );
  y.dispose();
  const clf = classifierOfModel(out.model, test.shape);
  const saliency: Float32Array[] = [];
  for (let j = 0; j < n; j++) {
    const attackLabel = poisonLabel(test.labels[idx[j]], s.mode, s.target);
    const one = tf.slice(x, [j, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D;
    saliency.push(await saliencyMaps(clf, one, attackLabel));
    one.dispose();
  }
  let defended: Int32Array | null = null;
  if (out.defendedModel) {
    const d = out.defendedModel;
    const p = tf.tidy(() => tf.argMax(d.apply(x) as tf.Tensor2D, 1));
    defended = (await p.data()) as Int32Array;
    p.dispose();
  }
  x.dispose();
  const [h, w] = test.shape;
  const box = { ...triggerOrigin(trigger, test.shape), size: trigger.size };
  let inside = 0;
  for (const m of saliency) {
    let all = 0;
    let inBox = 0;
    for (let r = 0; r < h; r++)
      for (let c = 0; c < w; c++) {
        const v = m[r * w + c];
        all += v;
        if (r >= box.y && r < box.y + box.size && c >= box.x && c < box.x + box.size) inBox += v;
      }
    inside += all > 0 ? inBox / all : 0;
  }
  const samples: PoisonSample[] = idx.map((i, j) => ({
    index: i,
    label: test.labels[i],
    attackLabel: poisonLabel(test.labels[i], s.mode, s.target),
    clean: test.pixels.slice(i * per, (i + 1) * per),
    triggered: triggered.pixels.slice(j * per, (j + 1) * per),
    cleanPrediction: out.cleanPredictions[i],
    triggeredPrediction: out.asr.predictions[j],
    saliency: saliency[j],
    defendedPrediction: defended ? defended[j] : null,
  }));
  const status = services.backend();
  return {
    dataset: req.dataset,
    settings: s,
    seed: req.seed,
    shape: test.shape,
    trainImages: out.trainImages,
    poisoned: out.poisoned.length,
    testImages: out.testImages,
    asrImages: out.asr.n,
    cleanAccuracy: out.cleanAccuracy,
    asr: out.asr.rate,
    defence: out.defence,
    samples,
    saliencyInTrigger: n ? inside / n : 0,
    triggerBox: box,
    seconds: out.seconds,
    backend: status?.name ?? tf.getBackend(),
  };
}
