/**
 * Reading and writing TensorFlow.js LayersModels (model.json + binary weight files) in any
 * environment: the caller supplies a function that reads a file by relative path.
 * Loading checks what a careless or hostile file could get wrong: JSON shape, weight sizes,
 * sha256 of each weight file (when a card lists them) and non-finite weights.
 */
import * as tf from '@tensorflow/tfjs';
import { asClassifier, type Classifier } from './classifier';

export type ReadFile = (path: string) => Promise<Uint8Array>;

export class ModelLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelLoadError';
  }
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

interface ModelJson {
  modelTopology?: unknown;
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  format?: string;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1 };

export interface LoadedModel {
  model: tf.LayersModel;
  classifier: Classifier;
  weightBytes: number;
}

/**
 * @param modelJsonBytes the model.json file
 * @param readFile reads a weight file named in the manifest
 * @param expectedSha256 path -> sha256 from the model card; a mismatch is refused
 */
export async function loadLayersModel(
  modelJsonBytes: Uint8Array,
  readFile: ReadFile,
  expectedSha256?: Record<string, string>,
  expectedInputShape?: [number, number, number],
): Promise<LoadedModel> {
  const { model, weightBytes } = await loadCheckedLayersModel(modelJsonBytes, readFile, expectedSha256);
  let classifier: Classifier;
  try {
    classifier = asClassifier(model);
  } catch (e) {
    model.dispose();
    throw new ModelLoadError((e as Error).message);
  }
  if (expectedInputShape && classifier.inputShape.join('x') !== expectedInputShape.join('x')) {
    model.dispose();
    throw new ModelLoadError(
      `the model takes ${classifier.inputShape.join('x')} images but the data set has ${expectedInputShape.join('x')}`,
    );
  }
  return { model, classifier, weightBytes };
}

/**
 * The checks of `loadLayersModel` (JSON shape, weight sizes, sha256, finite weights) without making the
 * model an image Classifier: models of other inputs (the text models of src/core/models/text-model.ts).
 */
export async function loadCheckedLayersModel(
  modelJsonBytes: Uint8Array,
  readFile: ReadFile,
  expectedSha256?: Record<string, string>,
): Promise<{ model: tf.LayersModel; weightBytes: number }> {
  let json: ModelJson;
  try {
    json = JSON.parse(new TextDecoder().decode(modelJsonBytes)) as ModelJson;
  } catch (e) {
    throw new ModelLoadError(`model.json is not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new ModelLoadError('model.json is not a TensorFlow.js LayersModel (no modelTopology or weightsManifest)');
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    if (!Array.isArray(group.paths) || !Array.isArray(group.weights)) throw new ModelLoadError('model.json has a malformed weightsManifest');
    const parts: Uint8Array[] = [];
    for (const path of group.paths) {
      if (typeof path !== 'string' || path.includes('..') || path.startsWith('/') || /^[a-z]+:/i.test(path)) {
        throw new ModelLoadError(`model.json names an unsafe weight path "${String(path)}"`);
      }
      let bytes: Uint8Array;
      try {
        bytes = await readFile(path);
      } catch (e) {
        throw new ModelLoadError(`weight file ${path} could not be read (${(e as Error).message})`);
      }
      const want = expectedSha256?.[path];
      if (expectedSha256 && !want) throw new ModelLoadError(`weight file ${path} is not listed in the model card`);
      if (want) {
        const got = await sha256Hex(bytes);
        if (got !== want) {
          throw new ModelLoadError(`weight file ${path} does not match its model card (sha256 ${got.slice(0, 12)}…, expected ${want.slice(0, 12)}…): refusing to load it`);
        }
      }
      parts.push(bytes);
    }
    const total = parts.reduce((s, p) => s + p.length, 0);
    const joined = new Uint8Array(total);
    let off = 0;
    for (const p of parts) {
      joined.set(p, off);
      off += p.length;
    }
    const expected = group.weights.reduce((s, w) => s + (BYTES[w.dtype ?? 'float32'] ?? NaN) * w.shape.reduce((a, b) => a * b, 1), 0);
    if (!Number.isFinite(expected)) throw new ModelLoadError('model.json lists a weight of an unsupported dtype');
    if (expected !== total) throw new ModelLoadError(`weight files hold ${total} bytes but model.json describes ${expected}`);
    specs.push(...group.weights);
    buffers.push(joined);
  }
  const all = new Uint8Array(buffers.reduce((s, b) => s + b.length, 0));
  let off = 0;
  for (const b of buffers) {
    all.set(b, off);
    off += b.length;
  }
  // non-finite weights make every prediction meaningless: refuse them
  let foff = 0;
  for (const s of specs) {
    const count = s.shape.reduce((a, b) => a * b, 1);
    if ((s.dtype ?? 'float32') === 'float32') {
      const f = new Float32Array(all.buffer.slice(foff, foff + 4 * count));
      for (let i = 0; i < f.length; i++) {
        if (!Number.isFinite(f[i])) throw new ModelLoadError(`weight ${s.name} contains NaN or infinite values`);
      }
    }
    foff += (BYTES[s.dtype ?? 'float32'] ?? 4) * count;
  }
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology as object, weightSpecs: specs, weightData: all.buffer.slice(0) }),
    );
  } catch (e) {
    throw new ModelLoadError(`the model could not be built: ${(e as Error).message}`);
  }
  return { model, weightBytes: all.length };
}

/** Serialise a LayersModel to model.json + one weights file. */
export async function serializeLayersModel(model: tf.LayersModel, weightsPath = 'weights.bin'): Promise<{ modelJson: string; weights: Uint8Array }> {
  let out: { modelJson: string; weights: Uint8Array } | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const data = a.weightData as ArrayBuffer;
      out = {
        modelJson: JSON.stringify({
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
          convertedBy: null,
          modelTopology: a.modelTopology,
          weightsManifest: [{ paths: [weightsPath], weights: a.weightSpecs }],
        }),
        weights: new Uint8Array(data),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!out) throw new Error('saving the model produced nothing');
  return out;
}

/**
 * A trained model's files as the user-model store keeps them (model.json bytes, weights.bin, its
 * sha256); refuses weights with NaN or infinite values, so that a diverged run stores nothing.
 */
export async function storableModel(model: tf.LayersModel): Promise<{ json: Uint8Array; weights: Uint8Array; sha256: string }> {
  const { modelJson, weights } = await serializeLayersModel(model);
  const floats = new Float32Array(weights.buffer, weights.byteOffset, weights.byteLength >> 2);
  if (floats.some((v) => !Number.isFinite(v)))
    throw new Error('training diverged: the weights hold NaN or infinite values, so nothing was stored (lower the learning rate)');
  return { json: new TextEncoder().encode(modelJson), weights, sha256: await sha256Hex(weights) };
}
