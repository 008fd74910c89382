/**
 * One control for one field of a lab's slice (a `part.key` path of the experiment): a number or text
 * box, a select for enums, a checkbox for booleans. It reads the value from the experiment, parses
 * what the user types with the field's own parser (the same one the URL and the CLI use), shows the
 * parser's message while the text is invalid, and writes valid values back to the experiment (so to
 * the link). Labs build their settings forms from their field tables with it.
 */
import { useState } from 'react';
import { parseFieldValue, type Field, type Value } from '../core/experiment/fields';
import type { Experiment } from '../labs/experiment';
import { patchExperiment, useLab } from './store';
import { useControl } from './lessons/view';

type Parts = Omit<Experiment, 'attack' | 'batch'>;

const textOf = (v: unknown) => (Array.isArray(v) ? v.join(', ') : String(v));

function splitPath(path: string): [keyof Parts, string] {
  const dot = path.indexOf('.');
  if (dot < 0) throw new Error(`FieldInput needs a part.key path, not "${path}"`);
  return [path.slice(0, dot) as keyof Parts, path.slice(dot + 1)];
}

/** The value of a `part.key` field in the experiment. */
export function fieldValue(e: Experiment, path: string): Value {
  const [part, key] = splitPath(path);
  return (e[part] as unknown as Record<string, Value>)[key];
}

/** Set a `part.key` field of the experiment (and so the link). */
export function setFieldValue(path: string, value: Value): void {
  const e = useLab.getState().experiment;
  const [part, key] = splitPath(path);
  patchExperiment({ [part]: { ...(e[part] as object), [key]: value } } as Partial<Parts>);
}

export function FieldInput<C>({ field, testPrefix, disabled: busy }: { field: Field<C>; testPrefix: string; disabled?: boolean }) {
  const e = useLab((s) => s.experiment);
  // a classroom link or a lesson may hide this setting or lock it at its value (src/ui/lessons/view.ts)
  const access = useControl(field.path);
  const disabled = busy || access === 'locked';
  const value = fieldValue(e, field.path);
  const text = textOf(value);
  const [draft, setDraft] = useState<{ base: string; text: string; error: string | null } | null>(null);
  const shown = draft && draft.base === text ? draft : { text, error: null };
  const f = field as unknown as Field<Experiment>;
  const change = (raw: string) => {
    const r = parseFieldValue(f, raw, e);
    if ('error' in r) setDraft({ base: text, text: raw, error: r.error });
    else {
      setDraft({ base: textOf(r.value), text: raw, error: null });
      setFieldValue(field.path, r.value);
    }
  };
  const id = `${testPrefix}${field.url}`;
  const kind = field.type.kind;
  if (access === 'hidden') return null;
  let control;
  if (kind === 'enum') {
    const values = (field.type as { values: readonly string[] }).values;
    control = (
      <select
        id={id}
        value={text}
        onChange={(ev) => change(ev.target.value)}
        disabled={disabled}
        data-testid={`${id}-input`}
        title={field.help}
      >
        {values.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    );
  } else if (kind === 'bool') {
    control = (
      <input
        id={id}
        type="checkbox"
        checked={value === true}
        onChange={(ev) => setFieldValue(field.path, ev.target.checked)}
        disabled={disabled}
        data-testid={`${id}-input`}
        title={field.help}
      />
    );
  } else {
    const wide = kind === 'floatList' || kind === 'text' || kind === 'idList';
    control = (
      <input
        id={id}
        type={wide ? 'text' : 'number'}
        value={shown.text}
        onChange={(ev) => change(ev.target.value)}
        onBlur={() => setDraft(null)}
        disabled={disabled}
        aria-invalid={shown.error ? true : undefined}
        title={shown.error ?? field.help}
        data-testid={`${id}-input`}
        size={wide ? 20 : 8}
      />
    );
  }
  return (
    <div className="param" data-locked={access === 'locked' || undefined}>
      <label className="param-label" htmlFor={id} title={field.help}>
        {field.label}
        {access === 'locked' && <span className="muted small"> (locked)</span>}
      </label>
      {control}
      {shown.error && <span className="small attack-error">{shown.error}</span>}
    </div>
  );
}
