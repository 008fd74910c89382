/**
 * The experiment description of the whole app: the core settings (data set, model, test image,
 * backend) and every lab's slice (src/labs/index.ts), in one typed value that the URL, the CLI flags
 * and the worker messages all carry. The codec itself is generic (src/core/experiment/codec.ts); this
 * file binds it to the labs.
 *
 * Link format 2: `#v=2&ds=mnist&i=3&atk.v=2&atk.name=pgd&atk.eps=0.3` (each lab's keys prefixed and
 * versioned). Every link of format 1 (`#v=1&attack=pgd&eps=0.3`, what the lab wrote until the lab
 * modules) still opens the same view: each slice reads its old flat keys and migrates them.
 */
import { makeCodec, type DecodeResult as CodecDecodeResult } from '../core/experiment/codec';
import {
  coreSlice,
  DEFAULT_CORE,
  maxEps,
  maxL2Distance,
  type BackendChoice,
  type CoreSettings,
  type Norm,
} from '../core/experiment/core-settings';
import { formatValue, numberOrFraction, parseFieldValue as parseRaw, type Field, type Value } from '../core/experiment/fields';
import { COLOUR_LINF, effectiveNorm, STARTER_SAMPLE, type AttackSettings, type BatchSettings } from './attacks/index';
import type { DefencesExperiment } from './defences/index';
import type { FederatedExperiment } from './federated/index';
import type { PrivacyExperiment } from './privacy/index';
import { LABS } from './index';

export { LINK_VERSION } from '../core/experiment/codec';
export { effectiveNorm, maxEps, maxL2Distance, numberOrFraction };
export type { BackendChoice, Norm, Field, Value };

/** Attack settings (the attacks lab's slice). */
export type AttackParams = AttackSettings;
/** The batch robustness check's settings (the attacks lab's slice). */
export type BatchParams = BatchSettings;
/** An attack of the registry, or 'none'. */
export type AttackName = string;

export interface Experiment extends CoreSettings, DefencesExperiment, FederatedExperiment, PrivacyExperiment {
  attack: AttackSettings;
  batch: BatchSettings;
}

export function cloneExperiment(e: Experiment): Experiment {
  return LABS.reduce<Experiment>((x, lab) => (lab.clone as (v: Experiment) => Experiment)(x), { ...e });
}

export const DEFAULT_EXPERIMENT: Experiment = Object.freeze({
  ...DEFAULT_CORE,
  ...LABS.reduce(
    (parts, lab) => ({ ...parts, ...lab.defaults() }),
    {} as Pick<Experiment, 'attack' | 'batch' | keyof DefencesExperiment | keyof FederatedExperiment | keyof PrivacyExperiment>,
  ),
}) as Experiment;

/**
 * What a first visit (a link with no hash at all) opens on: the defaults on the starter test image
 * (src/labs/attacks/starter.ts), where the default attack succeeds. Not a default: a link that leaves a
 * field out still means that field's default (image 0), and the page writes `i=` into the link at once.
 */
export function firstVisitExperiment(): Experiment {
  return { ...cloneExperiment(DEFAULT_EXPERIMENT), sample: STARTER_SAMPLE };
}

const codec = makeCodec<Experiment>([coreSlice<Experiment>(), ...LABS.map((l) => l.slice)], DEFAULT_EXPERIMENT, cloneExperiment);

export const FIELDS: readonly Field<Experiment>[] = codec.fields;
export type DecodeResult = CodecDecodeResult<Experiment>;

/** The URL hash for an experiment (without the leading #). Fields at their default are left out. */
export const encodeExperiment = (e: Experiment): string => codec.encode(e);
/** Decode a URL hash (with or without '#'), of any link format the lab has written; never throws. */
export const decodeExperiment = (hash: string, defaults: Experiment = DEFAULT_EXPERIMENT): DecodeResult => codec.decode(hash, defaults);
/** Values that depend on a changed field brought back into range, with a plain-text note per change. */
export const conformExperiment = (e: Experiment) => codec.conform(e);
/**
 * CLI flag values (by flag name) on top of defaults; throws one-line errors. Flags are unique within
 * the core settings and one lab's slice (two labs may both have a --defence), so a command reads its
 * own lab's: `lab` restricts the fields to the core's and that lab's (without it, every field).
 */
export const experimentFromFlags = (
  flags: Record<string, string | boolean | undefined>,
  defaults: Experiment = DEFAULT_EXPERIMENT,
  lab?: string,
) => codec.fromFlags(flags, defaults, lab === undefined ? undefined : fieldsOfLab(lab));

/** The core settings' fields and one lab's. */
export function fieldsOfLab(lab: string): readonly Field<Experiment>[] {
  const l = LABS.find((x) => x.id === lab);
  if (!l) throw new Error(`no lab "${lab}"`);
  const own = new Set(l.slice.fields.map((f) => f.path));
  const core = new Set(coreSlice<Experiment>().fields.map((f) => f.path));
  return FIELDS.filter((f) => own.has(f.path) || core.has(f.path));
}
export const fieldOf = (path: string) => codec.fieldOf(path);
/** True when a field holds its default for this experiment (what a link leaves out). */
export const atDefault = (e: Experiment, path: string): boolean =>
  codec.fieldText(e, path) === formatValue(codec.defaultFor(e, codec.fieldOf(path)));
export const fieldText = (e: Experiment, path: string) => codec.fieldText(e, path);
/** Parse one raw text value for a field, in the context of the experiment so far (ranges depend on it). */
export const parseFieldValue = (f: Field<Experiment>, raw: string, context: Experiment = DEFAULT_EXPERIMENT) => parseRaw(f, raw, context);

/** L-inf budgets of colour data sets, for the UI's data-set switch. */
export const COLOUR_LINF_DEFAULTS = COLOUR_LINF;
