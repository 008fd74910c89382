/**
 * The worker job `fl`'s request, progress payload and result (fl-job.ts runs it). Types only, so the
 * lab's public entry exports them without importing the worker.
 */
import type { SimulationSettings, TextSimulationSettings } from './fl-settings';
import type { RoundReport, SimulationResult, SplitReport } from './simulation';
import type { TextSimulationResult } from './text-simulation';

export interface FlRequest {
  /** mnist or fashion-mnist. */
  dataset: string;
  settings: SimulationSettings;
}

/** One item of the job's progress payload. */
export type FlEvent = { kind: 'split'; split: SplitReport } | { kind: 'round'; report: RoundReport };

export interface FlOutcome extends SimulationResult {
  dataset: string;
  settings: SimulationSettings;
}

/** The text job `flText` (fl-text-job.ts): the spam filter's settings on the text set. */
export interface FlTextRequest {
  /** spam-assassin. */
  dataset: string;
  settings: TextSimulationSettings;
}

export interface FlTextOutcome extends TextSimulationResult {
  dataset: string;
  settings: TextSimulationSettings;
}
