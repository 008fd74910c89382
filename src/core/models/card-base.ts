/**
 * The part of a model card that the network and its data set decide: schema, id, data set, input shape,
 * class names, output kind, architecture, layer summary and parameter count. Every card the lab writes (`rlab train`,
 * `rlab train-text`, the Defence Lab's and the Privacy Lab's in-browser training, a loaded model) starts
 * from it, so a card's shape is written once. Uses TensorFlow.js: worker and Node code only.
 */
import type * as tf from '@tensorflow/tfjs';
import type { DatasetInfo } from '../data/datasets';
import { describeModel } from './architectures';
import type { ModelCard } from './card';

export type CardBase = Pick<
  ModelCard,
  'schema' | 'id' | 'dataset' | 'inputShape' | 'classNames' | 'output' | 'architecture' | 'layers' | 'parameters'
>;

/** The fields in the order every card writes them (JSON files keep it). */
export function cardBase(
  model: tf.LayersModel,
  ds: Pick<DatasetInfo, 'id' | 'shape' | 'classNames'>,
  id: string,
  architecture: string,
): CardBase {
  return {
    schema: 1,
    id,
    dataset: ds.id,
    inputShape: ds.shape,
    classNames: [...ds.classNames],
    output: 'logits',
    architecture,
    layers: describeModel(model),
    parameters: model.countParams(),
  };
}

/** A card's `backend` for a model trained in the browser: the backend's name and adapter. */
export function browserBackendLabel(status: { name: string; adapter?: string | null } | null, fallback: string): string {
  return status ? `${status.name}${status.adapter ? ` (${status.adapter})` : ''}` : fallback;
}
