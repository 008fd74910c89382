/**
 * The attacks lab's worker jobs: the studio's single-image `attack` and the batch `robustness` check.
 * Each is a plain async function of a WorkerJobContext (cancellation signal, throttled progress,
 * shared services: active model, data sets, model downloads) and a request; the worker's job wrapper
 * (src/worker/jobs.ts) does the rest.
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import { imagesAsFloats } from '../../core/data/datasets';
import { sweepEpsilons, type EvalAttack } from '../../core/eval/sweep';
import type { LoadedModel } from '../../core/models/io';
import { defendWith, type DefenceSettings } from '../../core/defences/defend';
import type { WorkerJobContext } from '../../worker/jobs';
import type {
  AttackOutcome,
  AttackRequest,
  BatchExample,
  BatchImageRow,
  BatchOutcome,
  BatchRequest,
  CurveSeries,
  TracePoint,
} from '../../worker/protocol';
import { argmax, imageTensor, predictBatch, probabilities, sampleTensor } from '../../worker/tensors';
import {
  ATTACKS,
  AttackCancelled,
  resolveSpec,
  attackRunner,
  runAttack,
  expectedSteps,
  specFromSettings,
  type AttackOutcome as CoreOutcome,
  type TraceRecord,
} from './algorithms/registry';

/** The model behind the request's defence (the model itself without one); the seed draws its noise. */
function defended(model: LoadedModel, defence: DefenceSettings | undefined, seed: number): LoadedModel {
  if (!defence || defence.transforms.trim() === '') return model;
  return { ...model, classifier: defendWith(model.classifier, defence, seed) };
}

function tracePoint(r: TraceRecord, i = 0): TracePoint {
  return {
    step: r.step,
    restart: r.restart,
    loss: r.loss[i],
    trueProb: r.trueProb[i],
    topOtherClass: r.topOtherClass[i],
    topOtherProb: r.topOtherProb[i],
    margin: r.margin[i],
  };
}

