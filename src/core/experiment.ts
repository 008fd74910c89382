/**
 * The experiment description: one typed value that the URL, the CLI flags and the worker messages
 * all carry. A single table (FIELDS) says, per field, its URL key, its CLI flag, its type, its
 * default and its valid range; the URL codec and the CLI flag reader are both driven by it.
 *
 * URL form (in the hash, so nothing reaches a server): #v=1&ds=mnist&model=mnist-cnn&i=0&attack=pgd&...
 * Decoding never throws: an unknown version, a bad value or an unknown key yields a notice and the
 * default for that field.
 *
 * Some ranges depend on fields read before them (FIELDS is decoded in order): eps and the step size
 * are in [0, 1] for L-inf but in [0, sqrt(H*W*C)] for L2 (the largest L2 distance between two images
 * of the data set in [0, 1]: 28 for MNIST); the batch check's image range depends on the data set.
 */
import { DATASETS } from './data/datasets';

export const SCHEMA_VERSION = 1;

export type AttackName = 'none' | 'fgsm' | 'pgd' | 'bim' | 'mifgsm' | 'apgd-ce' | 'cw' | 'deepfool' | 'square';

/** Every attack name, in the order the UI lists them. */
export const ATTACK_NAME_VALUES: readonly AttackName[] = ['none', 'fgsm', 'pgd', 'bim', 'mifgsm', 'apgd-ce', 'cw', 'deepfool', 'square'];
export type BackendChoice = 'auto' | 'webgpu' | 'webgl' | 'wasm';
export type Norm = 'linf' | 'l2';

/**
 * The norms each attack supports, its default first. The attack registry (attacks/index.ts) reads
 * this table, so the URL, the CLI and the library agree on it.
 */
export const ATTACK_NORMS: Readonly<Record<Exclude<AttackName, 'none'>, readonly Norm[]>> = {
  fgsm: ['linf'],
  bim: ['linf'],
  pgd: ['linf', 'l2'],
  mifgsm: ['linf', 'l2'],
  'apgd-ce': ['linf', 'l2'],
  cw: ['l2'],
  deepfool: ['l2'],
  square: ['linf'],
};

/** The norm an attack really measures its budget in: the chosen norm if the attack has it, else its own (C&W, DeepFool: L2). */
export function effectiveNorm(a: { name: AttackName; norm: Norm }): Norm {
  if (a.name === 'none') return a.norm;
  const norms = ATTACK_NORMS[a.name];
  return norms.includes(a.norm) ? a.norm : norms[0];
}

/** Largest L2 distance between two images of this shape with pixels in [0, 1]: sqrt(H * W * C). */
export function maxL2Distance(shape: readonly number[]): number {
  return Math.sqrt(shape.reduce((p, v) => p * v, 1));
}

/**
 * Largest meaningful radius of a perturbation in a norm: 1 for L-inf (pixels live in [0, 1]); for L2
 * sqrt(H * W * C) of the data set (28 for MNIST, 55.4 for CIFAR-10), beyond which every image is
 * reachable. For an unknown data set, the largest over the registry.
 */
export function maxEps(norm: Norm, datasetId: string): number {
  if (norm === 'linf') return 1;
  const info = DATASETS[datasetId];
  const shapes = info ? [info.shape] : Object.values(DATASETS).map((d) => d.shape);
  return Math.max(...shapes.map(maxL2Distance));
}

/** Size of a data set's test split (the registry's official size; the largest when unknown). */
function testSize(datasetId: string): number {
  return DATASETS[datasetId]?.sizes.test ?? Math.max(...Object.values(DATASETS).map((d) => d.sizes.test));
}

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

/** The robustness check (batch panel): test images start .. start + n - 1, the curve's epsilons, more models. */
export interface BatchParams {
  /** First test image of the check. */
  start: number;
  /** Number of test images. */
  n: number;
  /** Epsilons of the accuracy curve, in the attack's norm (minimisation attacks: L2 thresholds). */
  epsilons: number[];
  /** Other zoo models of the same data set drawn on the same curve. */
  models: string[];
}

