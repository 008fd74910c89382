/**
 * Replacing and calling TensorFlow.js kernels from JavaScript: the shared plumbing of the engine's
 * faster kernels. A kernel works on TensorInfos (data id, shape, dtype); on the wasm backend their
 * bytes live on the wasm heap, where JavaScript can read and write them in place.
 */
import * as tf from '@tensorflow/tfjs';

export type TensorInfo = { dataId: object; shape: number[]; dtype: string };

/** The parts of TensorFlow.js's wasm backend the kernels use. */
export interface WasmBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  /** A view of the tensor's bytes on the heap. Take it after the last makeOutput: allocating may grow (and so replace) the heap. */
  typedArrayFromHeap(t: TensorInfo): Float32Array;
  disposeData(dataId: object): void;
}

export interface KernelArgs {
  inputs: Record<string, TensorInfo>;
  backend: WasmBackend;
  attrs: Record<string, unknown>;
}

export type KernelFn = (args: KernelArgs) => TensorInfo;

/** The attributes of TensorFlow.js's convolution kernels (Conv2D, FusedConv2D, and their gradients). */
export interface Conv2DAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}
/** A kernel with several outputs (TensorFlow.js takes an array of them). */
export type MultiOutputKernelFn = (args: KernelArgs) => TensorInfo[];

/** Runs TensorFlow.js with its "kernel already registered" warnings silenced: replacing is the point. */
export function quietly(f: () => void): void {
  const warn = console.warn;
  console.warn = () => {};
  try {
    f();
  } finally {
    console.warn = warn;
  }
}

/**
 * Replaces a backend's kernel by `make(original)`; the original stays callable for the cases the
 * replacement does not handle. Returns false (and changes nothing) when the backend has no such kernel.
 */
export function replaceKernel(name: string, backendName: string, make: (original: KernelFn) => KernelFn): boolean {
  const original = tf.getKernel(name, backendName);
  if (!original) return false;
  const fn = make(original.kernelFunc as unknown as KernelFn);
  quietly(() => {
    tf.unregisterKernel(name, backendName);
    tf.registerKernel({ ...original, kernelFunc: fn as unknown as tf.KernelFunc });
  });
  return true;
}

/** Adds a kernel the backend lacks (or a new one of the lab's own). */
export function addKernel(name: string, backendName: string, fn: KernelFn | MultiOutputKernelFn): void {
  if (tf.getKernel(name, backendName)) return;
  tf.registerKernel({ kernelName: name, backendName, kernelFunc: fn as unknown as tf.KernelFunc });
}

/** Calls another kernel of the same backend from inside a kernel (no tape, no tidy: free what it returns). */
export function callKernel(
  name: string,
  backend: WasmBackend,
  inputs: Record<string, TensorInfo>,
  attrs: Record<string, unknown> = {},
): TensorInfo {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`the wasm backend has no ${name} kernel`);
  return k.kernelFunc({ inputs: inputs as never, backend: backend as never, attrs: attrs as never }) as unknown as TensorInfo;
}
