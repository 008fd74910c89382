/**
 * Lab state (zustand). The Experiment is the only state the URL carries; everything else here is
 * derived from the worker (what is actually loaded) and shown by the panels.
 */
import { create } from 'zustand';
import {
  cloneExperiment,
  conformExperiment,
  DEFAULT_EXPERIMENT,
  type AttackParams,
  type BatchParams,
  type Experiment,
} from '../labs/experiment';
import { isColour } from '../core/experiment/core-settings';
import type { Value } from '../core/experiment/fields';
import { followBudget } from '../labs/attacks/index';
import type { ModelCard } from '../core/models/card';
import type {
  AttackOutcome,
  BackendStatus,
  BatchOutcome,
  DatasetSummary,
  ImageBatch,
  ImagePrediction,
  ImportedInfo,
  MemoryInfo,
  Prediction,
  PreparedImage,
  TracePoint,
} from '../worker/protocol';
import type { Catalog } from './validate';
import { enforceLocks } from './lessons/view';

export type NoticeKind = 'info' | 'warning' | 'error';

export interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
  /** What the notice is about, when a later event can make it stale ('backend': a backend fallback or failure). */
  topic?: string;
}

/** One running job (src/ui/jobs.ts runJob keeps these up to date). */
export interface JobState {
  id: number;
  /**
   * What the job is for, so a panel finds its own: load / backend: the reconcile pass and the setup
   * panel; attack: the studio (its comparison too); batch: the batch check; the labs' panels name
   * theirs (train, tradeoff, certify, detect: the defences lab; poison, fl: the federated lab).
   */
  kind: string;
  label: string;
  done: number;
  total: number;
  unit: 'bytes' | 'steps' | 'images';
  loss?: number;
  /** Units per second, as the worker measures it. */
  rate?: number;
  cancellable: boolean;
  cancelling: boolean;
  /** performance.now() when the job was started (for the time estimate). */
  startedAt: number;
}

export interface StripState extends ImageBatch {
  dataset: string;
}

/** A picture of the user's (photo, camera frame, drawing) in place of a test image. Not in the URL. */
export interface CustomInput {
  /** Changes with every new picture (predictions and attacks name the picture they belong to). */
  id: number;
  name: string;
  kind: 'photo' | 'camera' | 'drawing';
  /** The encoded picture, kept to remake the input when the data set (input shape) changes. */
  blob: Blob;
  image: PreparedImage;
}

export interface LabState {
  experiment: Experiment;
  catalog: Catalog | null;
  backend: BackendStatus | null;
  memory: MemoryInfo | null;
  /** The test split loaded in the worker. */
  dataset: DatasetSummary | null;
  /** The model active in the worker. */
  model: ModelCard | null;
  prediction: Prediction | null;
  /** The current image and its neighbours. */
  strip: StripState | null;
  /** Every running job, by id. */
  jobs: Record<number, JobState>;
  attack: AttackOutcome | null;
  attackError: string | null;
  /** Trace of the running (or last) single-image attack, streamed from the worker. */
  liveTrace: TracePoint[];
  /** Second model attacked with the same attack on the same image (side-by-side comparison). */
  compareModel: string | null;
  compare: AttackOutcome | null;
  compareError: string | null;
  /** Step-by-step mode of the studio: the attack is replayed from its start (same seed) for k steps. */
  stepper: { k: number; playing: boolean } | null;
  batch: BatchOutcome | null;
  batchError: string | null;
  /** Data sets imported into this browser (IndexedDB), by id. */
  imported: Record<string, ImportedInfo>;
  importError: string | null;
  /** The user's picture, when it replaces the test image. */
  custom: CustomInput | null;
  customPrediction: (ImagePrediction & { customId: number }) | null;
  customError: string | null;
  /** The user's own model (loaded from files), while it is loaded; not part of the zoo. */
  ownModel: ModelCard | null;
  /** Error of the last "load your own model". */
  ownModelError: string | null;
  notices: Notice[];
  /** True once the first reconcile has finished (test hook). */
  settled: boolean;
  /**
   * Counts the times a link, a lesson step or a notebook entry set the experiment (not the page's own
   * controls): panels that fold settings open them when such a change set a folded one.
   */
  linkSeq: number;
}