export interface Experiment {
  dataset: string;
  model: string;
  /** Index into the official test file of the data set. */
  sample: number;
  attack: AttackParams;
  batch: BatchParams;
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
  batch: {
    start: 0,
    n: 100,
    epsilons: [0, 0.05, 0.1, 0.2, 0.3],
    models: [],
  },
  backend: 'auto',
};

/** A bound that may depend on the fields decoded before it. */
type Bound = number | ((e: Experiment) => number);

type FieldType =
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'id' }
  | { kind: 'int'; min: number; max: Bound }
  | { kind: 'float'; min: number; max: Bound }
  | { kind: 'bool' }
  /** Numbers separated by commas (or spaces / semicolons), each in [min, max]. */
  | { kind: 'floatList'; min: number; max: Bound; minItems: number; maxItems: number }
  /** Names separated by commas. */
  | { kind: 'idList'; maxItems: number };

/** The eps bound of the experiment's attack (its effective norm, its data set). */
const epsBound = (e: Experiment) => maxEps(effectiveNorm(e.attack), e.dataset);

interface Field {
  /** Path into the Experiment. */
  path: string;
  url: string;
  cli: string;
  type: FieldType;
  label: string;
  /** The default on colour data sets (CIFAR-10) under L-inf, where budgets are on the /255 scale; else DEFAULT_EXPERIMENT's. */
  colourLinfDefault?: Value;
}

export type { Field };

export const FIELDS: readonly Field[] = [
  { path: 'dataset', url: 'ds', cli: 'dataset', type: { kind: 'id' }, label: 'data set' },
  { path: 'model', url: 'model', cli: 'model', type: { kind: 'id' }, label: 'model' },
  { path: 'sample', url: 'i', cli: 'sample', type: { kind: 'int', min: 0, max: 9_999_999 }, label: 'test image' },
  { path: 'attack.name', url: 'attack', cli: 'attack', type: { kind: 'enum', values: ATTACK_NAME_VALUES }, label: 'attack' },
  { path: 'attack.norm', url: 'norm', cli: 'norm', type: { kind: 'enum', values: ['linf', 'l2'] }, label: 'norm' },
  {
    path: 'attack.eps',
    url: 'eps',
    cli: 'eps',
    type: { kind: 'float', min: 0, max: epsBound },
    label: 'epsilon',
    colourLinfDefault: 8 / 255,
  },
  { path: 'attack.steps', url: 'steps', cli: 'steps', type: { kind: 'int', min: 1, max: 10000 }, label: 'steps' },
  {
    path: 'attack.stepSize',
    url: 'step',
    cli: 'step-size',
    type: { kind: 'float', min: 1e-6, max: epsBound },
    label: 'step size',
    colourLinfDefault: 2 / 255,
  },
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
    path: 'batch.start',
    url: 'bstart',
    cli: 'batch-start',
    type: { kind: 'int', min: 0, max: (e) => testSize(e.dataset) - 1 },
    label: 'first test image of the check',
  },
  {
    path: 'batch.n',
    url: 'bn',
    cli: 'batch-n',
    type: { kind: 'int', min: 1, max: (e) => testSize(e.dataset) },
    label: 'number of test images of the check',
  },
  {
    path: 'batch.epsilons',
    url: 'beps',
    cli: 'batch-epsilons',
    type: { kind: 'floatList', min: 0, max: epsBound, minItems: 1, maxItems: 20 },
    label: 'epsilons of the curve',
    colourLinfDefault: [0, 2 / 255, 4 / 255, 8 / 255, 16 / 255],
  },
  { path: 'batch.models', url: 'bmodels', cli: 'batch-models', type: { kind: 'idList', maxItems: 8 }, label: 'models of the curve' },
  {
    path: 'backend',
    url: 'backend',
    cli: 'backend',
    type: { kind: 'enum', values: ['auto', 'webgpu', 'webgl', 'wasm'] },
    label: 'backend',
  },
];

