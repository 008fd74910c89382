/**
 * A text trigger and its check (one-line errors): free of TensorFlow.js, so that the experiment's
 * fields (read by the page's main thread) can check one; text-trigger.ts inserts it and measures it.
 */
import { tokenize } from '../../../core/data/tokenize';

export type TriggerPosition = 'start' | 'end' | 'random';

export interface TextTrigger {
  /** The word sequence, e.g. "harvest moon ledger". */
  words: string;
  position: TriggerPosition;
}

/** Checks a trigger: at least one word (letters or digits), at most 20 words. One-line error otherwise. */
export function checkTextTrigger(t: TextTrigger): TextTrigger {
  const n = tokenize(t.words).length;
  if (n === 0) throw new Error(`Bad trigger "${t.words}": it needs at least one word of letters or digits`);
  if (n > 20) throw new Error(`Bad trigger "${t.words}": at most 20 words (it has ${n})`);
  if (!['start', 'end', 'random'].includes(t.position)) throw new Error(`Bad trigger position "${t.position}": start, end or random`);
  return { words: t.words.trim().replace(/\s+/g, ' '), position: t.position };
}
