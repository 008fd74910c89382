/** Backend set-up for Node (CLI, training, tests): TensorFlow.js's wasm backend plus faster gradients. */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { availableParallelism } from 'node:os';
import { installFastKernels } from './install';
import { installLazyConvGradients } from './lazy-conv-gradients';
import { installSimdKernels } from './simd/load-node';
import { silenceTfjsNodeBanner } from './quiet-node';
import { patchNodeForWasmThreads, withFullCoreCount } from './wasm-threads-node';

export type NodeBackend = 'wasm' | 'cpu';

/**
 * @param threads wasm threads (default: RLAB_THREADS, else every core). 1 uses the single-threaded
 *   SIMD build.
 */
export async function initNodeBackend(name: NodeBackend = 'wasm', threads?: number): Promise<string> {
  silenceTfjsNodeBanner();
  if (name === 'wasm' && tf.findBackend('wasm') === null) {
    const n = threads ?? (Number(process.env.RLAB_THREADS) || availableParallelism());
    if (n > 1) {
      patchNodeForWasmThreads();
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
      setThreadsCount(n);
    }
  }
  const ok = await withFullCoreCount(() => tf.setBackend(name));
  if (!ok) throw new Error(`the ${name} backend could not be initialised`);
  await tf.ready();
  installFastKernels();
  installLazyConvGradients();
  if (name === 'wasm')
    await installSimdKernels((tf.backend() as unknown as { wasm: Parameters<typeof installSimdKernels>[0] }).wasm, wasmThreads());
  return tf.getBackend();
}

/** Threads the wasm backend uses (1 when single-threaded). */
export function wasmThreads(): number {
  try {
    return getThreadsCount();
  } catch {
    return 1;
  }
}
