/**
 * The user's own models and the training run in progress, kept in IndexedDB (the `idb` package) so
 * that they survive a reload. A model is one record (its card, model.json and weight files) written in
 * one transaction: a failed write leaves every stored model as it was. The run in progress is one
 * record (its settings, the loop's TrainState and the charts so far), replaced at every save.
 *
 * Its own database (not the imported data's): the two evolve separately. Used by the worker (training,
 * loading a model) and the page (the model pickers list the stored cards at start-up).
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { isModelCard, type ModelCard } from '../../../core/models/card';
import type { TrainState } from '../../../core/train/train';

/** The recipe field of every card of a model trained (or imported) in this browser. */
export const USER_RECIPE = 'in-browser';
/** Ids of the user's models start with this (zoo ids never do). */
export const USER_PREFIX = 'my-';

export function isUserModel(card: Pick<ModelCard, 'id' | 'recipe'>): boolean {
  return card.recipe === USER_RECIPE && card.id.startsWith(USER_PREFIX);
}

export interface UserModelRecord {
  id: string;
  card: ModelCard;
  /** model.json */
  json: Uint8Array;
  /** Weight files by the path model.json names. */
  weights: { path: string; bytes: Uint8Array }[];
  savedAt: string;
}

/**
 * A training run in progress: enough to go on after a reload. One per kind of run, by key: 'current' for
 * the Train panel's, others for other labs' runs (the privacy lab's DP-SGD run: 'dp-sgd').
 */
export interface RunRecord<S = unknown, L = unknown> {
  key: string;
  /** What the run was started with (the job's request, settings and base model). */
  request: S;
  state: TrainState | null;
  /** The charts so far. */
  log: L;
  savedAt: string;
}

interface DefencesDb extends DBSchema {
  models: { key: string; value: UserModelRecord };
  runs: { key: string; value: RunRecord };
}

export const USER_DB = 'robustness-lab-defences';

export type UserStore = IDBPDatabase<DefencesDb>;

export function openUserStore(name = USER_DB): Promise<UserStore> {
  return openDB<DefencesDb>(name, 1, {
    upgrade(db) {
      db.createObjectStore('models', { keyPath: 'id' });
      db.createObjectStore('runs', { keyPath: 'key' });
    },
  });
}

const describe = (e: unknown) =>
  e instanceof Error ? `${e.name === 'QuotaExceededError' ? 'storage quota exceeded: ' : ''}${e.message}` : String(e);

/** Store a model (a new id, or replacing the record of that id) in one transaction. */
export async function saveUserModel(db: UserStore, record: Omit<UserModelRecord, 'savedAt'>): Promise<UserModelRecord> {
  if (!isModelCard(record.card) || record.card.id !== record.id || !isUserModel(record.card))
    throw new Error(`not a card of a model of yours: ${record.id}`);
  const full = { ...record, savedAt: new Date().toISOString() };
  try {
    const tx = db.transaction('models', 'readwrite');
    await Promise.all([tx.store.put(full), tx.done]);
  } catch (e) {
    throw new Error(`the browser could not store the model (${describe(e)})`, { cause: e });
  }
  return full;
}

/** The cards of the stored models, oldest first; a damaged record is left out (and named in `damaged`). */
export async function listUserModels(db: UserStore): Promise<{ cards: ModelCard[]; damaged: string[] }> {
  const all = await db.getAll('models');
  const cards: ModelCard[] = [];
  const damaged: string[] = [];
  for (const r of all.sort((a, b) => a.savedAt.localeCompare(b.savedAt))) {
    if (isModelCard(r.card) && r.json instanceof Uint8Array && Array.isArray(r.weights)) cards.push(r.card);
    else damaged.push(String(r.id));
  }
  return { cards, damaged };
}

export async function getUserModel(db: UserStore, id: string): Promise<UserModelRecord | null> {
  return (await db.get('models', id)) ?? null;
}

export async function deleteUserModel(db: UserStore, id: string): Promise<void> {
  await db.delete('models', id);
}

/** A free id for a new model: `${base}`, else `${base}-2`, `${base}-3`... */
export function freeId(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const clean =
    USER_PREFIX +
    base
      .replace(new RegExp(`^${USER_PREFIX}`), '')
      .toLowerCase()
      // dots stay, as in the zoo's ids (mnist-dp-sigma1.3): the model pickers and links accept them
      .replace(/[^a-z0-9.-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '')
      .slice(0, 48);
  if (!used.has(clean)) return clean;
  for (let k = 2; ; k++) if (!used.has(`${clean}-${k}`)) return `${clean}-${k}`;
}

export async function saveRun<S, L>(db: UserStore, run: Omit<RunRecord<S, L>, 'key' | 'savedAt'>, key = 'current'): Promise<void> {
  await db.put('runs', { ...run, key, savedAt: new Date().toISOString() });
}

export async function loadRun<S, L>(db: UserStore, key = 'current'): Promise<RunRecord<S, L> | null> {
  return ((await db.get('runs', key)) as RunRecord<S, L> | undefined) ?? null;
}

export async function deleteRun(db: UserStore, key = 'current'): Promise<void> {
  await db.delete('runs', key);
}

let shared: Promise<UserStore> | null = null;

/** The store, opened once per page or worker. */
export function userStore(): Promise<UserStore> {
  shared ??= openUserStore().catch((e: unknown) => {
    shared = null;
    throw new Error(`this browser does not let the lab use IndexedDB (${describe(e)}), so your models cannot be kept`);
  });
  return shared;
}

/** The files of a model of the user's (null for a zoo card): model.json and weight files by path. */
export async function userModelFiles(card: ModelCard): Promise<{ json: Uint8Array; weights: Map<string, Uint8Array> } | null> {
  if (!isUserModel(card)) return null;
  const rec = await getUserModel(await userStore(), card.id);
  if (!rec) throw new Error(`${card.id} is no longer stored in this browser (was it deleted in another tab?)`);
  return { json: rec.json, weights: new Map(rec.weights.map((w) => [w.path, w.bytes])) };
}

/** The cards of the user's stored models (for the model pickers). */
export async function storedModelCards(): Promise<{ cards: ModelCard[]; damaged: string[] }> {
  return listUserModels(await userStore());
}