export const useLab = create<LabState>(() => ({
  experiment: cloneExperiment(DEFAULT_EXPERIMENT),
  catalog: null,
  backend: null,
  memory: null,
  dataset: null,
  model: null,
  prediction: null,
  strip: null,
  jobs: {},
  attack: null,
  attackError: null,
  liveTrace: [],
  compareModel: null,
  compare: null,
  compareError: null,
  stepper: null,
  batch: null,
  batchError: null,
  imported: {},
  importError: null,
  custom: null,
  customPrediction: null,
  customError: null,
  ownModel: null,
  ownModelError: null,
  notices: [],
  settled: false,
  linkSeq: 0,
}));

// ---------------------------------------------------------------- job selectors (primitives or store objects: stable for React)

/** The oldest running job of a kind, or null. */
export const jobOfKind = (s: LabState, kind: JobState['kind']): JobState | null => {
  for (const j of Object.values(s.jobs)) if (j.kind === kind) return j;
  return null;
};
export const hasJobs = (s: LabState): boolean => Object.keys(s.jobs).length > 0;
/** Loading a data set or model, or switching backend: nothing that uses them may start. */
export const setupBusy = (s: LabState): boolean => jobOfKind(s, 'load') !== null || jobOfKind(s, 'backend') !== null;
/** The studio's controls: disabled while a studio attack (or its comparison) runs, or while the setup changes. */
export const studioBusy = (s: LabState): boolean => jobOfKind(s, 'attack') !== null || setupBusy(s);
/** The batch check's Run: disabled while a check runs, or while the setup changes. */
export const batchBusy = (s: LabState): boolean => jobOfKind(s, 'batch') !== null || setupBusy(s);

let noticeId = 0;

export function addNotice(kind: NoticeKind, text: string, topic?: string): void {
  useLab.setState((s) => {
    if (s.notices.some((n) => n.text === text)) return s;
    return { notices: [...s.notices, { id: ++noticeId, kind, text, ...(topic ? { topic } : {}) }].slice(-8) };
  });
}

/** Take away the notices about a topic (a backend fallback once a backend runs as asked). */
export function clearNotices(topic: string): void {
  useLab.setState((s) => (s.notices.some((n) => n.topic === topic) ? { notices: s.notices.filter((n) => n.topic !== topic) } : s));
}

export function dismissNotice(id: number): void {
  useLab.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
}

/** Set the experiment; values that depend on a changed field (eps on the norm, ...) are brought into range, with a notice. */
function setExperiment(next: Experiment): void {
  const { experiment: conformed, notes } = conformExperiment(next);
  // a control a classroom link locks keeps its value, whatever asked for the change (src/ui/lessons/view.ts)
  const { experiment, reverted } = enforceLocks(conformed);
  useLab.setState({ experiment });
  for (const n of notes) addNotice('info', n);
  if (reverted.length > 0) addNotice('warning', `Locked by the classroom link, kept at their values: ${reverted.join(', ')}.`);
}

export function patchExperiment(patch: Partial<Omit<Experiment, 'attack' | 'batch'>>): void {
  const e = useLab.getState().experiment;
  setExperiment({ ...e, ...patch, attack: { ...e.attack } });
}

/**
 * Change attack settings. When eps or the step count changes, the parameters whose paper default
 * follows the budget (MI-FGSM's step of eps / steps, PGD-L2's 2.5 eps / steps) follow it, unless the
 * user had set them to something else.
 */
export function patchAttack(patch: Partial<Record<keyof AttackParams, Value>>): void {
  const e = useLab.getState().experiment;
  const next = { ...e.attack, ...patch } as AttackParams;
  if (!('stepSize' in patch) && (next.eps !== e.attack.eps || next.steps !== e.attack.steps) && next.name === e.attack.name) {
    const colour = isColour(e.dataset);
    const budget = (a: AttackParams) => ({ eps: a.eps, norm: a.norm, steps: a.steps, colour });
    Object.assign(next, followBudget(next.name, budget(e.attack), budget(next), e.attack));
  }
  setExperiment({ ...e, attack: next });
}

export function patchBatch(patch: Partial<BatchParams>): void {
  const e = useLab.getState().experiment;
  setExperiment({ ...e, batch: { ...e.batch, ...patch } });
}
