/**
 * Fields of the experiment description: one table entry per setting says its path in the experiment
 * object, its URL key, its CLI flag, its type, range and default. The URL codec (codec.ts), the CLI
 * flag reader and `rlab help`, and the studio's controls are all driven by these entries, so a lab
 * declares a setting once.
 *
 * Parsing never throws: a bad value yields an error message. Ranges may depend on fields read before
 * them (the context: the experiment decoded so far), e.g. an L2 eps is bounded by sqrt(H*W*C) of the
 * data set.
 */

export type Value = string | number | boolean | number[] | string[];

/** A bound that may depend on the fields decoded before it. */
export type Bound<C> = number | ((context: C) => number);

export type FieldType<C> =
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'id' }
  | { kind: 'int'; min: number; max: Bound<C> }
  | { kind: 'float'; min: number; max: Bound<C> }
  | { kind: 'bool' }
  /** Numbers separated by commas (or spaces / semicolons), each in [min, max]. */
  | { kind: 'floatList'; min: number; max: Bound<C>; minItems: number; maxItems: number }
  /** Names separated by commas. */
  | { kind: 'idList'; maxItems: number }
  /**
   * Free text of at most maxLength characters, checked by its own parser (`check` returns an error
   * message or null; it may also give the canonical text, e.g. a defence spec).
   */
  | { kind: 'text'; maxLength: number; what: string; check: (s: string) => { error: string } | { value: string } };

/** A slider's range for a numeric field (the studio's control); typed values may go anywhere the type allows. */
export interface SliderRange {
  min: number;
  max: number;
  step: number;
}

export interface Field<C = unknown> {
  /** Path into the experiment object ('attack.eps'). */
  path: string;
  /** URL key, without the lab's prefix ('eps' is written 'atk.eps'). */
  url: string;
  /** CLI flag, without the dashes. */
  cli: string;
  type: FieldType<C>;
  /** What the field is, in words (messages and help): 'epsilon'. */
  label: string;
  /** Short label of the studio's control ('ε'); the label when absent. */
  short?: string;
  /** One line for `rlab help` and the control's tooltip. */
  help?: string;
  /** The default. */
  default: Value;
  /** A default that depends on the rest of the experiment (CIFAR-10's L-inf budgets in /255); undefined: `default`. */
  defaultFor?: (context: C) => Value | undefined;
  /** The studio's slider range (null or absent: a number box only). */
  slider?: (context: C) => SliderRange | null;
}

// dots too: the randomized-smoothing models are named by their sigma (mnist-cnn-smooth-0.25)
const ID = /^[a-z0-9][a-z0-9.-]{0,63}$/;

/** A number in a range, written the way the range is shown ("0..28", "0..55.43"). */
const shown = (v: number) => String(Number(v.toFixed(2)));

export function boundOf<C>(b: Bound<C>, context: C): number {
  return typeof b === 'function' ? b(context) : b;
}

/** A number, or a fraction such as 8/255 (how CIFAR-10 budgets are written); NaN otherwise. */
export function numberOrFraction(s: string): number {
  const frac = /^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*\/\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*$/i.exec(s);
  if (frac) {
    const d = Number(frac[2]);
    return d > 0 ? Number(frac[1]) / d : NaN;
  }
  return s.trim() === '' ? NaN : Number(s);
}

/** Parse one raw text value for a field; an error message instead of an exception. */
export function parseFieldValue<C>(field: Pick<Field<C>, 'type' | 'label'>, raw: string, context: C): { value: Value } | { error: string } {
  const t = field.type;
  const s = raw.trim();
  switch (t.kind) {
    case 'enum':
      return t.values.includes(s) ? { value: s } : { error: `${field.label} "${s.slice(0, 40)}" is not one of ${t.values.join(', ')}` };
    case 'id':
      return ID.test(s) ? { value: s } : { error: `${field.label} "${s.slice(0, 40)}" is not a valid name` };
    case 'bool':
      if (['1', 'true', 'yes', 'on'].includes(s)) return { value: true };
      if (['0', 'false', 'no', 'off'].includes(s)) return { value: false };
      return { error: `${field.label} "${s.slice(0, 40)}" is not true or false` };
    case 'int':
    case 'float': {
      const v = t.kind === 'float' ? numberOrFraction(s) : Number(s);
      if (s === '' || !Number.isFinite(v)) return { error: `${field.label} "${s.slice(0, 40)}" is not a number` };
      if (t.kind === 'int' && !Number.isInteger(v)) return { error: `${field.label} ${s.slice(0, 40)} is not a whole number` };
      const max = boundOf(t.max, context);
      if (v < t.min || v > max) return { error: `${field.label} ${s.slice(0, 40)} is outside ${t.min}..${shown(max)}` };
      return { value: v };
    }
    case 'floatList': {
      const parts = s
        .replace(/\s*\/\s*/g, '/')
        .split(/[\s,;]+/)
        .filter((p) => p !== '');
      if (parts.length < t.minItems || parts.length > t.maxItems)
        return { error: `${field.label} need ${t.minItems} to ${t.maxItems} numbers, not ${parts.length}` };
      const max = boundOf(t.max, context);
      const values: number[] = [];
      for (const p of parts) {
        const v = numberOrFraction(p);
        if (!Number.isFinite(v)) return { error: `${field.label}: "${p.slice(0, 40)}" is not a number` };
        if (v < t.min || v > max) return { error: `${field.label}: ${p.slice(0, 40)} is outside ${t.min}..${shown(max)}` };
        values.push(v);
      }
      return { value: values };
    }
    case 'text': {
      if (s.length > t.maxLength) return { error: `${field.label}: at most ${t.maxLength} characters, not ${s.length}` };
      return t.check(s);
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

/** The text of a value, as the URL and the UI's text boxes write it. */
export function formatValue(v: Value): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

/** The range of a field in words, for `rlab help` ("0..1", "one of linf, l2"). */
export function describeType<C>(t: FieldType<C>, context: C): string {
  switch (t.kind) {
    case 'enum':
      return t.values.join('|');
    case 'id':
      return 'name';
    case 'bool':
      return 'on/off';
    case 'int':
    case 'float':
      return `${t.min}..${shown(boundOf(t.max, context))}`;
    case 'floatList':
      return `list of ${t.minItems}-${t.maxItems} numbers in ${t.min}..${shown(boundOf(t.max, context))}`;
    case 'idList':
      return `up to ${t.maxItems} names`;
    case 'text':
      return t.what;
  }
}

export function getPath(o: object, path: string): Value {
  return path.split('.').reduce<unknown>((x, k) => (x as Record<string, unknown>)[k], o) as Value;
}

export function setPath(o: object, path: string, v: Value): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  const target = keys.reduce<Record<string, unknown>>((x, k) => x[k] as Record<string, unknown>, o as Record<string, unknown>);
  target[last] = v;
}

/** A copy of a value (lists are copied, so a decoded experiment never shares arrays with the defaults). */
export function copyValue(v: Value): Value {
  return Array.isArray(v) ? ([...v] as Value) : v;
}