/** The studio: one attack on one image (a test image or the user's picture), its trace streamed as it runs. */
export async function attackJob(ctx: WorkerJobContext<TracePoint>, req: AttackRequest): Promise<AttackOutcome> {
  const { services } = ctx;
  const active = services.model();
  const custom = req.image !== undefined;
  const split = custom ? null : services.dataset(req.dataset);
  // a picture of the user's has no true label: the reference is the model's clean prediction (set below)
  let label = split ? split.labels[req.sample] : -1;
  const a = req.attack;
  const spec = specFromSettings(a);
  if (!spec) throw new Error('choose an attack first');
  const total = expectedSteps(spec);
  const t0 = performance.now();
  const name = ATTACKS[spec.name].label;
  const progressLabel = custom ? `${name} on your picture` : `${name} on test image ${req.sample}`;
  const trace: TracePoint[] = [];
  let other: LoadedModel | null = null;
  let x: tf.Tensor4D | null = null;
  let out: CoreOutcome | null = null;
  // whatever is still held when the job ends (an error, a lost device) is freed
  ctx.onCleanup(() => {
    x?.dispose();
    out?.adversarial.dispose();
    other?.model.dispose();
  });
  if (req.model && req.model.id !== active.card.id) {
    if (req.model.dataset !== req.dataset) throw new Error(`${req.model.id} is not a model of ${req.dataset}`);
    other = (await services.downloadModel(req.model, ctx.signal, (p) => ctx.progress(p))).loaded;
  }
  const model = defended(other ?? active.loaded, req.defence, spec.seed ?? 0);
  const modelId = other ? req.model!.id : active.card.id;
  /** What every outcome of this run reports, read when it ends. */
  const outcomeHead = () => ({
    jobId: req.jobId,
    attack: a,
    model: modelId,
    sample: req.sample,
    label,
    custom,
    stepsRun: trace.length,
    seconds: (performance.now() - t0) / 1000,
  });
  if (split) {
    x = sampleTensor(split, req.sample);
  } else {
    x = imageTensor(req.image!, model);
    label = argmax(await probabilities(model, x));
  }
  ctx.progress({ label: progressLabel, done: 0, total, unit: 'steps', payload: [] });
  const onStep = (r: TraceRecord) => {
    const point = tracePoint(r);
    trace.push(point);
    // throttled and coalesced by the wrapper: every point reaches the chart, a few messages a second
    ctx.progress({ label: progressLabel, done: trace.length, total, unit: 'steps', loss: point.loss, payload: [point] });
  };
  try {
    out = await runAttack(model.classifier, x, [label], spec, { signal: ctx.signal, onStep, keepTrace: false });
  } catch (e) {
    if (!(e instanceof AttackCancelled)) throw e;
    // freed before the memory figure below
    x.dispose();
    other?.model.dispose();
    other = null;
    return { status: 'cancelled', ...outcomeHead(), memory: services.memory() } satisfies AttackOutcome;
  }
  const adv = out.adversarial;
  const [cleanProbs, probs] = [await probabilities(model, x), await probabilities(model, adv)];
  const deltaT = tf.sub(adv, x);
  const [pixels, original, delta] = (await Promise.all([adv.data(), x.data(), deltaT.data()])) as Float32Array[];
  deltaT.dispose();
  const predicted = argmax(probs);
  const d = model.classifier.defence;
  let defenceView: NonNullable<AttackOutcome['adversarial']>['defence'];
  if (d) {
    const [tOrig, tAdv] = [d.transform(x), d.transform(adv)];
    const [transformedOriginal, transformed] = (await Promise.all([tOrig.data(), tAdv.data()])) as Float32Array[];
    tf.dispose([tOrig, tAdv]);
    defenceView = {
      spec: d.spec,
      adaptive: d.adaptive,
      eotSamples: d.gradientSamples,
      attackedUndefended: !!d.attackOn,
      transformedOriginal,
      transformed,
    };
  }
  const outcome: AttackOutcome = {
    status: 'done',
    ...outcomeHead(),
    adversarial: {
      pixels,
      original,
      delta,
      cleanProbs,
      probs,
      cleanPredicted: argmax(cleanProbs),
      predicted,
      success: out.success[0] === 1,
      fooled: predicted !== label,
      target: out.targets ? out.targets[0] : null,
      norms: { l0: out.norms.l0[0], l2: out.norms.l2[0], linf: out.norms.linf[0] },
      queries: out.queries[0],
      gradientEvaluations: out.gradientEvaluations,
      ...(out.stages ? { stages: out.stages.map(({ stage, attacked, fooled, seconds }) => ({ stage, attacked, fooled, seconds })) } : {}),
      ...(defenceView ? { defence: defenceView } : {}),
      trace,
    },
    memory: services.memory(),
  };
  out.adversarial.dispose();
  out = null;
  x.dispose();
  x = null;
  other?.model.dispose();
  other = null;
  outcome.memory = services.memory();
  const extra = defenceView ? [defenceView.transformed.buffer, defenceView.transformedOriginal.buffer] : [];
  return Comlink.transfer(outcome, [pixels.buffer, original.buffer, delta.buffer, ...extra]);
}

/**
 * The batch check: clean and robust accuracy over a range of test images, at every epsilon of the
 * curve, for the active model and any extra models. Progress counts images x models, and moves with
 * every attack step inside a batch (a batch of 50 images under PGD-40 on an emulated GPU takes minutes).
 */
