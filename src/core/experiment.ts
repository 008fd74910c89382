/**
 * The experiment description: one typed value that the URL, the CLI flags and the worker messages
 * all carry. A single table (FIELDS) says, per field, its URL key, its CLI flag, its type, its
 * default and its valid range; the URL codec and the CLI flag reader are both driven by it.
 *
 * URL form (in the hash, so nothing reaches a server): #v=1&ds=mnist&model=mnist-cnn&i=0&attack=pgd&...
 * Decoding never throws: an unknown version, a bad value or an unknown key yields a notice and the
 * default for that field.
 */

export const SCHEMA_VERSION = 1;

export type AttackName = 'none' | 'fgsm' | 'pgd' | 'bim' | 'mifgsm' | 'apgd-ce' | 'cw' | 'deepfool' | 'square';

/** Every attack name, in the order the UI lists them. */
export const ATTACK_NAME_VALUES: readonly AttackName[] = ['none', 'fgsm', 'pgd', 'bim', 'mifgsm', 'apgd-ce', 'cw', 'deepfool', 'square'];
export type BackendChoice = 'auto' | 'webgpu' | 'webgl' | 'wasm';

export interface AttackParams {
  name: AttackName;
  norm: 'linf' | 'l2';
  eps: number;
  steps: number;
  stepSize: number;
  randomStart: boolean;
  restarts: number;
  seed: number;
  /** Targeted variant (where the attack has one). */
  targeted: boolean;
  /** Target class of a targeted attack; -1 = the least-likely class on the clean image. */
  target: number;
  /** MI-FGSM decay factor mu. */
  momentum: number;
  /** DeepFool overshoot. */
  overshoot: number;
  /** C&W binary-search steps on c. */
  binarySearchSteps: number;
  /** C&W initial constant c0. */
  c: number;
  /** C&W confidence kappa. */
  confidence: number;
  /** C&W Adam learning rate. */
  lr: number;
  /** Square Attack query budget per image. */
  queries: number;
  /** Square Attack initial fraction of pixels changed per query. */
  pInit: number;
}

export interface Experiment {
  dataset: string;
  model: string;
  /** Index into the official test file of the data set. */
  sample: number;
  attack: AttackParams;
  backend: BackendChoice;
}

export const DEFAULT_EXPERIMENT: Experiment = {
  dataset: 'mnist',
  model: 'mnist-cnn',
  sample: 0,
  attack: {
    name: 'pgd',
    norm: 'linf',
    eps: 0.1,
    steps: 40,
    stepSize: 0.01,
    randomStart: true,
    restarts: 1,
    seed: 0,
    targeted: false,
    target: -1,
    momentum: 1,
    overshoot: 0.02,
    binarySearchSteps: 9,
    c: 0.001,
    confidence: 0,
    lr: 0.01,
    queries: 5000,
    pInit: 0.8,
  },
  backend: 'auto',
};

type FieldType =
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'id' }
  | { kind: 'int'; min: number; max: number }
  | { kind: 'float'; min: number; max: number }
  | { kind: 'bool' };

interface Field {
  /** Path into the Experiment. */
  path: string;
  url: string;
  cli: string;
  type: FieldType;
  label: string;
}

export const FIELDS: readonly Field[] = [
  { path: 'dataset', url: 'ds', cli: 'dataset', type: { kind: 'id' }, label: 'data set' },
  { path: 'model', url: 'model', cli: 'model', type: { kind: 'id' }, label: 'model' },
  { path: 'sample', url: 'i', cli: 'sample', type: { kind: 'int', min: 0, max: 9_999_999 }, label: 'test image' },
  { path: 'attack.name', url: 'attack', cli: 'attack', type: { kind: 'enum', values: ATTACK_NAME_VALUES }, label: 'attack' },
  { path: 'attack.norm', url: 'norm', cli: 'norm', type: { kind: 'enum', values: ['linf', 'l2'] }, label: 'norm' },
  { path: 'attack.eps', url: 'eps', cli: 'eps', type: { kind: 'float', min: 0, max: 1 }, label: 'epsilon' },
  { path: 'attack.steps', url: 'steps', cli: 'steps', type: { kind: 'int', min: 1, max: 10000 }, label: 'steps' },
  { path: 'attack.stepSize', url: 'step', cli: 'step-size', type: { kind: 'float', min: 1e-6, max: 1 }, label: 'step size' },
  { path: 'attack.randomStart', url: 'rs', cli: 'random-start', type: { kind: 'bool' }, label: 'random start' },
  { path: 'attack.restarts', url: 'restarts', cli: 'restarts', type: { kind: 'int', min: 1, max: 100 }, label: 'restarts' },
  { path: 'attack.seed', url: 'seed', cli: 'seed', type: { kind: 'int', min: 0, max: 2 ** 31 - 1 }, label: 'seed' },
  { path: 'attack.targeted', url: 'tgt', cli: 'targeted', type: { kind: 'bool' }, label: 'targeted' },
  {
    path: 'attack.target',
    url: 'target',
    cli: 'target',
    type: { kind: 'int', min: -1, max: 999 },
    label: 'target class (-1: least likely)',
  },
  { path: 'attack.momentum', url: 'mu', cli: 'momentum', type: { kind: 'float', min: 0, max: 100 }, label: 'momentum' },
  { path: 'attack.overshoot', url: 'os', cli: 'overshoot', type: { kind: 'float', min: 0, max: 10 }, label: 'overshoot' },
  {
    path: 'attack.binarySearchSteps',
    url: 'bs',
    cli: 'binary-search',
    type: { kind: 'int', min: 1, max: 100 },
    label: 'binary-search steps',
  },
  { path: 'attack.c', url: 'c', cli: 'c', type: { kind: 'float', min: 1e-10, max: 1e10 }, label: 'initial constant c' },
  { path: 'attack.confidence', url: 'kappa', cli: 'confidence', type: { kind: 'float', min: 0, max: 10000 }, label: 'confidence' },
  { path: 'attack.lr', url: 'lr', cli: 'lr', type: { kind: 'float', min: 1e-6, max: 10 }, label: 'learning rate' },
  { path: 'attack.queries', url: 'q', cli: 'queries', type: { kind: 'int', min: 1, max: 1000000 }, label: 'query budget' },
  { path: 'attack.pInit', url: 'p', cli: 'p-init', type: { kind: 'float', min: 1e-6, max: 1 }, label: 'initial square fraction p' },
  {
    path: 'backend',
    url: 'backend',
    cli: 'backend',
    type: { kind: 'enum', values: ['auto', 'webgpu', 'webgl', 'wasm'] },
    label: 'backend',
  },
];

