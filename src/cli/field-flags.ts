/**
 * A command's flags from a field table (a lab slice's fields, or a CLI-only table of the same shape for
 * settings that are not in links): the parseArgs options, the `--help` lines and the reading of the
 * values. Convention: a flag's value is parsed exactly as a link's value of the same field
 * (`parseFieldValue`: type, range, the label in the message), fields are read in table order so that a
 * range or a default may depend on the fields before it, and the help line is the field's help, its
 * range (`describeType`) and its default. A flag may also answer to other names (aliases: `rlab dlg`'s
 * `--method` for the slice's `--leak-method`); giving two names of one field is refused. Unknown flags
 * are refused by `parse` (strict parseArgs), as for every command.
 */
import { describeType, formatValue, parseFieldValue, setPath, type Field, type Value } from '../core/experiment/fields';
import { UsageError } from './args';
import type { Flag } from './command';

/** A field of a CLI-only table: a field without URL key (its settings are not in links). */
export type CliField<C> = Omit<Field<C>, 'url'> & { url?: string };

/** Other names of flags: alias -> the field's flag ('method' -> 'leak-method'). */
export type FlagAliases = Readonly<Record<string, string>>;

const namesOf = (f: { cli: string }, aliases: FlagAliases) => [...Object.keys(aliases).filter((a) => aliases[a] === f.cli), f.cli];

/** parseArgs options: one string option per field flag and per alias. */
export function fieldOptions(fields: readonly { cli: string }[], aliases: FlagAliases = {}): Record<string, { type: 'string' }> {
  for (const [alias, cli] of Object.entries(aliases))
    if (!fields.some((f) => f.cli === cli)) throw new Error(`flag alias --${alias}: no field has the flag --${cli}`);
  return Object.fromEntries(fields.flatMap((f) => namesOf(f, aliases)).map((name) => [name, { type: 'string' as const }]));
}

export interface FieldFlagsOptions {
  aliases?: FlagAliases;
  /** The URL key prefix of the slice ('pv'): the help names the link's key too. */
  urlPrefix?: string;
}

/**
 * The `--help` lines of the fields: the first name (an alias where there is one), the range, the help,
 * the default (a field whose default depends on others says so in its help) and its other names.
 */
export function fieldFlags<C>(fields: readonly CliField<C>[], context: C, options: FieldFlagsOptions = {}): Flag[] {
  const aliases = options.aliases ?? {};
  return fields.map((f) => {
    const [name, ...others] = namesOf(f, aliases);
    const extra = [
      ...(f.defaultFor ? [] : [`default ${formatValue(f.default) || '""'}`]),
      ...others.map((o) => `also --${o}`),
      ...(options.urlPrefix !== undefined && f.url ? [`${options.urlPrefix}.${f.url} in links`] : []),
    ];
    return {
      name: name!,
      value: describeType(f.type, context),
      help: `${f.help ?? f.label}${extra.length > 0 ? ` (${extra.join('; ')})` : ''}`,
    };
  });
}

/**
 * The flags' values read into `target` (which holds the defaults), in table order; a field that is not
 * given and has a `defaultFor` takes it. One-line usage errors name the flag as it was given.
 */
export function readFieldFlags<C extends object>(
  fields: readonly CliField<C>[],
  values: Readonly<Record<string, unknown>>,
  target: C,
  aliases: FlagAliases = {},
): C {
  for (const f of fields) {
    const given = namesOf(f, aliases).filter((n) => values[n] !== undefined);
    if (given.length > 1) throw new UsageError(`give ${given.map((n) => `--${n}`).join(' or ')}, not both`);
    const name = given[0];
    if (name === undefined) {
      const d: Value | undefined = f.defaultFor?.(target);
      if (d !== undefined) setPath(target, f.path, d);
      continue;
    }
    const raw = values[name];
    const r = parseFieldValue(f, typeof raw === 'boolean' ? (raw ? '1' : '0') : String(raw), target);
    if ('error' in r) throw new UsageError(`--${name} ${JSON.stringify(raw)}: ${r.error}`);
    setPath(target, f.path, r.value);
  }
  return target;
}
