/**
 * Data sets the user imported (CIFAR-10's test split), kept in IndexedDB so that they survive a
 * reload. One record of metadata (small, listed at start-up) and one of pixels per data set, written
 * together in one transaction: an import that fails, or a write the browser refuses (quota), leaves
 * the earlier import as it was.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { LabeledImages } from '../core/data/types';

export interface ImportedInfo {
  id: string;
  /** Data set name, e.g. "CIFAR-10 test split". */
  name: string;
  n: number;
  shape: [number, number, number];
  /** Bytes stored (pixels + labels). */
  bytes: number;
  /** ISO time of the import. */
  importedAt: string;
  /** Where the data came from (file name and archive member). */
  source: string;
  notes: string[];
}

interface Stored {
  id: string;
  n: number;
  shape: [number, number, number];
  pixels: Uint8Array;
  labels: Uint8Array;
}

interface LabDb extends DBSchema {
  meta: { key: string; value: ImportedInfo };
  splits: { key: string; value: Stored };
}

export const DB_NAME = 'robustness-lab';

export class StorageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageError';
  }
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

export function openStore(name = DB_NAME): Promise<IDBPDatabase<LabDb>> {
  return openDB<LabDb>(name, 1, {
    upgrade(db) {
      db.createObjectStore('meta', { keyPath: 'id' });
      db.createObjectStore('splits', { keyPath: 'id' });
    },
  });
}

export type LabStore = IDBPDatabase<LabDb>;

/** Plain-text reason when a write of `needed` bytes will not fit, from navigator.storage.estimate(); null when it fits or is unknown. */
export function quotaProblem(needed: number, estimate: { usage?: number; quota?: number } | null): string | null {
  if (!estimate || typeof estimate.quota !== 'number' || typeof estimate.usage !== 'number') return null;
  const free = estimate.quota - estimate.usage;
  if (free >= needed) return null;
  return `the browser lets this site store ${mb(Math.max(0, free))} more, and the test split needs ${mb(needed)}: free some disk space or site storage and import again`;
}

function describeWriteError(e: unknown, needed: number): StorageError {
  const name = e instanceof DOMException || e instanceof Error ? e.name : '';
  if (name === 'QuotaExceededError') {
    return new StorageError(
      `the browser refused to store ${mb(needed)} (storage quota exceeded): free some disk space or site storage and import again`,
    );
  }
  return new StorageError(`the browser could not store the data (${e instanceof Error ? e.message : String(e)})`);
}

/** Store (or replace) a data set's split and its metadata in one transaction. */
export async function saveImported(
  db: LabStore,
  info: Omit<ImportedInfo, 'bytes' | 'n' | 'shape'>,
  split: LabeledImages,
): Promise<ImportedInfo> {
  const size = split.shape[0] * split.shape[1] * split.shape[2];
  if (split.pixels.length !== split.n * size || split.labels.length !== split.n) throw new Error('inconsistent split');
  const full: ImportedInfo = { ...info, n: split.n, shape: split.shape, bytes: split.pixels.length + split.labels.length };
  try {
    const tx = db.transaction(['meta', 'splits'], 'readwrite');
    await Promise.all([
      tx.objectStore('splits').put({ id: info.id, n: split.n, shape: split.shape, pixels: split.pixels, labels: split.labels }),
      tx.objectStore('meta').put(full),
      tx.done,
    ]);
  } catch (e) {
    throw describeWriteError(e, full.bytes);
  }
  return full;
}

export async function listImported(db: LabStore): Promise<ImportedInfo[]> {
  return db.getAll('meta');
}

/** The stored split, checked for consistency; null when nothing is stored. */
export async function loadImported(db: LabStore, id: string): Promise<{ info: ImportedInfo; split: LabeledImages } | null> {
  const tx = db.transaction(['meta', 'splits'], 'readonly');
  const [info, stored] = await Promise.all([tx.objectStore('meta').get(id), tx.objectStore('splits').get(id), tx.done]);
  if (!info && !stored) return null;
  const size = stored ? stored.shape[0] * stored.shape[1] * stored.shape[2] : 0;
  if (
    !info ||
    !stored ||
    !(stored.pixels instanceof Uint8Array) ||
    !(stored.labels instanceof Uint8Array) ||
    stored.pixels.length !== stored.n * size ||
    stored.labels.length !== stored.n ||
    stored.n !== info.n
  ) {
    throw new StorageError('the stored copy is incomplete or damaged: delete it and import the data again');
  }
  return { info, split: { n: stored.n, shape: stored.shape, pixels: stored.pixels, labels: stored.labels } };
}

export async function deleteImported(db: LabStore, id: string): Promise<void> {
  const tx = db.transaction(['meta', 'splits'], 'readwrite');
  await Promise.all([tx.objectStore('meta').delete(id), tx.objectStore('splits').delete(id), tx.done]);
}
