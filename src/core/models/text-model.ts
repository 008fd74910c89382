/**
 * Text classifiers over hashed bag-of-words features (src/core/data/tokenize.ts), and their model card.
 * Like the image zoo they output logits (no softmax layer); the input is one row of hashed features
 * ([N, buckets]), so they are not image `Classifier`s and live beside the image architectures.
 */
import * as tf from '@tensorflow/tfjs';
import type { HashingConfig } from '../data/tokenize';
import { loadCheckedLayersModel, ModelLoadError, type ReadFile } from './io';

export type TextArchitectureId = 'bow-mlp' | 'bow-linear';

export const TEXT_ARCHITECTURES: Record<TextArchitectureId, string> = {
  'bow-mlp': 'hashed bag of words -> dense16 relu -> dense2 (logits)',
  'bow-linear': 'hashed bag of words -> dense2 (logits): multinomial logistic regression',
};

/** A text model of `arch` on `dim` features; initialisation drawn from `seed` (He normal for relu layers, Glorot uniform otherwise). */
export function buildTextModel(arch: TextArchitectureId, dim: number, numClasses: number, seed: number): tf.Sequential {
  const m = tf.sequential({ name: arch });
  if (arch === 'bow-mlp') {
    m.add(tf.layers.dense({ inputShape: [dim], units: 16, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed }) }));
    m.add(tf.layers.dense({ units: numClasses, activation: 'linear', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
  } else {
    m.add(
      tf.layers.dense({ inputShape: [dim], units: numClasses, activation: 'linear', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
    );
  }
  return m;
}

/** The card of a text model (models/<id>/card.json), told from an image card by `kind: 'text'`. */
export interface TextModelCard {
  schema: 1;
  kind: 'text';
  id: string;
  dataset: string;
  classNames: string[];
  output: 'logits';
  architecture: string;
  layers: string;
  parameters: number;
  /** How texts become the model's input. */
  features: HashingConfig & { tokenizer: string };
  recipe: string;
  training: string;
  command: string;
  seed: number;
  epochs: number;
  selectedEpoch: number;
  trainingSeconds: number;
  backend: string;
  tfjsVersion: string;
  /** The fixed held-out split the figures are measured on. */
  split: { seed: number; testFraction: number; train: number; test: number };
  /** On the held-out split: accuracy, and spam precision / recall (spam = the positive class). */
  cleanAccuracy: { n: number; accuracy: number; spamPrecision: number; spamRecall: number; command: string };
  weights: { path: string; sha256: string; bytes: number }[];
  notes: string[];
}

export function isTextModelCard(v: unknown): v is TextModelCard {
  const c = v as TextModelCard;
  return (
    typeof c === 'object' &&
    c !== null &&
    c.schema === 1 &&
    c.kind === 'text' &&
    typeof c.id === 'string' &&
    typeof c.dataset === 'string' &&
    typeof c.features === 'object' &&
    c.features !== null &&
    Number.isInteger(c.features.buckets) &&
    Array.isArray(c.weights) &&
    c.weights.every((w) => typeof w.path === 'string' && /^[0-9a-f]{64}$/.test(w.sha256))
  );
}

/** Loads a text model with the zoo's checks (weights' sha256 from the card) and checks its input width against the card's features. */
export async function loadTextModel(modelJsonBytes: Uint8Array, readFile: ReadFile, card: TextModelCard): Promise<tf.LayersModel> {
  const sha = Object.fromEntries(card.weights.map((w) => [w.path, w.sha256]));
  const { model } = await loadCheckedLayersModel(modelJsonBytes, readFile, sha);
  const inShape = model.inputs[0].shape;
  const outShape = model.outputs[0].shape;
  if (inShape.length !== 2 || inShape[1] !== card.features.buckets || outShape[1] !== card.classNames.length) {
    model.dispose();
    throw new ModelLoadError(
      `the model takes ${JSON.stringify(inShape)} and outputs ${JSON.stringify(outShape)}; its card says ${card.features.buckets} features and ${card.classNames.length} classes`,
    );
  }
  return model;
}