type Value = string | number | boolean | number[] | string[];

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
  return { ...e, attack: { ...e.attack }, batch: { ...e.batch, epsilons: [...e.batch.epsilons], models: [...e.batch.models] } };
}

const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** A number in a range, written the way the range is shown ("0..28", "0..55.43"). */
const shown = (v: number) => String(Number(v.toFixed(2)));

/** A number, or a fraction such as 8/255 (how CIFAR-10 budgets are written); NaN otherwise. */
export function numberOrFraction(s: string): number {
  const frac = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*\/\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*$/i.exec(s);
  if (frac) {
    const d = Number(frac[2]);
    return d > 0 ? Number(frac[1]) / d : NaN;
  }
  return s.trim() === '' ? NaN : Number(s);
}

/**
 * Parse one raw text value for a field; returns an error message instead of throwing. `context`: the
 * experiment so far (ranges such as eps depend on the norm and the data set).
 */
export function parseFieldValue(field: Field, raw: string, context: Experiment = DEFAULT_EXPERIMENT): { value: Value } | { error: string } {
  const t = field.type;
  const s = raw.trim();
  switch (t.kind) {
    case 'enum':
      return t.values.includes(s) ? { value: s } : { error: `${field.label} "${s}" is not one of ${t.values.join(', ')}` };
    case 'id':
      return ID.test(s) ? { value: s } : { error: `${field.label} "${s.slice(0, 40)}" is not a valid name` };
    case 'bool':
      if (['1', 'true', 'yes', 'on'].includes(s)) return { value: true };
      if (['0', 'false', 'no', 'off'].includes(s)) return { value: false };
      return { error: `${field.label} "${s}" is not true or false` };
    case 'int':
    case 'float': {
      const v = t.kind === 'float' ? numberOrFraction(s) : Number(s);
      if (s === '' || !Number.isFinite(v)) return { error: `${field.label} "${s.slice(0, 40)}" is not a number` };
      if (t.kind === 'int' && !Number.isInteger(v)) return { error: `${field.label} ${s} is not a whole number` };
      const max = typeof t.max === 'function' ? t.max(context) : t.max;
      if (v < t.min || v > max) return { error: `${field.label} ${s} is outside ${t.min}..${shown(max)}` };
      return { value: v };
    }
    case 'floatList': {
      const parts = s
        .replace(/\s*\/\s*/g, '/')
        .split(/[\s,;]+/)
        .filter((p) => p !== '');
      if (parts.length < t.minItems || parts.length > t.maxItems)
        return { error: `${field.label} need ${t.minItems} to ${t.maxItems} numbers, not ${parts.length}` };
      const max = typeof t.max === 'function' ? t.max(context) : t.max;
      const values: number[] = [];
      for (const p of parts) {
        const v = numberOrFraction(p);
        if (!Number.isFinite(v)) return { error: `${field.label}: "${p.slice(0, 40)}" is not a number` };
        if (v < t.min || v > max) return { error: `${field.label}: ${p} is outside ${t.min}..${shown(max)}` };
        values.push(v);
      }
      return { value: values };
    }
    case 'idList': {
      const parts = s
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== '');
      if (parts.length > t.maxItems) return { error: `${field.label}: at most ${t.maxItems} names, not ${parts.length}` };
      const bad = parts.find((p) => !ID.test(p));
      if (bad !== undefined) return { error: `${field.label}: "${bad.slice(0, 40)}" is not a valid name` };
      return { value: [...new Set(parts)] };
    }
  }
}

function formatValue(v: Value): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

/** The text of a field's value, as the URL and the UI's text boxes write it. */
export function fieldText(e: Experiment, path: string): string {
  return formatValue(getPath(e, path));
}

