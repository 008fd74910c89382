/**
 * The defences lab's own UI state (zustand): the training run shown in the Train panel (its charts,
 * streamed from the worker), the user's stored models, and the trade-off chart. The experiment (and so
 * the training settings, which links carry) stays in the shell's store.
 */
import { create } from 'zustand';
import type { ModelCard } from '../../../core/models/card';
import type { RunRequest, TrainOutcome } from '../training/train-job';
import type { TradeoffOutcome } from '../training/tradeoff';
import { emptyLog, type TrainLog } from '../training/log';

export interface DefencesUiState {
  /** The run shown: the one running, paused (stored in IndexedDB), or just finished. */
  run: RunRequest | null;
  stepsPerEpoch: number;
  totalSteps: number;
  log: TrainLog;
  /** From the last batch's report. */
  secondsLeft: number | null;
  /** The worker job of the running run (its id in the shell's jobs map). */
  jobId: number | null;
  /** What the user asked of the running job: pause keeps the stored run, cancel deletes it. */
  stopping: 'pause' | 'cancel' | null;
  /** A stored run that can be resumed (after a pause or a reload). */
  paused: boolean;
  outcome: TrainOutcome | null;
  error: string | null;
  /** The user's stored models. */
  models: ModelCard[];
  /** Messages of the model list (import, export, delete). */
  modelsMessage: { kind: 'info' | 'error'; text: string } | null;
  tradeoff: TradeoffOutcome | null;
  tradeoffError: string | null;
}

export const useDefences = create<DefencesUiState>(() => ({
  run: null,
  stepsPerEpoch: 0,
  totalSteps: 0,
  log: emptyLog(),
  secondsLeft: null,
  jobId: null,
  stopping: null,
  paused: false,
  outcome: null,
  error: null,
  models: [],
  modelsMessage: null,
  tradeoff: null,
  tradeoffError: null,
}));
