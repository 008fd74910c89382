/**
 * The page's view state that is not part of the experiment: the open lesson and its step, the controls
 * a classroom link locks or hides, present mode, the studio's second model (`view.cmp`). It rides in the same link, beside the experiment's
 * keys, under its own prefix as a lab's keys do under theirs
 * (`#v=2&ds=mnist&atk.eps=0.1&view.lesson=fgsm&view.step=2&view.lock=atk.name,ds&view.hide=atk.seed&view.present=1`),
 * but the experiment codec never sees it: these keys say how the page is shown, not what is computed, so
 * they are neither CLI flags nor part of a notebook's experiment. `splitViewLink` takes them out before
 * the codec decodes the rest; `viewLinkSuffix` writes them back after the codec's keys.
 *
 * Links made before the prefix carry the keys bare (`lesson=fgsm&step=2&lock=...&hide=...&present=1`) and
 * open the same view: `readViewKeys` reads them as the prefixed ones. Bare `step` is a view key only beside
 * bare `lesson`, because in a version-1 link (`#v=1&attack=pgd&step=0.03`) it is PGD's step size; the
 * prefix ends that special case for every link written since. A prefixed key wins over its bare twin.
 *
 * Locks are enforced here, below the panels: every change of the experiment (a control, a link edit, a
 * lesson step) goes through `enforceLocks`, which puts locked settings back to the values the classroom
 * link opened with. The lock and its values are kept in sessionStorage, so a student who edits the link
 * and drops `lock=` still has the lock in that tab (until "Leave classroom mode"). A new tab opened with
 * an edited link has no lock: this is a classroom aid, not access control (everything runs in the
 * student's browser).
 */
import { create } from 'zustand';
import { coreSlice } from '../../core/experiment/core-settings';
import { copyValue, formatValue, getPath, setPath, type Value } from '../../core/experiment/fields';
import { LABS } from '../../labs/index';
import { cloneExperiment, type Experiment } from '../../labs/experiment';

/** The URL key prefix of the view keys (`view.lesson`); no slice of the experiment may take it (view.test.ts). */
export const VIEW_PREFIX = 'view';
export const VIEW_KEYS = ['lesson', 'step', 'lock', 'hide', 'present', 'cmp'] as const;
export type ViewKey = (typeof VIEW_KEYS)[number];
/** A view key as links write it: `view.lesson`. */
export const viewKey = (k: ViewKey): string => `${VIEW_PREFIX}.${k}`;
const isViewKey = (k: string): k is ViewKey => (VIEW_KEYS as readonly string[]).includes(k);

export interface ViewState {
  lesson: string | null;
  step: number;
  /** Field paths ('attack.eps') locked, with the value each is locked at. */
  locked: Record<string, Value>;
  /** Field paths hidden. */
  hidden: string[];
  present: boolean;
  /** The zoo model the studio compares with ("Compare with"), or null. */
  compare: string | null;
  /** The link named a lesson and no lab state: the runner opens the lesson (its link, the saved step) once the lab is up. */
  fresh: boolean;
  /**
   * Who set the locks: a classroom link (a teacher; only closing the tab ends it) or a lesson (closing
   * the lesson ends it; a lesson opened under a classroom link keeps the teacher's locks).
   */
  origin: 'link' | 'lesson' | null;
  /**
   * Under a teacher's lock (origin 'link'): the settings the open lesson locks or hides on top of the
   * teacher's, and that lesson. They follow the lesson's steps and go when it closes; the teacher's stay.
   */
  lessonLocked: string[];
  lessonHidden: string[];
  lessonOf: string | null;
}

const SESSION_KEY = 'rlab.classroom.v1';

export const useView = create<ViewState>(() => ({
  lesson: null,
  step: 0,
  locked: {},
  hidden: [],
  present: false,
  compare: null,
  fresh: false,
  origin: null,
  lessonLocked: [],
  lessonHidden: [],
  lessonOf: null,
}));

