/**
 * The worker job `leak`: gradient leakage (leak-run.ts) on the loaded test split, with progress every
 * few optimiser steps carrying the current reconstruction (so the panel animates it beside the
 * original) and its MSE / PSNR; cancel stops the attack at its next report. With `grid`, the job then
 * repeats the attack over batch sizes and noise levels (a short run each) and streams one PSNR point
 * per setting for the chart.
 */
import { getDataset } from '../../core/data/datasets';
import type { WorkerJobContext } from '../../worker/jobs';
import type { LeakSettings } from './experiment/leak';
import { batchOf, runLeak, type LeakRunProgress } from './leak-run';

export interface LeakGrid {
  batches: number[];
  noises: number[];
  /** Optimiser steps of each grid run. */
  iterations: number;
}

export interface LeakRequest {
  dataset: string;
  settings: LeakSettings;
  grid?: LeakGrid;
}

/** One reconstruction step as the panel animates it. */
export interface LeakFrame {
  step: number;
  loss: number;
  mse: number;
  psnr: number;
  reconstruction: Float32Array;
  labels: number[];
  /** The untrained network's probability of each true label, and the shared gradient's L2 norm (constant in a run). */
  trueLabelProbability: number[];
  gradientNorm: number;
}

export type LeakEvent =
  | { kind: 'original'; shape: [number, number, number]; original: Float32Array; labels: number[] }
  | ({ kind: 'frame' } & LeakFrame)
  | { kind: 'point'; batch: number; noise: number; psnr: number; mse: number };

export interface LeakOutcome {
  dataset: string;
  shape: [number, number, number];
  original: Float32Array;
  reconstruction: Float32Array;
  trueLabels: number[];
  labels: number[];
  mse: number;
  psnr: number;
  labelCorrect: boolean;
  steps: number;
  seconds: number;
  stopped: boolean;
  points: { batch: number; noise: number; psnr: number; mse: number }[];
}

export async function leakJob(ctx: WorkerJobContext<LeakEvent>, req: LeakRequest): Promise<LeakOutcome> {
  const ds = getDataset(req.dataset);
  let test;
  try {
    test = ctx.services.dataset(ds.id);
  } catch {
    throw new Error(`the ${ds.name} test images are not loaded: choose ${ds.name} in Setup`);
  }
  const s = req.settings;
  const grid = req.grid;
  const gridRuns = grid ? grid.batches.length + grid.noises.length : 0;
  const total = s.iterations + (grid ? gridRuns * grid.iterations : 0);
  const label = `Gradient leakage (${s.method}) on ${ds.name} #${s.index}${s.batch > 1 ? ` +${s.batch - 1}` : ''}`;
  const first = batchOf(test, s.index, s.batch);
  ctx.progress({
    label,
    done: 0,
    total,
    unit: 'steps',
    payload: [{ kind: 'original', shape: ds.shape, original: first.x, labels: first.labels }],
  });
  const frame = (p: LeakRunProgress) => {
    if (ctx.signal.aborted) return false;
    ctx.progress({
      label,
      done: p.step,
      total,
      unit: 'steps',
      loss: p.loss,
      payload: [{ kind: 'frame', ...p }],
    });
    // yield to the worker's message loop so that a cancel can arrive
    return new Promise<boolean>((resolve) => setTimeout(() => resolve(!ctx.signal.aborted), 0));
  };
  const every = s.method === 'ig' ? 20 : 1;
  const main = await runLeak(test, ds.classNames.length, s, frame, every);
  const points: LeakOutcome['points'] = [];
  if (grid && !main.result.stopped) {
    // batch sizes without noise, then noise levels at batch 1: one short run each
    const settings = [
      ...grid.batches.map((batch) => ({ ...s, batch, noise: 0, iterations: grid.iterations })),
      ...grid.noises.map((noise) => ({ ...s, batch: 1, noise, iterations: grid.iterations })),
    ].filter((g) => g.method !== 'idlg' || g.batch === 1);
    let done = s.iterations;
    for (const g of settings) {
      if (ctx.signal.aborted) break;
      const r = await runLeak(test, ds.classNames.length, g, () => !ctx.signal.aborted, 5);
      done += grid.iterations;
      const point = { batch: g.batch, noise: g.noise, psnr: r.psnr, mse: r.mse };
      points.push(point);
      ctx.progress({ label: `${label} · grid`, done, total, unit: 'steps', payload: [{ kind: 'point', ...point }] });
    }
  }
  ctx.throwIfCancelled();
  return {
    dataset: ds.id,
    shape: ds.shape,
    original: main.original,
    reconstruction: main.result.reconstruction,
    trueLabels: main.trueLabels,
    labels: main.result.labels,
    mse: main.mse,
    psnr: main.psnr,
    labelCorrect: main.labelCorrect,
    steps: main.result.steps,
    seconds: main.seconds,
    stopped: main.result.stopped,
    points,
  };
}
