/**
 * What the Train panel and the models list show of a run, without running anything: the run's log
 * (batches, probes, epochs), the methods' names, the catastrophic-overfitting test read from the log,
 * and how a model was trained, read from its card. Free of TensorFlow.js (the page's main thread reads
 * it); settings.ts and tradeoff.ts, which train and measure, re-export it.
 */
import type { ModelCard } from '../../../core/models/card';
import type { EpochReport } from '../../../core/train/train';
import type { TrainingSettings } from '../experiment/training';
import { isUserModel } from './user-models';

/** One training batch, as the charts show it. */
export interface BatchPoint {
  step: number;
  epoch: number;
  loss: number;
  /** Accuracy on the batch the network was trained on (adversarial examples for FGSM-RS and PGD). */
  accuracy: number;
  imagesPerSecond: number;
  /** Seconds since the run started (all sessions of it). */
  seconds: number;
}

/** Clean and PGD-10 accuracy on the probe (the first 100 held-out images), after `step` batches. */
export interface ProbePoint {
  step: number;
  clean: number;
  robust: number | null;
}

export interface TrainLog {
  batches: BatchPoint[];
  probes: ProbePoint[];
  epochs: (EpochReport & { step: number })[];
}

export const emptyLog = (): TrainLog => ({ batches: [], probes: [], epochs: [] });

/** Images of the held-out slice the probe measures every k batches. */
export const PROBE_IMAGES = 100;

export const METHOD_LABELS: Record<TrainingSettings['method'], string> = {
  standard: 'standard',
  'fgsm-rs': 'FGSM-RS (Wong et al. 2020)',
  pgd: 'PGD-AT (Madry et al. 2018)',
  trades: 'TRADES (Zhang et al. 2019)',
};

/** How a model was trained, from its card: the in-browser cards name it, the zoo's describe it. */
export function trainingMethodOf(card: Pick<ModelCard, 'id' | 'recipe' | 'training' | 'notes'>): string {
  const own = isUserModel(card) ? card.notes.find((n) => n.startsWith('method: '))?.slice('method: '.length) : undefined;
  const text = own ?? card.training;
  if (/^DP-SGD|^dp-sgd$/.test(text)) return 'DP-SGD';
  if (/trades/i.test(text)) return 'TRADES';
  if (/gaussian|smooth/i.test(text)) return 'Gaussian noise';
  if (/^fgsm-rs$|FGSM with random start/i.test(text)) return /PGD-\d+ with random start/.test(text) ? 'FGSM-RS + PGD' : 'FGSM-RS';
  if (/^pgd$|PGD-\d+ with random start/i.test(text)) return 'PGD-AT';
  if (/^standard/i.test(text)) return 'standard';
  return card.recipe === 'user' ? 'unknown (your files)' : 'other';
}

/**
 * Catastrophic overfitting (Wong et al. 2020): PGD accuracy on held-out images collapses within a few
 * batches while the accuracy on the FGSM training examples rises. Read from the log: the latest PGD
 * measurement (probe or epoch) is under half of the best one so far and at least 15 points below it,
 * and the training accuracy over the 20 batches before it is above that over the 20 batches before
 * the best. A message when it happens, else null.
 */
export function overfittingWarning(log: TrainLog): string | null {
  const points = [
    ...log.probes.filter((p) => p.robust !== null).map((p) => ({ step: p.step, robust: p.robust! })),
    ...log.epochs.filter((e) => e.holdoutRobust !== null).map((e) => ({ step: e.step, robust: e.holdoutRobust! })),
  ].sort((a, b) => a.step - b.step);
  if (points.length < 2) return null;
  const last = points[points.length - 1];
  let best = points[0];
  for (const p of points.slice(0, -1)) if (p.robust > best.robust) best = p;
  if (!(last.robust <= 0.5 * best.robust && best.robust - last.robust >= 0.15)) return null;
  const accBefore = (step: number) => {
    const window = log.batches.filter((b) => b.step < step && Number.isFinite(b.accuracy)).slice(-20);
    return window.length === 0 ? null : window.reduce((s, b) => s + b.accuracy, 0) / window.length;
  };
  const a0 = accBefore(best.step);
  const a1 = accBefore(last.step);
  if (a0 === null || a1 === null || !(a1 > a0)) return null;
  const pc = (v: number) => `${(100 * v).toFixed(1)}%`;
  return (
    `Catastrophic overfitting: held-out PGD accuracy fell from ${pc(best.robust)} (batch ${best.step}) to ${pc(last.robust)} (batch ${last.step}) ` +
    `while the accuracy on the training examples rose from ${pc(a0)} to ${pc(a1)} (Wong et al. 2020). ` +
    'The checkpoint is chosen by PGD accuracy; a smaller step size or PGD training avoids it.'
  );
}
