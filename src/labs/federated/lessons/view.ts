/**
 * What the federated lab's lessons read: the settings (the shell's experiment), and what the lab's
 * panels publish for them under `labs.federated` (ui/fl-actions.ts: the simulation's runs; ui/poison-actions.ts:
 * the poisoning runs). Declared here, typed by what the checks read, so the lessons need nothing from
 * src/ui; src/labs/lessons.ts checks that the shell's view satisfies it. Pure functions only.
 */
import type { Lesson } from '../../../core/lessons/lesson';

/** One federated run as the lessons read it (the panel's FlRun satisfies it). */
export interface FlRunView {
  aggregator: string;
  status: 'queued' | 'running' | 'done' | 'cancelled' | 'failed';
  /** The spam filter's run (the lessons use the image runs only). */
  text: boolean;
  settings: { rounds: number; seed: number; attack: { kind: string }; secagg?: unknown };
  rounds: readonly { round: number; cleanAccuracy: number; attackSuccessRate: number | null }[];
}

/** One finished poisoning run (BadNets on one model) as the lessons read it. */
export interface PoisonRunView {
  settings: { trigger: string; rate: number; target: number; defence: string };
  cleanAccuracy: number;
  asr: number;
  saliencyInTrigger: number;
  trainImages: number;
  poisoned: number;
}

export interface FederatedLessonState {
  /** The simulation panel's runs, in its order (kept runs first). */
  runs?: readonly FlRunView[];
  /** Every poisoning run finished in this page, oldest first. */
  poisonRuns?: readonly PoisonRunView[];
}

export interface FederatedLessonView {
  experiment: {
    lab: string;
    dataset: string;
    federation: { attack: string; seed: number; rounds: number };
    aggregation: { rule: string; secagg: boolean };
    poison: { rate: number; defence: string };
  };
  labs: { federated?: FederatedLessonState };
}

export type FederatedLesson = Lesson<FederatedLessonView>;

/** The simulation's runs (none until the federated panel has run). */
export const flRuns = (v: FederatedLessonView): readonly FlRunView[] => v.labs.federated?.runs ?? [];

/** The run's last attack success rate (null: no round or no attack). */
export function finalAsr(r: FlRunView): number | null {
  return r.rounds.length > 0 ? r.rounds[r.rounds.length - 1].attackSuccessRate : null;
}

export function finalClean(r: FlRunView): number | null {
  return r.rounds.length > 0 ? r.rounds[r.rounds.length - 1].cleanAccuracy : null;
}

/** The aggregation rules that need each update on its own (robust rules), as the lessons accept them. */
export const ROBUST_RULES: readonly string[] = ['median', 'multikrum', 'krum', 'trimmed-mean', 'bulyan'];

/**
 * The last finished image run of this lesson's attack and seed with the rule (a name, or the robust rules)
 * and secure aggregation on or off; null if there is none.
 */
export function finishedRun(v: FederatedLessonView, rule: string | readonly string[], secagg: boolean, attack: string): FlRunView | null {
  const rules = typeof rule === 'string' ? [rule] : rule;
  const runs = flRuns(v).filter(
    (r) =>
      r.status === 'done' &&
      !r.text &&
      rules.includes(r.aggregator) &&
      !!r.settings.secagg === secagg &&
      r.settings.attack.kind === attack &&
      r.settings.seed === v.experiment.federation.seed &&
      r.rounds.length === r.settings.rounds,
  );
  return runs.length > 0 ? runs[runs.length - 1] : null;
}

/** A fraction as a percentage with one decimal, for hints and tables. */
export const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** The poisoning runs finished so far (oldest first). */
export const poisonRuns = (v: FederatedLessonView): readonly PoisonRunView[] => v.labs.federated?.poisonRuns ?? [];
