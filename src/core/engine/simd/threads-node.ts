/**
 * Kernel threads for the SIMD kernels in Node: worker_threads that each instantiate kernels.wat over the
 * wasm backend's shared heap (the threaded build's memory is a SharedArrayBuffer), so a kernel call can be
 * split by images over the cores, as XNNPACK splits its own. The caller's thread runs the first share and
 * then waits (Atomics) for the others; the workers sleep in Atomics.wait between calls and never keep
 * the process alive (unref).
 */
import { Worker } from 'node:worker_threads';
import type { SimdThreads } from './index';

/**
 * A worker's slots in its control block: the call number it was given, the one it finished, whether that
 * call threw, then the argument count, the kernel's index in KERNELS and the arguments.
 */
const SEQ = 0;
const DONE = 1;
const FAILED = 2;
const ARGS = 3;
const MAX_ARGS = 24;

// Plain JavaScript (an eval'd worker has no TypeScript loader).
const WORKER = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, kernels } = workerData;
const inst = new WebAssembly.Instance(module, { env: { memory } });
const c = new Int32Array(control);
let seen = 0;
for (;;) {
  Atomics.wait(c, ${SEQ}, seen);
  seen = Atomics.load(c, ${SEQ});
  const argc = c[${ARGS}];
  const args = Array.from(c.subarray(${ARGS} + 2, ${ARGS} + 2 + argc));
  try {
    inst.exports[kernels[c[${ARGS} + 1]]](...args);
    c[${FAILED}] = 0;
  } catch {
    c[${FAILED}] = 1;
  }
  Atomics.store(c, ${DONE}, seen);
  Atomics.notify(c, ${DONE});
}
`;

const KERNELS = ['winograd3x3', 'maxPool2x2'] as const;

/**
 * Starts `count - 1` kernel threads beside the caller's over `memory` (shared). Kernel calls take
 * 32-bit integer arguments only (heap offsets and sizes).
 */
export function startSimdThreads(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  own: Record<(typeof KERNELS)[number], (...args: number[]) => void>,
  count: number,
): SimdThreads {
  const workers = Array.from({ length: count - 1 }, () => {
    const control = new SharedArrayBuffer(4 * (ARGS + 2 + MAX_ARGS));
    const worker = new Worker(WORKER, { eval: true, workerData: { module, memory, control, kernels: KERNELS } });
    worker.unref();
    return { worker, control: new Int32Array(control), seq: 0 };
  });
  return {
    count,
    run(kernel, calls) {
      if (calls.length > count) throw new Error(`${calls.length} calls for ${count} kernel threads`);
      if (calls.some((args) => args.length > MAX_ARGS)) throw new Error(`${kernel} takes at most ${MAX_ARGS} arguments here`);
      const started = workers.slice(0, calls.length - 1);
      started.forEach((w, i) => {
        const args = calls[i + 1];
        w.control[ARGS] = args.length;
        w.control[ARGS + 1] = KERNELS.indexOf(kernel);
        w.control.set(args, ARGS + 2);
        w.seq = (w.seq % 0x3fffffff) + 1;
        Atomics.store(w.control, SEQ, w.seq);
        Atomics.notify(w.control, SEQ);
      });
      try {
        if (calls.length > 0) own[kernel](...calls[0]);
      } finally {
        // the workers write into the caller's tensors: wait for them even when the caller's share threw
        for (const w of started) {
          // sleep only while DONE still holds the value just read (a wake-up between the read and the wait is not lost)
          for (let done = Atomics.load(w.control, DONE); done !== w.seq; done = Atomics.load(w.control, DONE))
            Atomics.wait(w.control, DONE, done);
        }
      }
      if (started.some((w) => w.control[FAILED] !== 0)) throw new Error(`the SIMD kernel ${kernel} failed in a kernel thread`);
    },
  };
}