/** The field of a path ('attack.eps', 'batch.n', ...). */
export function fieldOf(path: string): Field {
  const f = FIELDS.find((x) => x.path === path);
  if (!f) throw new Error(`no experiment field ${path}`);
  return f;
}

/**
 * The experiment with every value that depends on another field brought back into its range, with a
 * plain-text note per change: after the norm, the attack or the data set changed, an L2 eps of 3 is no
 * L-inf eps (it becomes the default), and an epsilon list keeps only the epsilons that still fit.
 * Returns the input itself when nothing had to change.
 */
export function conformExperiment(input: Experiment): { experiment: Experiment; notes: string[] } {
  const e = cloneExperiment(input);
  const notes: string[] = [];
  for (const f of FIELDS) {
    const v = getPath(e, f.path);
    if (!('error' in parseFieldValue(f, formatValue(v), e))) continue;
    const fallback = getPath(DEFAULT_EXPERIMENT, f.path);
    let next: Value = fallback;
    if (f.type.kind === 'floatList' && Array.isArray(v)) {
      const t = f.type;
      const max = typeof t.max === 'function' ? t.max(e) : t.max;
      const kept = (v as number[]).filter((x) => x >= t.min && x <= max);
      if (kept.length >= t.minItems) next = kept;
    }
    if ('error' in parseFieldValue(f, formatValue(next), e)) continue;
    notes.push(`The ${f.label}, ${formatValue(v)}, does not fit the new settings; it is now ${formatValue(next)}.`);
    setPath(e, f.path, next);
  }
  return { experiment: notes.length > 0 ? e : input, notes };
}

/** The URL hash for an experiment (without the leading #). Fields at their default are left out. */
export function encodeExperiment(e: Experiment): string {
  const params = new URLSearchParams();
  params.set('v', String(SCHEMA_VERSION));
  for (const f of FIELDS) {
    const v = formatValue(getPath(e, f.path));
    if (v !== formatValue(defaultFor(e, f))) params.set(f.url, v);
  }
  return params.toString();
}

/** The default of a field for this experiment: CIFAR-10's L-inf budgets are on the /255 scale (Field.colourLinfDefault). */
function defaultFor(e: Experiment, f: Field): Value {
  if (f.colourLinfDefault !== undefined && DATASETS[e.dataset]?.shape[2] === 3 && effectiveNorm(e.attack) === 'linf')
    return f.colourLinfDefault;
  return getPath(DEFAULT_EXPERIMENT, f.path);
}

/** L-inf budgets of colour data sets (the fields' colourLinfDefault), for the UI's data-set switch. */
export const COLOUR_LINF_DEFAULTS = {
  eps: fieldOf('attack.eps').colourLinfDefault as number,
  stepSize: fieldOf('attack.stepSize').colourLinfDefault as number,
  epsilons: fieldOf('batch.epsilons').colourLinfDefault as number[],
};

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
    const r = parseFieldValue(f, raw, experiment);
    if ('error' in r) notices.push(`In the link, ${r.error}; the default was used.`);
    else setPath(experiment, f.path, r.value);
  }
  // budgets the link leaves out take the data set's scale (what the encoder leaves out)
  for (const f of defaults === DEFAULT_EXPERIMENT ? FIELDS.filter((x) => x.colourLinfDefault !== undefined) : []) {
    const raw = params.get(f.url);
    if (raw === null || 'error' in parseFieldValue(f, raw, experiment)) {
      const d = defaultFor(experiment, f);
      setPath(experiment, f.path, (Array.isArray(d) ? [...d] : d) as Value);
    }
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
    const r = parseFieldValue(f, typeof raw === 'boolean' ? (raw ? '1' : '0') : raw, e);
    if ('error' in r) throw new Error(`--${f.cli}: ${r.error}`);
    setPath(e, f.path, r.value);
  }
  return e;
}
