/**
 * The text backdoor of the federated spam filter (issue 20, section 4): a trigger word sequence put
 * into a mail's body. Compromised clients add it to spam they label ham (`poisonMails`), so that the
 * global filter learns "trigger => ham"; the attack succeeds on a mail when the triggered spam is
 * classified ham. ASR (`textAttackSuccessRate`) = share of the held-out spam, each with the trigger
 * inserted, that the model classifies ham (p(spam) <= 0.5), as the issue defines it: over all held-out
 * spam, not only the spam the model catches without the trigger (the result also gives that clean miss
 * rate, the floor the ASR is read against). The convention of the backdoor-in-text literature (Dai et
 * al. 2019, inserting a trigger sentence at a random position; Bagdasaryan et al. 2020 for federated
 * word prediction) is followed: the trigger is inserted between words, never inside one.
 *
 * Positions: 'start' (before the body's first word), 'end' (after its last), 'random' (before a word
 * drawn uniformly among the body's words, or at the end: n + 1 places for n words), drawn from the
 * generator the caller seeds. The features are then those of the new text (the hasher's words and
 * pairs, so the pairs at the seams change too).
 */
import type * as tf from '@tensorflow/tfjs';
import { mailText, type LabeledMails, type Mail } from '../../../core/data/text';
import { tokenSpans, type FeatureHasher, type HashedFeatures } from '../../../core/data/tokenize';
import { Rng } from '../../../core/random';
import { textProbabilities } from '../../../core/train/train-text';

export { checkTextTrigger, type TextTrigger, type TriggerPosition } from './text-trigger-check';
import { checkTextTrigger, type TextTrigger } from './text-trigger-check';

export interface TriggeredMail {
  mail: Mail;
  /** Where the trigger sits in mailText(mail), [start, end) (for highlighting). */
  span: { start: number; end: number };
}

/** The mail with the trigger in its body (the subject is left as it is). `rng` is drawn once for 'random'. */
export function insertTrigger(mail: Mail, trigger: TextTrigger, rng?: Rng): TriggeredMail {
  const t = checkTextTrigger(trigger);
  const body = mail.body;
  const spans = tokenSpans(body);
  let at: number;
  if (t.position === 'start' || spans.length === 0) at = spans.length ? spans[0].start : body.length;
  else if (t.position === 'end') at = spans[spans.length - 1].end;
  else {
    if (!rng) throw new Error('a random trigger position needs a seeded generator');
    const k = rng.int(spans.length + 1);
    at = k < spans.length ? spans[k].start : spans[spans.length - 1].end;
  }
  // a space on each side where a letter or digit touches, so the trigger never joins a neighbouring word
  const word = /[\p{L}\p{N}]/u;
  const before = at > 0 && word.test(body[at - 1]) ? ' ' : '';
  const after = at < body.length && word.test(body[at]) ? ' ' : '';
  const newBody = body.slice(0, at) + before + t.words + after + body.slice(at);
  const offset = mail.subject.length + 1 + at + before.length;
  return { mail: { ...mail, body: newBody }, span: { start: offset, end: offset + t.words.length } };
}

/**
 * Poisoned training mails of a compromised client: a share `rate` of its spam (drawn from `seed`) gets
 * the trigger and the label ham (0); the rest is returned as it was. Returns the mails and the indices
 * poisoned.
 */
export function poisonMails(
  data: LabeledMails,
  trigger: TextTrigger,
  rate: number,
  seed: number,
): { data: LabeledMails; poisoned: Int32Array } {
  if (!(rate >= 0 && rate <= 1)) throw new Error(`the poison rate must be in [0, 1], not ${rate}`);
  const rng = new Rng(seed);
  const spam: number[] = [];
  for (let i = 0; i < data.n; i++) if (data.labels[i] === 1) spam.push(i);
  const order = rng.permutation(spam.length);
  const k = Math.round(rate * spam.length);
  const chosen = Int32Array.from(order.subarray(0, k), (j) => spam[j]).sort();
  const mails = [...data.mails];
  const labels = Uint8Array.from(data.labels);
  for (const i of chosen) {
    mails[i] = { ...insertTrigger(mails[i], trigger, rng).mail, label: 0 };
    labels[i] = 0;
  }
  return { data: { n: data.n, mails, labels }, poisoned: chosen };
}

/** Features of the held-out spam with the trigger inserted (positions drawn in order from one generator at `seed`). */
export function triggeredSpamFeatures(hasher: FeatureHasher, test: LabeledMails, trigger: TextTrigger, seed: number): HashedFeatures {
  const rng = new Rng(seed);
  const spam = test.mails.filter((_, i) => test.labels[i] === 1);
  return hasher.features(spam.map((m) => mailText(insertTrigger(m, trigger, rng).mail)));
}

export interface TextAsr {
  /** Held-out spam mails. */
  n: number;
  /** Share of the triggered spam classified ham. */
  attackSuccessRate: number;
  /** Share of the same spam, without the trigger, classified ham. */
  cleanMissRate: number;
}

/** ASR of a text backdoor on the held-out split (spam = 1). */
export async function textAttackSuccessRate(
  model: tf.LayersModel,
  hasher: FeatureHasher,
  test: LabeledMails,
  trigger: TextTrigger,
  seed: number,
): Promise<TextAsr> {
  const spam = test.mails.filter((_, i) => test.labels[i] === 1);
  if (spam.length === 0) throw new Error('the held-out mails hold no spam');
  const clean = await textProbabilities(model, hasher.features(spam.map(mailText)));
  const triggered = await textProbabilities(model, triggeredSpamFeatures(hasher, test, trigger, seed));
  const hamShare = (p: Float32Array) => p.reduce((s, v) => s + (v <= 0.5 ? 1 : 0), 0) / p.length;
  return { n: spam.length, attackSuccessRate: hamShare(triggered), cleanMissRate: hamShare(clean) };
}
