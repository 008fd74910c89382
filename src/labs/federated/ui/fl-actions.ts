/**
 * The federated simulation panel's state and actions: one run per aggregator, each a cancellable job
 * of the shared job runner (src/ui/jobs.ts) calling the lab's `fl` worker job (../fl-job.ts). The split
 * and one RoundReport per round stream in as the job's progress payload (FlEvent), so the charts grow
 * live. "Compare" runs the same seeded settings (same clients, same split, same attackers) under several
 * aggregators, one job after another (the machine's cores are shared: one at a time is faster overall).
 */
import { create } from 'zustand';
import { DATASETS } from '../../../core/data/datasets';
import { computeClient } from '../../../ui/controller';
import { runJob } from '../../../ui/jobs';
import { publishLessonState } from '../../../ui/lessons/lab-states';
import { jobOfKind, setupBusy, useLab, type LabState } from '../../../ui/store';
import { aggregatorParams } from '../experiment/aggregation';
import { simulationSettings, textSimulationSettings, type SimulationSettings, type TextSimulationSettings } from '../fl-settings';
import type { FlEvent, FlOutcome, FlRequest, FlTextOutcome, FlTextRequest } from '../fl-types';
import type { RoundReport, SplitReport } from '../simulation';
import type { TextExample } from '../text-simulation';
import { SPAM_ASSASSIN } from '../../../core/data/text';

/** Test images evaluated after each round in the browser (the first ones of the test split). */
export const FL_TEST_IMAGES = 1000;

/** The data sets the simulation runs on. */
export const FL_DATASETS = ['mnist', 'fashion-mnist'] as const;

export interface FlRun {
  aggregator: string;
  settings: SimulationSettings | TextSimulationSettings;
  dataset: string;
  /** The spam filter's run (job flText) rather than the images' (job fl). */
  text: boolean;
  split: SplitReport | null;
  rounds: RoundReport[];
  outcome: FlOutcome | FlTextOutcome | null;
  /** Text runs: a held-out spam mail with the trigger under the final model. */
  example: TextExample | null;
  status: 'queued' | 'running' | 'done' | 'cancelled' | 'failed';
  error: string | null;
}

export interface FlUiState {
  runs: FlRun[];
  /** Aggregators ticked for "Compare". */
  compare: string[];
  /** The run whose per-round charts are shown (index into runs; null: the last one with a round), and the round (from 1; 0: the latest). */
  shownRun: number | null;
  shownRound: number;
  /** A settings error (one line), before any job starts. */
  error: string | null;
  /** Keep the earlier runs on the charts (a new run is added beside them: e.g. median, then FedAvg with secure aggregation). */
  keep: boolean;
}

export const useFederated = create<FlUiState>(() => ({
  runs: [],
  compare: ['fedavg', 'median', 'norm-clip', 'foolsgold'],
  shownRun: null,
  shownRound: 0,
  error: null,
  keep: false,
}));

// the lessons read the runs as the panel shows them (lessons/view.ts)
useFederated.subscribe((s, before) => {
  if (s.runs !== before.runs) publishLessonState('federated', { runs: s.runs });
});

export function setKeep(keep: boolean): void {
  useFederated.setState({ keep });
}

export const flBusy = (s: LabState): boolean => jobOfKind(s, 'fl') !== null || setupBusy(s);

/** Why the simulation cannot run on the chosen data set, or null. */
export function datasetProblem(dataset: string): string | null {
  return (FL_DATASETS as readonly string[]).includes(dataset)
    ? null
    : `The federated simulation runs on MNIST or Fashion-MNIST: choose one of them in Setup (${DATASETS[dataset]?.name ?? dataset} is chosen).`;
}

function patchRun(k: number, patch: Partial<FlRun>): void {
  useFederated.setState((st) => ({ runs: st.runs.map((r, i) => (i === k ? { ...r, ...patch } : r)) }));
}

function onEvents(k: number, items: FlEvent[]): void {
  useFederated.setState((st) => {
    const runs = st.runs.slice();
    let run = runs[k];
    if (!run) return st;
    for (const ev of items) {
      if (ev.kind === 'split') run = { ...run, split: ev.split };
      // a round already shown (the job's last progress can arrive after its result) is not added twice
      else if (!run.rounds.some((r) => r.round === ev.report.round))
        run = { ...run, rounds: [...run.rounds, ev.report].sort((a, b) => a.round - b.round) };
    }
    runs[k] = run;
    return { runs };
  });
}

