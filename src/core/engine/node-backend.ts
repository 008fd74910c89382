/** Backend set-up for Node (CLI, training, tests): TensorFlow.js's wasm backend plus faster gradients. */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { installFastGradients } from './fast-gradients';

export type NodeBackend = 'wasm' | 'cpu';

export async function initNodeBackend(name: NodeBackend = 'wasm'): Promise<string> {
  if (!(await tf.setBackend(name))) throw new Error(`the ${name} backend could not be initialised`);
  await tf.ready();
  installFastGradients();
  return tf.getBackend();
}
