/**
 * The experiment codec: turns an experiment object into a URL hash and back, reads CLI flags into it,
 * and brings dependent values back into range. It knows nothing of any lab: it is built from slices,
 * one per lab plus the core settings (data set, model, test image, backend), each a table of fields
 * (fields.ts) with its own URL key prefix, version and migrations.
 *
 * URL form (in the hash, so nothing reaches a server):
 *   #v=2&ds=mnist&model=mnist-cnn&i=3&atk.v=2&atk.name=pgd&atk.eps=0.3
 * `v` is the link format (2: keys carry their lab's prefix); `<prefix>.v` the version of that lab's
 * slice, written whenever the slice has a setting off its default. Version-1 links (flat keys, before
 * lab prefixes: `#v=1&attack=pgd&eps=0.3`) are read through each slice's `legacyKeys` as version 1 of
 * that slice, then migrated. Fields at their default are left out of links.
 *
 * Decoding never throws: an unknown version, a bad value or an unknown key yields a plain-text notice
 * and the default for that field. Slices are decoded in list order and fields in table order, so a
 * range may depend on fields before it (eps after the norm and the data set).
 */
import { copyValue, formatValue, getPath, parseFieldValue, setPath, type Field, type Value } from './fields';

export const LINK_VERSION = 2;

/** Raw URL values of one slice, by key without the prefix. */
export type RawSlice = Map<string, string>;

export interface Slice<E> {
  /** Lab id used as the URL key prefix ('atk' -> 'atk.eps'); '' for the core settings (unprefixed keys). */
  prefix: string;
  /** Version of this slice's keys and meanings. */
  version: number;
  fields: readonly Field<E>[];
  /** migrations[n] turns version n's raw values into version n + 1's (rename keys, convert values). */
  migrations?: Readonly<Record<number, (raw: RawSlice) => void>>;
  /** Flat keys this slice owned in version-1 links (before prefixes); read as version 1 of the slice. */
  legacyKeys?: readonly string[];
}

export interface DecodeResult<E> {
  experiment: E;
  /** Plain-text notices for the user (never HTML). Empty when the link was fine. */
  notices: string[];
}

export interface ExperimentCodec<E extends object> {
  readonly fields: readonly Field<E>[];
  readonly defaults: E;
  clone(e: E): E;
  /** The field of a path ('attack.eps'). */
  fieldOf(path: string): Field<E>;
  /** The text of a field's value, as the URL and the UI's text boxes write it. */
  fieldText(e: E, path: string): string;
  /** A field's default for this experiment (its defaultFor, else the table's default). */
  defaultFor(e: E, field: Field<E>): Value;
  /** The URL hash (without '#'). */
  encode(e: E): string;
  /** Read a URL hash (with or without '#'); never throws. `defaults`: the base for settings the link leaves out. */
  decode(hash: string, defaults?: E): DecodeResult<E>;
  /** Values that no longer fit (an L2 eps after a switch to L-inf) brought back into range, one note per change. */
  conform(e: E): { experiment: E; notes: string[] };
  /** Apply CLI flag values (by flag name) on top of defaults; throws one-line errors. */
  fromFlags(flags: Record<string, string | boolean | undefined>, defaults?: E, only?: readonly Field<E>[]): E;
}

const MAX_LINK = 4000;