function toggle(list: readonly string[], name: string): string[] {
  return list.includes(name) ? list.filter((n) => n !== name) : [...list, name];
}

export function toggleCompare(name: string): void {
  useFederated.setState((st) => ({ compare: toggle(st.compare, name) }));
}

export function showRun(k: number): void {
  useFederated.setState({ shownRun: k, shownRound: 0 });
}

export function showRound(r: number): void {
  useFederated.setState({ shownRound: r });
}

/**
 * Run the simulation with the experiment's settings under each aggregator of `aggregators` (the
 * slice's chosen rule when absent), one job after another; a cancel stops the queue.
 */
export function runFederated(aggregators?: readonly string[]): void {
  const s = useLab.getState();
  if (flBusy(s)) return;
  const e = s.experiment;
  const text = e.federation.data === 'spam';
  const problem = text ? null : datasetProblem(e.dataset);
  if (problem) {
    useFederated.setState({ error: problem });
    return;
  }
  const names = aggregators && aggregators.length > 0 ? [...aggregators] : [e.aggregation.rule];
  let runs: FlRun[];
  try {
    const params = aggregatorParams(e.aggregation);
    // the mails: a client holds at most its share of the 4,837 training mails (the images' default of 600 would not fit)
    const perClient = Math.min(e.federation.perClient, Math.floor(SPAM_ASSASSIN.sizes.train / e.federation.clients));
    runs = names.map((aggregator) => ({
      aggregator,
      settings: text
        ? textSimulationSettings(e, { aggregator, params, perClient })
        : simulationSettings(e, { aggregator, params, testImages: FL_TEST_IMAGES }),
      dataset: text ? SPAM_ASSASSIN.id : e.dataset,
      text,
      example: null,
      split: null,
      rounds: [],
      outcome: null,
      status: 'queued',
      error: null,
    }));
  } catch (err) {
    useFederated.setState({ error: (err as Error).message });
    return;
  }
  // kept runs stay first; the new ones are patched at their index after them
  const base = useFederated.getState().keep ? useFederated.getState().runs.length : 0;
  useFederated.setState((st) => ({ runs: [...(st.keep ? st.runs : []), ...runs], shownRun: null, shownRound: 0, error: null }));
  void (async () => {
    for (let i = 0; i < runs.length; i++) {
      const run = runs[i];
      const k = base + i;
      patchRun(k, { status: 'running' });
      const r = await runJob<FlOutcome | FlTextOutcome, FlEvent>({
        kind: 'fl',
        label: `Federated ${run.aggregator}${runs.length > 1 ? ` (${i + 1} of ${runs.length})` : ''}`,
        cancellable: true,
        call: (jobId, onProgress) => {
          if (run.text) {
            const request: FlTextRequest = { dataset: run.dataset, settings: run.settings as TextSimulationSettings };
            return computeClient().run('federated', 'flText', { jobId, ...request }, onProgress);
          }
          const request: FlRequest = { dataset: run.dataset, settings: run.settings as SimulationSettings };
          return computeClient().run('federated', 'fl', { jobId, ...request }, onProgress);
        },
        onPayload: (items) => onEvents(k, items),
      });
      if (r.ok) {
        // the result holds every round again: it replaces what streamed in
        const example = 'example' in r.value ? r.value.example : null;
        patchRun(k, { status: 'done', outcome: r.value, rounds: r.value.rounds, split: { ...r.value }, example });
        continue;
      }
      if (r.reason === 'cancelled') patchRun(k, { status: 'cancelled' });
      else
        patchRun(k, {
          status: 'failed',
          error: r.reason === 'gone' ? 'The simulation was stopped and the compute worker restarted.' : r.message,
        });
      // a cancel or a failure stops the comparison: the later runs stay queued (not run)
      for (let j = k + 1; j < base + runs.length; j++) patchRun(j, { status: 'cancelled' });
      return;
    }
  })();
}
