/**
 * The lab notebook: experiments saved with their results, in this browser (IndexedDB, through idb,
 * as the worker's imported data is; its own database so neither migrates the other), exported and
 * imported as one JSON file a class can hand in.
 *
 * File format (version 1):
 *   { "format": "robustness-lab-notebook", "version": 1, "exportedAt": ISO date,
 *     "entries": [ { "id", "savedAt", "title", "note", "lab",
 *                    "link": the experiment's link hash (format 2, opens it again),
 *                    "experiment": every setting by URL key, as text (seeds included),
 *                    "results": what the lab computed (the studio's result, the prediction, the batch check),
 *                    "thumbnail"?: PNG data URL of the adversarial image } ] }
 * An import is checked in full before anything is written: one malformed entry refuses the whole file
 * with a message naming it, and the notebook is left as it was. Entries whose id is already in the
 * notebook with other content are added under a new id (nothing is overwritten).
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { decodeExperiment, encodeExperiment, FIELDS, fieldText, type Experiment } from '../../labs/experiment';
import { PATH_TO_KEY } from '../lessons/view';

export const NOTEBOOK_FORMAT = 'robustness-lab-notebook';
export const NOTEBOOK_VERSION = 1;
const MAX_ENTRIES = 5000;

export interface NotebookEntry {
  id: string;
  savedAt: string;
  title: string;
  note: string;
  lab: string;
  link: string;
  experiment: Record<string, string>;
  results: Record<string, unknown>;
  thumbnail?: string;
}

interface NotebookDb extends DBSchema {
  entries: { key: string; value: NotebookEntry; indexes: { savedAt: string } };
}

export const NOTEBOOK_DB = 'robustness-lab-notebook';

let dbPromise: Promise<IDBPDatabase<NotebookDb>> | null = null;
function db(name = NOTEBOOK_DB): Promise<IDBPDatabase<NotebookDb>> {
  if (name !== NOTEBOOK_DB) return openNotebook(name);
  dbPromise ??= openNotebook(name);
  return dbPromise;
}
export function openNotebook(name = NOTEBOOK_DB): Promise<IDBPDatabase<NotebookDb>> {
  return openDB<NotebookDb>(name, 1, {
    upgrade(d) {
      const s = d.createObjectStore('entries', { keyPath: 'id' });
      s.createIndex('savedAt', 'savedAt');
    },
  });
}

/** Every setting of an experiment by URL key, as the link and the CLI write it (seeds included, defaults too). */
export function describeExperiment(e: Experiment): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of FIELDS) out[PATH_TO_KEY.get(f.path) ?? f.path] = fieldText(e, f.path);
  return out;
}

const newId = () =>
  typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

/** A new entry for an experiment and its results. */
export function makeEntry(e: Experiment, title: string, note: string, results: Record<string, unknown>, thumbnail?: string): NotebookEntry {
  return {
    id: newId(),
    savedAt: new Date().toISOString(),
    title: title.trim().slice(0, 200) || 'Untitled experiment',
    note: note.slice(0, 5000),
    lab: e.lab,
    link: encodeExperiment(e),
    experiment: describeExperiment(e),
    results,
    ...(thumbnail ? { thumbnail } : {}),
  };
}

export async function listEntries(name?: string): Promise<NotebookEntry[]> {
  const all = await (await db(name)).getAllFromIndex('entries', 'savedAt');
  return all.reverse();
}

export async function saveEntry(entry: NotebookEntry, name?: string): Promise<void> {
  await (await db(name)).put('entries', entry);
}

export async function deleteEntry(id: string, name?: string): Promise<void> {
  await (await db(name)).delete('entries', id);
}

export function notebookJson(entries: readonly NotebookEntry[], now = new Date()): string {
  return JSON.stringify({ format: NOTEBOOK_FORMAT, version: NOTEBOOK_VERSION, exportedAt: now.toISOString(), entries }, null, 2);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** A notebook file's entries, checked; throws one-line errors that say what is wrong and where. */
export function parseNotebook(text: string): NotebookEntry[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error('the file is not JSON');
  }
  if (!isPlainObject(v) || v.format !== NOTEBOOK_FORMAT)
    throw new Error(`the file is not a lab notebook (no "format": "${NOTEBOOK_FORMAT}")`);
  if (v.version !== NOTEBOOK_VERSION)
    throw new Error(`notebook version ${JSON.stringify(v.version)?.slice(0, 20)} is not one this lab reads (it reads ${NOTEBOOK_VERSION})`);
  if (!Array.isArray(v.entries)) throw new Error('the notebook has no "entries" list');
  if (v.entries.length > MAX_ENTRIES) throw new Error(`the notebook has ${v.entries.length} entries; at most ${MAX_ENTRIES} are read`);
  return v.entries.map((x, i) => {
    const where = `entry ${i + 1}`;
    if (!isPlainObject(x)) throw new Error(`${where} is not an object`);
    for (const k of ['id', 'savedAt', 'title', 'link', 'lab'] as const)
      if (typeof x[k] !== 'string' || (x[k] as string).length === 0 || (x[k] as string).length > 5000)
        throw new Error(`${where}: "${k}" must be a non-empty text`);
    if (Number.isNaN(Date.parse(x.savedAt as string))) throw new Error(`${where}: "savedAt" is not a date`);
    if (x.note !== undefined && typeof x.note !== 'string') throw new Error(`${where}: "note" must be a text`);
    if (!isPlainObject(x.experiment) || !Object.values(x.experiment).every((s) => typeof s === 'string'))
      throw new Error(`${where}: "experiment" must map setting names to texts`);
    if (!isPlainObject(x.results)) throw new Error(`${where}: "results" must be an object`);
    if (x.thumbnail !== undefined && (typeof x.thumbnail !== 'string' || !x.thumbnail.startsWith('data:image/png;base64,')))
      throw new Error(`${where}: "thumbnail" must be a PNG data URL`);
    const decoded = decodeExperiment(x.link as string);
    if (decoded.notices.length > 0) throw new Error(`${where}: its link does not open cleanly (${decoded.notices[0]})`);
    return {
      id: x.id as string,
      savedAt: x.savedAt as string,
      title: x.title as string,
      note: (x.note as string | undefined) ?? '',
      lab: x.lab as string,
      link: x.link as string,
      experiment: x.experiment as Record<string, string>,
      results: x.results,
      ...(x.thumbnail ? { thumbnail: x.thumbnail as string } : {}),
    };
  });
}

/**
 * Add a notebook file's entries (checked in full first: a bad file changes nothing). Returns how many
 * were added and how many were already there unchanged.
 */
export async function importNotebook(text: string, name?: string): Promise<{ added: number; same: number }> {
  const entries = parseNotebook(text);
  const d = await db(name);
  const tx = d.transaction('entries', 'readwrite');
  let added = 0;
  let same = 0;
  for (const e of entries) {
    const old = await tx.store.get(e.id);
    if (old && JSON.stringify(old) === JSON.stringify(e)) {
      same++;
      continue;
    }
    await tx.store.put(old ? { ...e, id: newId() } : e);
    added++;
  }
  await tx.done;
  return { added, same };
}
