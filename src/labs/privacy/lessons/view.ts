/**
 * What the privacy lab's lessons read: the settings and the model cards (the shell's state), and what the
 * lab's panels publish for them under `labs.privacy` (ui/mia-actions.ts: the membership-inference run;
 * ui/leak-actions.ts: every finished gradient-leakage run with its settings). Declared here, typed by what
 * the checks read, so the lessons need nothing from src/ui; src/labs/lessons.ts checks that the shell's
 * view satisfies it. Pure functions only.
 */
import type { Lesson } from '../../../core/lessons/lesson';
import type { PrivacyEntry } from '../../../core/models/card';

export interface MiaAttackView {
  attack: string;
  auc: number;
  tprAt001: number;
  tprAt01: number;
  advantage: number;
}

/** A finished membership-inference run as the lessons read it (the panel's MiaOutcome satisfies it). */
export interface MiaRunView {
  config: { dataset: string; pool: number; shadows: number; training: { epochs: number }; dp?: unknown };
  attacks: readonly MiaAttackView[];
  targetTrainAccuracy: number;
  targetTestAccuracy: number;
}

/** A finished gradient-leakage run with the settings it ran with. */
export interface LeakRunView {
  settings: { method: string; index: number; batch: number; iterations: number; noise: number; prune: number; clip: number };
  mse: number;
  psnr: number;
  labelCorrect: boolean;
}

export interface PrivacyLessonState {
  mia?: { status: string; outcome: MiaRunView | null };
  /** Every gradient-leakage run finished in this page, oldest first. */
  leakRuns?: readonly LeakRunView[];
}

/** A model card as the lessons read it. */
export interface CardView {
  id: string;
  dataset: string;
  cleanAccuracy: { accuracy: number; n: number };
  privacy?: PrivacyEntry;
}

export interface PrivacyLessonView {
  experiment: { lab: string; dataset: string; model: string };
  /** The model loaded in the worker. */
  model: CardView | null;
  /** Every model the lab offers. */
  catalog: { models: readonly CardView[] } | null;
  labs: { privacy?: PrivacyLessonState };
}

export type PrivacyLesson = Lesson<PrivacyLessonView>;

/** The card of a model of the catalogue, or null. */
export const cardOf = (v: PrivacyLessonView, id: string): CardView | null => v.catalog?.models.find((m) => m.id === id) ?? null;

/** The membership-inference run, when one has finished. */
export function miaRun(v: PrivacyLessonView): MiaRunView | null {
  const m = v.labs.privacy?.mia;
  return m && m.status === 'done' ? m.outcome : null;
}

export function miaAttack(v: PrivacyLessonView, attack: string): MiaAttackView | null {
  return miaRun(v)?.attacks.find((a) => a.attack === attack) ?? null;
}

export const leakRuns = (v: PrivacyLessonView): readonly LeakRunView[] => v.labs.privacy?.leakRuns ?? [];

/** The last leakage run without any defence (no noise, pruning or clipping), or null. */
export function undefendedLeak(v: PrivacyLessonView): LeakRunView | null {
  const r = leakRuns(v).filter((x) => x.settings.noise === 0 && x.settings.prune === 0 && x.settings.clip === 0);
  return r.length > 0 ? r[r.length - 1] : null;
}

/** The last leakage run with a defence (noise, pruning or clipping), or null. */
export function defendedLeak(v: PrivacyLessonView): LeakRunView | null {
  const r = leakRuns(v).filter((x) => x.settings.noise > 0 || x.settings.prune > 0 || x.settings.clip > 0);
  return r.length > 0 ? r[r.length - 1] : null;
}

export const pct = (x: number, digits = 1): string => `${(100 * x).toFixed(digits)}%`;
