/**
 * The user's models as files: an export is one zip (fflate) holding the TensorFlow.js files
 * (model.json and its weight files, loadable by `tf.loadLayersModel` and by `rlab eval --model
 * <folder>/model.json`) and the model's card.json. Reading one back checks everything a file can get
 * wrong before anything is stored: the archive, the card, that the files the card and model.json name
 * are there; the worker then builds the model through the loader of src/core/models/io.ts (sizes,
 * sha256 of each weight file against the card, NaN or infinite weights) before storing it.
 */
import { unzipSync, zipSync } from 'fflate';
import { DATASETS } from '../../../core/data/datasets';
import { isModelCard, type ModelCard } from '../../../core/models/card';
import { isUserModel, type UserModelRecord } from './user-models';

export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

/** The zip of a stored model: model.json, its weight files, card.json. */
export function exportZip(record: Pick<UserModelRecord, 'card' | 'json' | 'weights'>): Uint8Array {
  const files: Record<string, Uint8Array> = { 'model.json': record.json };
  for (const w of record.weights) files[w.path] = w.bytes;
  files['card.json'] = new TextEncoder().encode(JSON.stringify(record.card, null, 2));
  return zipSync(files, { level: 6 });
}

export interface ParsedExport {
  card: ModelCard;
  json: Uint8Array;
  weights: { path: string; bytes: Uint8Array }[];
}

const base = (name: string) => name.split('/').pop() ?? name;

/**
 * The files of an export: one .zip, or its members chosen together (model.json, the weight files,
 * card.json). Throws an ExportError saying what is wrong.
 */
export function readExport(files: { name: string; bytes: Uint8Array }[]): ParsedExport {
  if (files.length === 0) throw new ExportError('no file was chosen');
  let members = new Map<string, Uint8Array>();
  const zips = files.filter((f) => f.name.toLowerCase().endsWith('.zip'));
  if (zips.length > 1) throw new ExportError('choose one exported .zip at a time');
  if (zips.length === 1) {
    try {
      const un = unzipSync(zips[0].bytes);
      for (const [name, bytes] of Object.entries(un)) if (!name.endsWith('/')) members.set(base(name), bytes);
    } catch (e) {
      throw new ExportError(`${zips[0].name} is not a readable zip archive (${e instanceof Error ? e.message : String(e)})`);
    }
  } else {
    members = new Map(files.map((f) => [base(f.name), f.bytes]));
  }
  const cardBytes = members.get('card.json');
  if (!cardBytes)
    throw new ExportError(
      'card.json is missing: import a model exported from this lab (a plain TensorFlow.js model is opened with "Load a model" in Setup)',
    );
  let card: unknown;
  try {
    card = JSON.parse(new TextDecoder().decode(cardBytes));
  } catch (e) {
    throw new ExportError(`card.json is not valid JSON (${(e as Error).message})`);
  }
  if (!isModelCard(card)) throw new ExportError('card.json is not a model card (schema 1 with id, dataset, input shape and weight hashes)');
  if (!isUserModel(card)) throw new ExportError(`card.json describes ${card.id}, which is not a model trained in this lab's browser`);
  const ds = DATASETS[card.dataset];
  if (!ds) throw new ExportError(`card.json names an unknown data set "${card.dataset}"`);
  if (card.inputShape.join('x') !== ds.shape.join('x'))
    throw new ExportError(`card.json gives input ${card.inputShape.join('x')}, but ${ds.name} images are ${ds.shape.join('x')}`);
  const json = members.get('model.json');
  if (!json) throw new ExportError('model.json is missing from the export');
  let manifestPaths: string[];
  try {
    const parsed = JSON.parse(new TextDecoder().decode(json)) as { weightsManifest?: { paths?: unknown }[] };
    if (!Array.isArray(parsed.weightsManifest)) throw new Error('no weightsManifest');
    manifestPaths = parsed.weightsManifest.flatMap((g) => (Array.isArray(g.paths) ? g.paths.map(String) : []));
  } catch (e) {
    throw new ExportError(`model.json is not a TensorFlow.js LayersModel (${(e as Error).message})`);
  }
  const listed = new Set(card.weights.map((w) => w.path));
  for (const p of manifestPaths) if (!listed.has(p)) throw new ExportError(`model.json names ${p}, which card.json does not list`);
  const weights = card.weights.map((w) => {
    const bytes = members.get(base(w.path));
    if (!bytes) throw new ExportError(`the weight file ${w.path} is missing from the export`);
    if (w.bytes && bytes.length !== w.bytes) throw new ExportError(`${w.path} holds ${bytes.length} bytes, card.json says ${w.bytes}`);
    return { path: w.path, bytes };
  });
  return { card, json, weights };
}
