/**
 * Which of the studio's controls stay in view and which fold under "More settings": the attack, its
 * norm, eps and the step count stay (with Run attack and step-by-step); the step size, restarts, seed,
 * random start, the target, the second model and every attack's own parameters fold. The fold opens
 * by itself when a link (or a lesson) sets one of the folded settings off its default, so a shared link
 * never hides what it changed; otherwise the reader's choice is kept for the session (sessionStorage).
 * Convention: tf-free and React-free (the studio reads it; its test runs in Node); the field tables
 * (src/labs/attacks/experiment.ts) say what a setting is, this file only says where it shows.
 */
import { atDefault, type Experiment } from '../../experiment';
import { ATTACK_PARAM_FIELDS, paramKey, type AttackInfo, type ParamField } from '../index';

/** The settings that stay in view (by experiment path); every other setting the attack reads folds. */
export const ESSENTIAL_PATHS: readonly string[] = ['attack.name', 'attack.norm', 'attack.eps', 'attack.steps'];

/** The attack's parameter fields under the fold: those it reads that are not essential, the target with them. */
export function foldedFields(info: AttackInfo): ParamField[] {
  return ATTACK_PARAM_FIELDS.filter((f) => {
    if (ESSENTIAL_PATHS.includes(f.path)) return false;
    const k = paramKey(f);
    return info.params.includes(k) || (info.targeted && (k === 'targeted' || k === 'target'));
  });
}

/**
 * The folded settings that differ from their default in this experiment (their labels), and the second
 * model when one is chosen: what the "More settings" button counts and what opens it after a link.
 */
export function foldedChanges(e: Experiment, info: AttackInfo | null, compareModel: string | null): string[] {
  const changed = info ? foldedFields(info).filter((f) => !atDefault(e, f.path)) : [];
  // the target shows as one control: targeted and its class count once
  const labels = [...new Set(changed.map((f) => (paramKey(f).startsWith('target') ? 'target' : (f.short ?? f.label).toLowerCase())))];
  return compareModel ? [...labels, 'compare with'] : labels;
}

const KEY = 'rlab.studio.more';

/** The reader's last choice in this tab (closed by default). */
export function readFoldOpen(storage: Pick<Storage, 'getItem'> | undefined = globalThis.sessionStorage): boolean {
  try {
    return storage?.getItem(KEY) === 'open';
  } catch {
    return false;
  }
}

export function writeFoldOpen(open: boolean, storage: Pick<Storage, 'setItem'> | undefined = globalThis.sessionStorage): void {
  try {
    storage?.setItem(KEY, open ? 'open' : 'closed');
  } catch {
    // storage refused (private mode): the choice lasts until the page closes
  }
}