/** URL key ('atk.eps', 'ds') -> field path ('attack.eps', 'dataset'), for every field of the core and the labs. */
export const KEY_TO_PATH: ReadonlyMap<string, string> = new Map([
  ...coreSlice<Experiment>().fields.map((f) => [f.url, f.path] as const),
  ...LABS.flatMap((l) =>
    (l.slice.fields as readonly { url: string; path: string }[]).map((f) => [`${l.slice.prefix}.${f.url}`, f.path] as const),
  ),
]);
export const PATH_TO_KEY: ReadonlyMap<string, string> = new Map([...KEY_TO_PATH].map(([k, p]) => [p, k]));

export interface SplitLink {
  /** The experiment's part of the hash (for decodeExperiment). */
  experimentHash: string;
  lesson: string | null;
  step: number;
  lockKeys: string[];
  hideKeys: string[];
  present: boolean;
  /** The studio's second model (a model id), or null. */
  compare: string | null;
  /** Only view keys: no lab state (the lesson's own link applies). */
  fresh: boolean;
  /** Plain-text notices (unknown control names). */
  notices: string[];
}

const list = (v: string | null) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Take the view keys out of link parameters (`params` keeps the rest): prefixed keys, and the bare keys
 * of links made before the prefix (bare `step` only beside bare `lesson`). Unknown `view.` keys are
 * taken out with a notice.
 */
export function readViewKeys(params: URLSearchParams): { values: Map<ViewKey, string>; notices: string[] } {
  const values = new Map<ViewKey, string>();
  const notices: string[] = [];
  const bareLesson = params.has('lesson');
  for (const k of VIEW_KEYS) {
    if (k === 'step' && !bareLesson) continue;
    const v = params.get(k);
    if (v !== null) values.set(k, v);
    params.delete(k);
  }
  const prefix = `${VIEW_PREFIX}.`;
  for (const key of [...new Set(params.keys())]) {
    if (!key.startsWith(prefix)) continue;
    const k = key.slice(prefix.length);
    if (isViewKey(k)) values.set(k, params.get(key) ?? '');
    else notices.push(`Unknown view setting "${key.slice(0, 40)}" in the link was ignored.`);
    params.delete(key);
  }
  return { values, notices };
}

