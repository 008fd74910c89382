/**
 * The accuracy-against-epsilon chart's numbers, read from model cards only (free of TensorFlow.js: the
 * page computes it): every model of the data set whose card has a DP-SGD privacy entry (the zoo's and the
 * user's), at the epsilon its card gives under the chosen accountant (at the card's own delta), against its
 * test accuracy (on the card's own test images); and the non-private reference, the zoo's standard model
 * of the data set (mnist-cnn for MNIST). Nothing is measured here: each figure is the card's, and each
 * card names the command that reproduces it.
 */
import type { ModelCard } from '../../core/models/card';
import { isUserModel, trainingMethodOf } from '../defences/index';
import type { DpSettings } from './experiment/dp';

export interface DpChartRow {
  id: string;
  /** Trained (or imported) in this browser. */
  mine: boolean;
  epsilon: number;
  delta: number;
  accuracy: number;
  /** Test images the accuracy is on. */
  n: number;
  noiseMultiplier: number;
  clip: number;
  sampleRate: number;
  steps: number;
}

export interface DpChart {
  rows: DpChartRow[];
  baseline: { id: string; accuracy: number; n: number } | null;
  /** DP models whose card has no epsilon under this accountant. */
  missing: string[];
}

export function dpChartData(models: readonly ModelCard[], dataset: string, accountant: DpSettings['accountant']): DpChart {
  const rows: DpChartRow[] = [];
  const missing: string[] = [];
  for (const m of models) {
    const p = m.privacy;
    if (m.dataset !== dataset || !p) continue;
    const e = p.epsilon.find((x) => x.accountant === accountant);
    if (!e || !Number.isFinite(e.epsilon)) {
      missing.push(m.id);
      continue;
    }
    rows.push({
      id: m.id,
      mine: isUserModel(m),
      epsilon: e.epsilon,
      delta: p.delta,
      accuracy: m.cleanAccuracy.accuracy,
      n: m.cleanAccuracy.n,
      noiseMultiplier: p.noiseMultiplier,
      clip: p.clip,
      sampleRate: p.sampleRate,
      steps: p.steps,
    });
  }
  rows.sort((a, b) => a.epsilon - b.epsilon || a.id.localeCompare(b.id));
  const base = models.find(
    (m) => m.dataset === dataset && !isUserModel(m) && m.recipe !== 'user' && !m.privacy && trainingMethodOf(m) === 'standard',
  );
  return { rows, baseline: base ? { id: base.id, accuracy: base.cleanAccuracy.accuracy, n: base.cleanAccuracy.n } : null, missing };
}
