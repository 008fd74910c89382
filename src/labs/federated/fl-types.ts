/**
 * The worker job `fl`'s request, progress payload and result (fl-job.ts runs it). Types only, so the
 * lab's public entry exports them without importing the worker.
 */
import type { SimulationSettings } from './fl-settings';
import type { RoundReport, SimulationResult, SplitReport } from './simulation';

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
