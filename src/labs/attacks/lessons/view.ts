/**
 * What the attacks lab's lessons read of the page's state: the settings, the studio's last result, the
 * prediction on the test image, the batch check's last result, the user's picture. Declared here (the
 * shell's store satisfies it; src/labs/lessons.ts checks that it does) so the lessons need nothing
 * from src/ui.
 */
import type { Lesson } from '../../../core/lessons/lesson';

export interface StudioResultView {
  status: 'done' | 'cancelled';
  model: string;
  sample: number;
  custom: boolean;
  attack: { name: string; eps: number; norm: string; steps: number; stepSize: number; restarts: number };
  adversarial?: {
    success: boolean;
    fooled: boolean;
    predicted: number;
    cleanPredicted: number;
    norms: { l0: number; l2: number; linf: number };
    queries: number;
    gradientEvaluations: number;
  };
}

export interface AttackLessonView {
  experiment: {
    dataset: string;
    model: string;
    sample: number;
    lab: string;
    attack: { name: string; eps: number; norm: string; steps: number; stepSize: number; restarts: number };
  };
  /** The studio's last result. */
  attack: StudioResultView | null;
  prediction: { model: string; sample: number; label: number; predicted: number; probs: number[] } | null;
  batch: { status: string; model: string; n: number; cleanAccuracy: number; robustAccuracy: number; attack: { name: string } } | null;
  /** The user's picture, when it replaces the test image. */
  custom: { name: string } | null;
  customPrediction: { predicted: number; probs: number[] } | null;
  /** The model loaded in the worker (its card: class names, clean accuracy). */
  model: { id: string; classNames: string[]; cleanAccuracy: { accuracy: number } } | null;
}

export type AttackLesson = Lesson<AttackLessonView>;

/** The studio's last finished result, when it is of this attack (any attack: name omitted), this model and image. */
export function lastResult(v: AttackLessonView, name?: string | readonly string[]): StudioResultView | null {
  const r = v.attack;
  if (!r || r.status !== 'done' || !r.adversarial) return null;
  const names = name === undefined ? null : typeof name === 'string' ? [name] : name;
  if (names && !names.includes(r.attack.name)) return null;
  if (!r.custom && (r.model !== v.experiment.model || r.sample !== v.experiment.sample)) return null;
  return r;
}

/** The last result fooled the model (the prediction moved to a wrong class from a right one). */
export const flipped = (r: StudioResultView | null): boolean =>
  !!r?.adversarial &&
  r.adversarial.success &&
  r.adversarial.fooled &&
  (r.custom || r.adversarial.cleanPredicted !== r.adversarial.predicted);

/** ε as the student reads it: /255 on colour images under L∞, else the number. */
export function epsWords(eps: number, dataset: string, norm: string): string {
  return dataset === 'cifar10' && norm === 'linf' ? `${Number((eps * 255).toFixed(2))}/255` : String(Number(eps.toFixed(4)));
}