export async function robustnessJob(ctx: WorkerJobContext, req: BatchRequest): Promise<BatchOutcome> {
  const { services } = ctx;
  const main = services.model();
  const split = services.dataset(req.dataset);
  const a = req.attack;
  const spec = specFromSettings(a);
  if (!spec) throw new Error('choose an attack first');
  resolveSpec(spec);
  const info = ATTACKS[spec.name];
  const first = Math.max(0, Math.min(split.n - 1, Math.floor(req.start ?? 0)));
  const n = Math.max(1, Math.min(split.n - first, Math.floor(req.n)));
  const bs = Math.max(1, Math.min(1000, Math.floor(req.batchSize)));
  const bounded = info.kind === 'bounded';
  const epsilons = [...new Set([...req.epsilons.filter((e) => Number.isFinite(e) && e >= 0), ...(bounded ? [a.eps] : [])])].sort(
    (p, q) => p - q,
  );
  if (epsilons.length === 0) throw new Error('give at least one epsilon');
  const mainEps = bounded ? epsilons.indexOf(a.eps) : -1;
  const t0 = performance.now();
  const size = split.shape[0] * split.shape[1] * split.shape[2];
  const extras = req.extraModels.filter((c) => c.dataset === req.dataset && c.id !== main.card.id);
  const models = 1 + extras.length;
  // the counter runs over images x models: the label says so when there is more than one model
  const totalImages = n * models;
  const label = (id: string) =>
    models > 1 ? `${info.label} on ${n} test images × ${models} models (now ${id})` : `${info.label} on ${n} test images`;
  /** Attack runs per batch (one per epsilon for bounded attacks) and trace records per run. */
  const runsPerBatch = bounded ? epsilons.length : 1;
  const stepsPerRun = Math.max(1, expectedSteps(spec));
  let imagesDone = 0;
  const rows: BatchImageRow[] = [];
  const examples: BatchExample[] = [];
  const curves: CurveSeries[] = [];
  let robustMain = 0;
  /** An attack made of stages (AutoAttack): per stage, summed over the main model's batches. */
  const stages: { stage: string; attacked: number; fooled: number; seconds: number }[] = [];
  let cancelled = false;

  const report = (id: string, done: number) => {
    const seconds = (performance.now() - t0) / 1000;
    ctx.progress({
      label: label(id),
      done: Math.round(done * 10) / 10,
      total: totalImages,
      unit: 'images',
      rate: done > 0 ? done / Math.max(seconds, 1e-3) : undefined,
    });
  };

  /** Clean and robust accuracy of one model over the first n images; the main model also gives rows and examples. */
  const evaluateModel = async (undefended: LoadedModel, id: string, isMain: boolean): Promise<void> => {
    const model = defended(undefended, req.defence, spec.seed ?? 0);
    let clean = 0;
    const robust = epsilons.map(() => 0);
    let done = 0;
    for (let start = 0; start < n; start += bs) {
      ctx.throwIfCancelled();
      const count = Math.min(bs, n - start);
      const from = first + start;
      const labels = Array.from(split.labels.subarray(from, from + count));
      const x = tf.tensor4d(imagesAsFloats(split, from, count), [count, ...split.shape]);
      const outs: CoreOutcome[] = [];
      // the part of this batch done so far: runs finished plus the steps of the one under way
      let run = 0;
      let steps = 0;
      const hooks = {
        signal: ctx.signal,
        keepTrace: false,
        onStep: () => {
          steps++;
          report(id, imagesDone + (count * (run + Math.min(1, steps / stepsPerRun))) / runsPerBatch);
        },
      };
      const nextRun = () => {
        run++;
        steps = 0;
      };
      try {
        const cleanPred = await predictBatch(model, x);
        const correct = labels.map((l, i) => cleanPred[i] === l);
        clean += correct.filter(Boolean).length;
        // the seed of a batch is tied to the index of its first image, as in rlab eval; robust per epsilon
        // through the one sweep path (core/eval/sweep.ts), keeping the outcomes for the rows and examples
        const runner = attackRunner(spec);
        const counted: EvalAttack = {
          ...runner,
          run: async (...args) => {
            const out = await runner.run(...args);
            nextRun();
            return out;
          },
        };
        const sweep = await sweepEpsilons(model.classifier, x, labels, counted, epsilons, hooks, {
          seed: (spec.seed ?? 0) + from,
          keepOutcomes: true,
          cleanPredictions: cleanPred,
        });
        outs.push(...new Set(sweep.outcomes));
        sweep.robust.forEach((r, k) => (robust[k] += r.reduce((a, v) => a + v, 0)));
        const atEps = sweep.outcomes![bounded ? mainEps : 0];
        if (isMain) {
          for (const st of atEps.stages ?? []) {
            const at = stages.find((x) => x.stage === st.stage);
            if (at)
              Object.assign(at, { attacked: at.attacked + st.attacked, fooled: at.fooled + st.fooled, seconds: at.seconds + st.seconds });
            else stages.push({ stage: st.stage, attacked: st.attacked, fooled: st.fooled, seconds: st.seconds });
          }
          const needExamples = examples.length < req.maxExamples;
          const adv = needExamples ? ((await atEps.adversarial.data()) as Float32Array) : null;
          for (let i = 0; i < count; i++) {
            const fooled = atEps.fooled[i] === 1;
            if (correct[i] && !fooled) robustMain++;
            rows.push({
              index: from + i,
              label: labels[i],
              cleanPredicted: cleanPred[i],
              advPredicted: atEps.predictions[i],
              fooled,
              l0: atEps.norms.l0[i],
              l2: atEps.norms.l2[i],
              linf: atEps.norms.linf[i],
              queries: atEps.queries[i],
            });
            if (adv && correct[i] && fooled && examples.length < req.maxExamples)
              examples.push({
                index: from + i,
                label: labels[i],
                predicted: atEps.predictions[i],
                pixels: adv.slice(i * size, (i + 1) * size),
              });
          }
        }
      } finally {
        x.dispose();
        for (const o of outs) o.adversarial.dispose();
      }
      done += count;
      imagesDone += count;
      report(id, imagesDone);
      // the finished part counts when the run is cancelled
      const series = { model: id, cleanAccuracy: clean / done, robustAccuracy: robust.map((r) => r / done) };
      const at = curves.findIndex((c) => c.model === id);
      if (at >= 0) curves[at] = series;
      else curves.push(series);
    }
  };

  ctx.progress({ label: label(main.card.id), done: 0, total: totalImages, unit: 'images' });
  try {
    await evaluateModel(main.loaded, main.card.id, true);
    for (const card of extras) {
      const { loaded } = await services.downloadModel(card, ctx.signal, (p) => ctx.progress(p));
      try {
        await evaluateModel(loaded, card.id, false);
      } finally {
        loaded.model.dispose();
      }
    }
  } catch (e) {
    if (!(e instanceof AttackCancelled) && !ctx.signal.aborted) throw e;
    cancelled = true;
  }
  const mainCurve = curves.find((c) => c.model === main.card.id);
  const outcome: BatchOutcome = {
    status: cancelled ? 'cancelled' : 'done',
    jobId: req.jobId,
    dataset: req.dataset,
    model: main.card.id,
    attack: a,
    ...(req.defence && req.defence.transforms.trim() !== '' ? { defence: { ...req.defence } } : {}),
    start: first,
    n: rows.length,
    cleanAccuracy: mainCurve?.cleanAccuracy ?? 0,
    robustAccuracy: rows.length > 0 ? robustMain / rows.length : 0,
    ...(stages.length > 0 ? { stages } : {}),
    epsilons,
    curves,
    rows,
    examples,
    seconds: (performance.now() - t0) / 1000,
    memory: services.memory(),
  };
  return Comlink.transfer(
    outcome,
    examples.map((x) => x.pixels.buffer),
  );
}

/** The attacks lab's jobs, by name (the worker lists them in src/worker/lab-jobs.ts). */
export const attackJobs = {
  attack: attackJob,
  robustness: robustnessJob,
};