/** Take the view keys out of a link hash; never throws. */
export function splitViewLink(hash: string): SplitLink {
  const out: SplitLink = {
    experimentHash: '',
    lesson: null,
    step: 0,
    lockKeys: [],
    hideKeys: [],
    present: false,
    compare: null,
    fresh: false,
    notices: [],
  };
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(hash.replace(/^#/, ''));
  } catch {
    return { ...out, experimentHash: hash };
  }
  const { values, notices } = readViewKeys(params);
  out.notices.push(...notices);
  const lesson = values.get('lesson');
  out.lesson = lesson && /^[a-z0-9-]{1,60}$/.test(lesson) ? lesson : null;
  const withLesson = values.has('lesson');
  const step = Number(values.get('step'));
  out.step = withLesson && Number.isInteger(step) && step >= 0 && step < 1000 ? step : 0;
  for (const [name, target] of [
    ['lock', out.lockKeys],
    ['hide', out.hideKeys],
  ] as const) {
    for (const k of list(values.get(name) ?? null)) {
      if (KEY_TO_PATH.has(k)) target.push(k);
      else
        out.notices.push(
          `The link ${name === 'lock' ? 'locks' : 'hides'} "${k.slice(0, 40)}", which is not a setting of the lab; it was ignored.`,
        );
    }
  }
  out.present = values.get('present') === '1';
  const cmp = values.get('cmp');
  if (cmp !== undefined) {
    if (/^[A-Za-z0-9._-]{1,80}$/.test(cmp)) out.compare = cmp;
    else out.notices.push(`The link compares with "${cmp.slice(0, 40)}", which is not a model name; it was ignored.`);
  }
  out.experimentHash = params.toString();
  out.fresh = out.lesson !== null && [...params.keys()].every((k) => k === 'v');
  if (out.fresh && !(withLesson && values.has('step'))) out.step = -1;
  return out;
}

/** The view keys of the current view state, to append to the experiment's hash ('' when none). */
export function viewLinkSuffix(v: ViewState = useView.getState()): string {
  const p = new URLSearchParams();
  if (v.lesson) {
    p.set(viewKey('lesson'), v.lesson);
    p.set(viewKey('step'), String(v.step));
  }
  // a lesson's own locks are not written: the lesson sets them again when its link is opened
  if (v.origin !== 'lesson') {
    const lock = Object.keys(v.locked)
      .filter((path) => !v.lessonLocked.includes(path))
      .map((path) => PATH_TO_KEY.get(path) ?? path);
    if (lock.length > 0) p.set(viewKey('lock'), lock.join(','));
    const hide = v.hidden.filter((path) => !v.lessonHidden.includes(path)).map((path) => PATH_TO_KEY.get(path) ?? path);
    if (hide.length > 0) p.set(viewKey('hide'), hide.join(','));
  }
  if (v.present) p.set(viewKey('present'), '1');
  if (v.compare) p.set(viewKey('cmp'), v.compare);
  const s = p.toString().replace(/%2C/g, ',');
  return s === '' ? '' : `&${s}`;
}

/** Lock these URL keys at the experiment's current values and hide those (replaces any earlier classroom settings). */
export function setClassroom(
  e: Experiment,
  lockKeys: readonly string[],
  hideKeys: readonly string[],
  origin: 'link' | 'lesson' = 'link',
): void {
  const locked: Record<string, Value> = {};
  for (const k of lockKeys) {
    const path = KEY_TO_PATH.get(k);
    if (path) locked[path] = copyValue(getPath(e, path) as Value);
  }
  const hidden = hideKeys.map((k) => KEY_TO_PATH.get(k)).filter((p): p is string => !!p);
  useView.setState({
    locked,
    hidden,
    origin: locked && (lockKeys.length > 0 || hideKeys.length > 0) ? origin : null,
    lessonLocked: [],
    lessonHidden: [],
    lessonOf: null,
  });
  saveSession();
}

/**
 * A lesson's own locks and hidden settings. Alone, they are the page's (origin 'lesson'). Under a
 * teacher's lock (origin 'link') they are added on top, the teacher's winning where both name a
 * setting, and kept apart (lessonLocked, lessonHidden) so that the lesson's steps move them and closing
 * the lesson lifts them while the teacher's hold. Applied once per lesson: a later link does not move them.
 */
export function setLessonControls(e: Experiment, lessonId: string, lockKeys: readonly string[], hideKeys: readonly string[]): void {
  const v = useView.getState();
  if (v.origin !== 'link') return setClassroom(e, lockKeys, hideKeys, 'lesson');
  if (v.lessonOf === lessonId) return;
  const base = withoutLessonControls(v);
  const locked = { ...base.locked };
  const hidden = [...base.hidden];
  const lessonLocked: string[] = [];
  const lessonHidden: string[] = [];
  for (const k of lockKeys) {
    const path = KEY_TO_PATH.get(k);
    if (!path || path in locked) continue;
    locked[path] = copyValue(getPath(e, path) as Value);
    lessonLocked.push(path);
  }
  for (const k of hideKeys) {
    const path = KEY_TO_PATH.get(k);
    if (!path || hidden.includes(path)) continue;
    hidden.push(path);
    lessonHidden.push(path);
  }
  useView.setState({ locked, hidden, lessonLocked, lessonHidden, lessonOf: lessonId });
  saveSession();
}

function withoutLessonControls(v: ViewState): Pick<ViewState, 'locked' | 'hidden'> {
  return {
    locked: Object.fromEntries(Object.entries(v.locked).filter(([p]) => !v.lessonLocked.includes(p))),
    hidden: v.hidden.filter((p) => !v.lessonHidden.includes(p)),
  };
}

/** The lesson closed: its own locks go (all of them, or those on top of a teacher's, whose stay). */
export function clearLessonControls(): void {
  const v = useView.getState();
  if (v.origin === 'lesson') return leaveClassroom();
  if (v.lessonOf === null) return;
  useView.setState({ ...withoutLessonControls(v), lessonLocked: [], lessonHidden: [], lessonOf: null });
  saveSession();
}

/** Locked settings follow the experiment (a lesson step moves them on purpose). */
export function relock(e: Experiment): void {
  const { locked, origin, lessonLocked } = useView.getState();
  // alone, every lock is the lesson's; under a teacher's, only those the lesson added move
  const moves = origin === 'lesson' ? Object.keys(locked) : origin === 'link' ? lessonLocked : [];
  if (moves.length === 0) return;
  useView.setState({ locked: { ...locked, ...Object.fromEntries(moves.map((p) => [p, copyValue(getPath(e, p) as Value)])) } });
  saveSession();
}

export function leaveClassroom(): void {
  useView.setState({ locked: {}, hidden: [], origin: null, lessonLocked: [], lessonHidden: [], lessonOf: null });
  try {
    sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // storage refused (private mode): nothing kept
  }
}

function saveSession(): void {
  const { locked, hidden, origin, lessonLocked, lessonHidden, lessonOf } = useView.getState();
  try {
    sessionStorage.setItem(SESSION_KEY, JSON.stringify({ locked, hidden, origin, lessonLocked, lessonHidden, lessonOf }));
  } catch {
    // storage refused: the lock holds for this page only
  }
}

/** The classroom settings this tab kept (a reload or an edited link keeps them). */
export function restoreSession(): boolean {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    if (!raw) return false;
    const v = JSON.parse(raw) as {
      locked?: unknown;
      hidden?: unknown;
      origin?: unknown;
      lessonLocked?: unknown;
      lessonHidden?: unknown;
      lessonOf?: unknown;
    };
    const locked: Record<string, Value> = {};
    if (v.locked && typeof v.locked === 'object')
      for (const [p, x] of Object.entries(v.locked as Record<string, unknown>)) if (PATH_TO_KEY.has(p)) locked[p] = x as Value;
    const hidden = Array.isArray(v.hidden) ? v.hidden.filter((p): p is string => typeof p === 'string' && PATH_TO_KEY.has(p)) : [];
    const any = Object.keys(locked).length > 0 || hidden.length > 0;
    const origin = any ? (v.origin === 'lesson' ? 'lesson' : 'link') : null;
    const paths = (x: unknown, among: readonly string[]) =>
      origin === 'link' && Array.isArray(x) ? x.filter((p): p is string => typeof p === 'string' && among.includes(p)) : [];
    const lessonLocked = paths(v.lessonLocked, Object.keys(locked));
    const lessonHidden = paths(v.lessonHidden, hidden);
    const lessonOf = origin === 'link' && typeof v.lessonOf === 'string' ? v.lessonOf : null;
    useView.setState({ locked, hidden, origin, lessonLocked, lessonHidden, lessonOf });
    return any;
  } catch {
    return false;
  }
}

/** The experiment with every locked setting at its locked value, and the labels of those that were put back. */
export function enforceLocks(e: Experiment): { experiment: Experiment; reverted: string[] } {
  const locked = useView.getState().locked;
  const reverted: string[] = [];
  let out = e;
  for (const [path, value] of Object.entries(locked)) {
    if (formatValue(getPath(out, path) as Value) === formatValue(value)) continue;
    if (out === e) out = cloneExperiment(e);
    setPath(out, path, copyValue(value));
    reverted.push(PATH_TO_KEY.get(path) ?? path);
  }
  return { experiment: out, reverted };
}

/** A control's state for the panels: hidden, locked (shown, disabled) or free. */
export function controlState(v: Pick<ViewState, 'locked' | 'hidden'>, path: string): 'hidden' | 'locked' | 'free' {
  if (v.hidden.includes(path)) return 'hidden';
  return path in v.locked ? 'locked' : 'free';
}

/** The hook panels use: `useControl('attack.eps')`. */
export function useControl(path: string): 'hidden' | 'locked' | 'free' {
  return useView((v) => controlState(v, path));
}