export function makeCodec<E extends object>(slices: readonly Slice<E>[], defaults: E, clone: (e: E) => E): ExperimentCodec<E> {
  const fields = slices.flatMap((s) => s.fields);
  const byPath = new Map(fields.map((f) => [f.path, f]));
  if (byPath.size !== fields.length) throw new Error('experiment fields: a path is declared twice');
  for (const s of slices) {
    const keys = s.fields.map((f) => f.url);
    if (new Set(keys).size !== keys.length) throw new Error(`experiment fields: a URL key of slice "${s.prefix}" is declared twice`);
  }
  // a command reads the core settings and its own lab's fields: flags are unique within those
  const coreFlags = slices.filter((s) => s.prefix === '').flatMap((s) => s.fields.map((f) => f.cli));
  for (const s of slices.filter((x) => x.prefix !== '')) {
    const flags = [...coreFlags, ...s.fields.map((f) => f.cli)];
    if (new Set(flags).size !== flags.length) throw new Error(`experiment fields: a CLI flag of slice "${s.prefix}" is declared twice`);
  }
  const core = slices.find((s) => s.prefix === '');
  const labs = slices.filter((s) => s.prefix !== '');

  const fieldOf = (path: string) => {
    const f = byPath.get(path);
    if (!f) throw new Error(`no experiment field ${path}`);
    return f;
  };
  const defaultFor = (e: E, f: Field<E>): Value => f.defaultFor?.(e) ?? getPath(defaults, f.path);
  const keyOf = (s: Slice<E>, url: string) => (s.prefix === '' ? url : `${s.prefix}.${url}`);

  function encode(e: E): string {
    const params = new URLSearchParams();
    params.set('v', String(LINK_VERSION));
    for (const s of core ? [core, ...labs] : labs) {
      const changed = s.fields.filter((f) => formatValue(getPath(e, f.path)) !== formatValue(defaultFor(e, f)));
      if (changed.length === 0) continue;
      if (s.prefix !== '') params.set(`${s.prefix}.v`, String(s.version));
      for (const f of changed) params.set(keyOf(s, f.url), formatValue(getPath(e, f.path)));
    }
    return params.toString();
  }

  function decode(hash: string, base: E = defaults): DecodeResult<E> {
    const experiment = clone(base);
    const notices: string[] = [];
    const text = hash.replace(/^#/, '');
    if (text.trim() === '') return { experiment, notices };
    if (text.length > MAX_LINK) return { experiment, notices: ['The link is too long to be a lab link; the default view is shown.'] };
    let params: URLSearchParams;
    try {
      params = new URLSearchParams(text);
    } catch {
      return { experiment, notices: ['The link could not be read; the default view is shown.'] };
    }
    let version = LINK_VERSION;
    const v = params.get('v');
    if (v === null) {
      // before lab prefixes, keys were flat: a link without a version and without prefixed keys is read as version 1
      if (![...params.keys()].some((k) => k.includes('.'))) version = 1;
      notices.push('The link has no version; it was read as the current version.');
    } else if (v !== String(LINK_VERSION)) {
      const n = Number(v);
      if (n === 1) version = 1;
      else if (Number.isInteger(n) && n > LINK_VERSION)
        notices.push(`The link was made by a newer version of the lab (v${n}); settings this version does not know were ignored.`);
      else notices.push(`The link's version "${v.slice(0, 20)}" is not known; it was read as version ${LINK_VERSION}.`);
    }

    // the raw values of each slice, and the slice version they are written in
    const raw = new Map<Slice<E>, { version: number; values: RawSlice }>(slices.map((s) => [s, { version: s.version, values: new Map() }]));
    const unknown: string[] = [];
    if (version === 1) {
      const owner = new Map<string, Slice<E>>();
      for (const s of labs) for (const k of s.legacyKeys ?? []) owner.set(k, s);
      for (const s of labs) if (owner.size > 0 && s.legacyKeys) raw.get(s)!.version = 1;
      for (const [key, value] of params) {
        if (key === 'v') continue;
        const s = owner.get(key) ?? (core?.fields.some((f) => f.url === key) ? core : undefined);
        if (s) raw.get(s)!.values.set(key, value);
        else unknown.push(key);
      }
    } else {
      for (const [key, value] of params) {
        if (key === 'v') continue;
        const dot = key.indexOf('.');
        const s = dot < 0 ? core : labs.find((x) => x.prefix === key.slice(0, dot));
        if (!s) {
          unknown.push(key);
          continue;
        }
        const k = dot < 0 ? key : key.slice(dot + 1);
        const entry = raw.get(s)!;
        if (k === 'v' && s.prefix !== '') {
          const sv = Number(value);
          if (!Number.isInteger(sv) || sv < 1)
            notices.push(
              `The link's version of the ${s.prefix} settings, "${value.slice(0, 20)}", is not known; they were read as version ${s.version}.`,
            );
          else entry.version = sv;
        } else {
          entry.values.set(k, value);
        }
      }
    }
    for (const key of unknown) notices.push(`Unknown setting "${key.slice(0, 40)}" in the link was ignored.`);

    for (const s of slices) {
      const entry = raw.get(s)!;
      if (entry.version > s.version) {
        notices.push(
          `The link's ${s.prefix} settings were made by a newer version of the lab (${s.prefix}.v=${entry.version}); settings this version does not know were ignored.`,
        );
      } else {
        for (let from = entry.version; from < s.version; from++) s.migrations?.[from]?.(entry.values);
      }
      const known = new Set(s.fields.map((f) => f.url));
      for (const k of entry.values.keys())
        if (!known.has(k)) notices.push(`Unknown setting "${(version === 1 ? k : keyOf(s, k)).slice(0, 40)}" in the link was ignored.`);
      for (const f of s.fields) {
        const value = entry.values.get(f.url);
        if (value === undefined) continue;
        const r = parseFieldValue(f, value, experiment);
        if ('error' in r) notices.push(`In the link, ${r.error}; the default was used.`);
        else setPath(experiment, f.path, r.value);
      }
    }
    // settings the link leaves out whose default depends on others (CIFAR-10's budgets) take that default
    if (base === defaults) {
      for (const s of slices) {
        for (const f of s.fields) {
          if (!f.defaultFor) continue;
          const value = raw.get(s)!.values.get(f.url);
          if (value === undefined || 'error' in parseFieldValue(f, value, experiment))
            setPath(experiment, f.path, copyValue(defaultFor(experiment, f)));
        }
      }
    }
    return { experiment, notices: [...new Set(notices)] };
  }

  function conform(input: E): { experiment: E; notes: string[] } {
    const e = clone(input);
    const notes: string[] = [];
    for (const f of fields) {
      const v = getPath(e, f.path);
      if (!('error' in parseFieldValue(f, formatValue(v), e))) continue;
      let next: Value = copyValue(defaultFor(e, f));
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

  function fromFlags(values: Record<string, string | boolean | undefined>, base: E = defaults, only: readonly Field<E>[] = fields): E {
    const e = clone(base);
    for (const f of only) {
      const v = values[f.cli];
      if (v === undefined) continue;
      const r = parseFieldValue(f, typeof v === 'boolean' ? (v ? '1' : '0') : v, e);
      if ('error' in r) throw new Error(`--${f.cli}: ${r.error}`);
      setPath(e, f.path, r.value);
    }
    return e;
  }

  return {
    fields,
    defaults,
    clone,
    fieldOf,
    fieldText: (e, path) => formatValue(getPath(e, path)),
    defaultFor,
    encode,
    decode,
    conform,
    fromFlags,
  };
}