type Value = string | number | boolean;

function getPath(e: Experiment, path: string): Value {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], e) as Value;
}

function setPath(e: Experiment, path: string, v: Value): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  const target = keys.reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, e as unknown as Record<string, unknown>);
  target[last] = v;
}

export function cloneExperiment(e: Experiment): Experiment {
  return { ...e, attack: { ...e.attack } };
}

/** Parse one raw text value for a field; returns an error message instead of throwing. */
export function parseFieldValue(field: Field, raw: string): { value: Value } | { error: string } {
  const t = field.type;
  const s = raw.trim();
  switch (t.kind) {
    case 'enum':
      return t.values.includes(s) ? { value: s } : { error: `${field.label} "${s}" is not one of ${t.values.join(', ')}` };
    case 'id':
      return /^[a-z0-9][a-z0-9-]{0,63}$/.test(s) ? { value: s } : { error: `${field.label} "${s.slice(0, 40)}" is not a valid name` };
    case 'bool':
      if (['1', 'true', 'yes', 'on'].includes(s)) return { value: true };
      if (['0', 'false', 'no', 'off'].includes(s)) return { value: false };
      return { error: `${field.label} "${s}" is not true or false` };
    case 'int':
    case 'float': {
      const v = Number(s);
      if (s === '' || !Number.isFinite(v)) return { error: `${field.label} "${s.slice(0, 40)}" is not a number` };
      if (t.kind === 'int' && !Number.isInteger(v)) return { error: `${field.label} ${s} is not a whole number` };
      if (v < t.min || v > t.max) return { error: `${field.label} ${s} is outside ${t.min}..${t.max}` };
      return { value: v };
    }
  }
}

function formatValue(v: Value): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  return String(v);
}

/** The URL hash for an experiment (without the leading #). Fields at their default are left out. */
export function encodeExperiment(e: Experiment): string {
  const params = new URLSearchParams();
  params.set('v', String(SCHEMA_VERSION));
  for (const f of FIELDS) {
    const v = getPath(e, f.path);
    if (v !== getPath(DEFAULT_EXPERIMENT, f.path)) params.set(f.url, formatValue(v));
  }
  return params.toString();
}

export interface DecodeResult {
  experiment: Experiment;
  /** Plain-text notices for the user (never HTML). Empty when the link was fine. */
  notices: string[];
}

/** Decode a URL hash (with or without '#'); never throws. */
export function decodeExperiment(hash: string, defaults: Experiment = DEFAULT_EXPERIMENT): DecodeResult {
  const experiment = cloneExperiment(defaults);
  const notices: string[] = [];
  const text = hash.replace(/^#/, '');
  if (text.trim() === '') return { experiment, notices };
  if (text.length > 4000) return { experiment, notices: ['The link is too long to be a lab link; the default view is shown.'] };
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(text);
  } catch {
    return { experiment, notices: ['The link could not be read; the default view is shown.'] };
  }
  const v = params.get('v');
  if (v === null) {
    notices.push('The link has no version; it was read as the current version.');
  } else if (v !== String(SCHEMA_VERSION)) {
    const n = Number(v);
    if (Number.isInteger(n) && n > SCHEMA_VERSION) {
      notices.push(`The link was made by a newer version of the lab (v${n}); settings this version does not know were ignored.`);
    } else {
      notices.push(`The link's version "${v.slice(0, 20)}" is not known; it was read as version ${SCHEMA_VERSION}.`);
    }
  }
  const known = new Set(['v', ...FIELDS.map((f) => f.url)]);
  for (const key of params.keys()) {
    if (!known.has(key)) notices.push(`Unknown setting "${key.slice(0, 40)}" in the link was ignored.`);
  }
  for (const f of FIELDS) {
    const raw = params.get(f.url);
    if (raw === null) continue;
    const r = parseFieldValue(f, raw);
    if ('error' in r) notices.push(`In the link, ${r.error}; the default was used.`);
    else setPath(experiment, f.path, r.value);
  }
  return { experiment, notices: [...new Set(notices)] };
}

/** Apply CLI flag values (already split by name) on top of defaults; throws one-line errors. */
export function experimentFromFlags(
  flags: Record<string, string | boolean | undefined>,
  defaults: Experiment = DEFAULT_EXPERIMENT,
): Experiment {
  const e = cloneExperiment(defaults);
  for (const f of FIELDS) {
    const raw = flags[f.cli];
    if (raw === undefined) continue;
    const r = parseFieldValue(f, typeof raw === 'boolean' ? (raw ? '1' : '0') : raw);
    if ('error' in r) throw new Error(`--${f.cli}: ${r.error}`);
    setPath(e, f.path, r.value);
  }
  return e;
}
