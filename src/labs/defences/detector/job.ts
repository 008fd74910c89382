/** The detector job: feature squeezing's threshold, ROC and detection rate on the active model under the studio's attack. */
import * as tf from '@tensorflow/tfjs';
import { transformsOf } from '../../../core/defences';
import type { WorkerJobContext } from '../../../worker/jobs';
import { resolveSpec, specFromSettings, type AttackSettings, type AttackSpec } from '../../attacks/index';
import type { DetectorSettings } from '../experiment/detector';
import { evaluateDetector, type DetectorResult } from './evaluate';

export interface DetectRequest {
  dataset: string;
  settings: DetectorSettings;
  /** The studio's attack settings. */
  attack: AttackSettings;
}

export interface DetectOutcome extends DetectorResult {
  model: string;
  dataset: string;
  settings: DetectorSettings;
  attack: AttackSpec;
  backend: string;
  seconds: number;
}

export async function detectJob(ctx: WorkerJobContext, req: DetectRequest): Promise<DetectOutcome> {
  const active = ctx.services.model();
  const split = ctx.services.dataset(req.dataset);
  if (active.card.dataset !== req.dataset) throw new Error(`${active.card.id} is not a model of ${req.dataset}`);
  const s = req.settings;
  const chosen = specFromSettings(req.attack);
  if (!chosen) throw new Error('Choose an attack in the studio first: the detector is measured on its adversarial examples.');
  const spec = resolveSpec(chosen);
  const t0 = performance.now();
  const label = (phase: 'threshold' | 'attack') =>
    phase === 'threshold' ? `Scoring ${s.cleanImages} clean held-out images` : `Attacking ${s.images} images (${spec.name})`;
  ctx.progress({ label: label('threshold'), done: 0, total: s.cleanImages, unit: 'images' });
  const r = await evaluateDetector(active.loaded.classifier, split, spec, {
    squeezers: transformsOf(s.squeezers),
    fpr: s.fpr,
    start: s.start,
    n: s.images,
    cleanN: s.cleanImages,
    adaptive: s.adaptive,
    batchSize: 50,
    signal: ctx.signal,
    onProgress: (phase, done, total) => ctx.progress({ label: label(phase), done, total, unit: 'images' }),
  });
  return {
    ...r,
    model: active.card.id,
    dataset: req.dataset,
    settings: s,
    attack: spec,
    backend: tf.getBackend(),
    seconds: (performance.now() - t0) / 1000,
  };
}
