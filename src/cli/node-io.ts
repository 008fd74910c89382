/** Node-side access to the prepared data sets and to model files. */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { CIFAR10_FILES, loadCifarSplit } from '../core/data/cifar';
import { getDataset, loadSplit, splitFiles } from '../core/data/datasets';
import type { LabeledImages, Split } from '../core/data/types';
import { isModelCard, type ModelCard } from '../core/models/card';
import { loadLayersModel, type LoadedModel } from '../core/models/io';
import { isTextModelCard } from '../core/models/text-model';
import { projectRoot } from './paths';
import { dataRoots, prepareDataset, splitDir } from './prepare';

/**
 * A split of a data set. Bundled data sets come from `rlab prepare`'s files; imported ones (CIFAR-10)
 * from `dataDir`, the folder of the official binary batches (or CIFAR10_DIR).
 */
export async function loadNodeSplit(datasetId: string, split: Split, dataDir?: string): Promise<LabeledImages> {
  const ds = getDataset(datasetId);
  if (ds.origin === 'imported') {
    const dir = dataDir ?? process.env.CIFAR10_DIR;
    if (!dir) {
      throw new Error(
        `${ds.name} is not bundled with the lab: pass --data-dir <folder with ${CIFAR10_FILES[split].join(', ')}> (the cifar-10-batches-bin folder of the official cifar-10-binary.tar.gz)`,
      );
    }
    return loadCifarSplit(async (f) => {
      const p = join(dir, f);
      if (!existsSync(p)) throw new Error(`${ds.name}: ${p} not found (--data-dir must hold ${CIFAR10_FILES[split].join(', ')})`);
      return new Uint8Array(await readFile(p));
    }, split);
  }
  const roots = dataRoots();
  const file = splitFiles(split).images;
  if (!existsSync(join(splitDir(roots, ds.id, file), file))) {
    const r = prepareDataset(ds.id, roots);
    if (!r.ok) throw new Error(r.message);
  }
  return loadSplit(async (id, f) => new Uint8Array(await readFile(join(splitDir(roots, id, f), f))), ds.id, split);
}

export interface ResolvedModel extends LoadedModel {
  label: string;
  card: ModelCard | null;
}

/** A zoo id (models/<id>/, or <zooRoot>/<id>/) or a path to any TensorFlow.js LayersModel's model.json. */
export async function loadNodeModel(
  spec: string,
  inputShape?: [number, number, number],
  zooRoot = join(projectRoot(), 'models'),
): Promise<ResolvedModel> {
  const zooDir = join(zooRoot, spec);
  let jsonPath: string;
  let card: ModelCard | null = null;
  if (/^[a-z0-9][a-z0-9.-]*$/.test(spec) && existsSync(join(zooDir, 'model.json'))) {
    jsonPath = join(zooDir, 'model.json');
    const c = JSON.parse(readFileSync(join(zooDir, 'card.json'), 'utf8')) as unknown;
    if (isTextModelCard(c)) throw new Error(`${spec} is a text model (the federated lab's spam filter): it takes no images`);
    if (!isModelCard(c)) throw new Error(`models/${spec}/card.json is not a valid model card`);
    card = c;
  } else if (existsSync(spec)) {
    jsonPath = resolve(spec);
  } else {
    throw new Error(`no model "${spec}": not a zoo id (models/<id>/model.json) nor an existing model.json path`);
  }
  const dir = dirname(jsonPath);
  const sha = card ? Object.fromEntries(card.weights.map((w) => [w.path, w.sha256])) : undefined;
  const loaded = await loadLayersModel(
    new Uint8Array(await readFile(jsonPath)),
    async (p) => new Uint8Array(await readFile(join(dir, p))),
    sha,
    inputShape,
  );
  return { ...loaded, label: card ? card.id : spec, card };
}
