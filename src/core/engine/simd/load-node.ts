/**
 * Assembles kernels.wat with wabt and instantiates it over the wasm backend's own memory, in Node.
 * The threaded build's memory is shared, the single-threaded one's is not; the module's import is
 * declared to match.
 */
import { readFileSync } from 'node:fs';
import wabtInit from 'wabt';
import { setSimdKernels, type SimdKernels, type SimdThreads } from './index';
import { startSimdThreads } from './threads-node';

const source = () => readFileSync(new URL('./kernels.wat', import.meta.url), 'utf8');

/** The Emscripten module of TensorFlow.js's wasm backend: the threaded build names its memory, the other exports it. */
interface EmscriptenModule {
  wasmMemory?: WebAssembly.Memory;
  asm?: { memory?: WebAssembly.Memory };
}

/**
 * Builds the kernels over the wasm backend's memory and installs them. Throws when there is no such
 * memory to find or this Node lacks wasm SIMD: TensorFlow.js's wasm backend needs SIMD too, so either
 * means the engine is not what this module was written for.
 */
export async function installSimdKernels(module: EmscriptenModule, backendThreads: number): Promise<SimdKernels> {
  const memory = module.wasmMemory ?? module.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) throw new Error("cannot find the wasm backend's memory for the SIMD kernels");
  // initNodeBackend runs again on every backend switch: assemble once per wasm memory
  const ready = built.get(memory) ?? build(memory, backendThreads);
  built.set(memory, ready);
  const { kernels, threads } = await ready;
  setSimdKernels(kernels, threads);
  return kernels;
}

const built = new WeakMap<WebAssembly.Memory, Promise<{ kernels: SimdKernels; threads: SimdThreads | null }>>();

/**
 * Assembles and instantiates the kernels; over a shared heap with several backend threads, also starts
 * as many kernel threads (less the caller's).
 */
async function build(memory: WebAssembly.Memory, count: number): Promise<{ kernels: SimdKernels; threads: SimdThreads | null }> {
  const shared = memory.buffer instanceof SharedArrayBuffer;
  const wabt = await wabtInit();
  const text = source().replace('SHARED', shared ? 'shared' : '');
  const parsed = wabt.parseWat('kernels.wat', text, { simd: true, threads: true, bulk_memory: true });
  try {
    const { buffer } = parsed.toBinary({});
    const module = new WebAssembly.Module(buffer as Uint8Array<ArrayBuffer>);
    const kernels = (await WebAssembly.instantiate(module, { env: { memory } })).exports as unknown as SimdKernels;
    const threads = shared && count > 1 ? startSimdThreads(module, memory, kernels, count) : null;
    return { kernels, threads };
  } finally {
    parsed.destroy();
  }
}
