/**
 * Backend selection inside the compute worker. A backend counts as available only if it passes a
 * real capability probe: it is set, then computes two small gradients whose values are known.
 * Order: WebGPU, WebGL, WASM, and the pure-JS CPU backend as a last resort.
 *
 * "Auto" does not take the first that works: an emulated GPU (SwiftShader, no hardware acceleration)
 * passes the probe but runs 7-10x slower than WASM. Every working backend times a tiny job (a few
 * forward + backward passes of a small convolution network, as an attack does) and the fastest wins.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { installFastKernels } from '../core/engine/install';
import { installLazyConvGradients } from '../core/engine/lazy-conv-gradients';
import type { BackendChoice } from '../labs/experiment';
import type { BackendAttempt, BackendName, BackendTiming } from './protocol';

export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** Candidates for a choice: the requested backend first, then the ones after it in the order. */
export function candidatesFor(choice: BackendChoice): BackendName[] {
  if (choice === 'auto') return [...BACKEND_ORDER];
  return BACKEND_ORDER.slice(BACKEND_ORDER.indexOf(choice));
}

let wasmConfigured = false;

export function configureWasm(paths: Record<string, string>): void {
  if (wasmConfigured) return;
  // one thread: the threaded build would spawn more workers on a 2-core machine for little gain
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths(paths);
  wasmConfigured = true;
}

const close = (a: ArrayLike<number>, b: readonly number[]) => a.length === b.length && b.every((v, i) => Math.abs(a[i] - v) < 1e-3);

/** d/dx sum(x^2 * w) = 2xw, and the input gradient of a summed 2x2 'valid' convolution of ones. */
async function gradientProbe(): Promise<void> {
  const x = tf.tensor1d([1, 2, 3]);
  const w = tf.tensor1d([0.5, -1, 2]);
  const img = tf.ones([1, 3, 3, 1]);
  const kernel = tf.ones([2, 2, 1, 1]) as tf.Tensor4D;
  const g1 = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.square(v), w)))(x);
  const g2 = tf.grad((v: tf.Tensor) => tf.sum(tf.conv2d(v as tf.Tensor4D, kernel, 1, 'valid')))(img);
  try {
    const [a, b] = await Promise.all([g1.data(), g2.data()]);
    if (!close(a, [1, -4, 12])) throw new Error(`wrong gradient [${Array.from(a).join(', ')}], expected [1, -4, 12]`);
    if (!close(b, [1, 2, 1, 2, 4, 2, 1, 2, 1])) throw new Error(`wrong convolution gradient [${Array.from(b).join(', ')}]`);
  } finally {
    tf.dispose([x, w, img, kernel, g1, g2]);
  }
}

interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
}

async function webgpuAdapterInfo(): Promise<string> {
  const gpu = (self.navigator as Navigator & { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
  if (!gpu) throw new Error('this browser has no WebGPU (navigator.gpu is missing)');
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter is available');
  const info = adapter.info;
  const parts = [info?.vendor, info?.architecture, info?.device, info?.description].filter((s): s is string => !!s && s.trim() !== '');
  return parts.length > 0 ? [...new Set(parts)].join(' / ') : 'adapter details not reported';
}

function webglRenderer(): string {
  const backend = tf.backend() as unknown as { gpgpu?: { gl?: WebGL2RenderingContext } };
  const gl = backend.gpgpu?.gl;
  if (!gl) return 'renderer not reported';
  const version = tf.env().getNumber('WEBGL_VERSION');
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = ext ? String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : String(gl.getParameter(gl.RENDERER));
  return `WebGL ${version}: ${renderer}`;
}

async function describe(name: BackendName, webgpuInfo: string): Promise<string> {
  switch (name) {
    case 'webgpu':
      return webgpuInfo;
    case 'webgl':
      return webglRenderer();
    case 'wasm':
      return `WebAssembly${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? ' + SIMD' : ''}, 1 thread`;
    case 'cpu':
      return 'plain JavaScript';
  }
}

const webgpuInfos = new Map<BackendName, string>();

/** Make `name` the active backend (no check of its results yet). */
async function initBackend(name: BackendName): Promise<void> {
  if (name === 'webgpu') webgpuInfos.set(name, await webgpuAdapterInfo());
  if (!tf.findBackendFactory(name)) throw new Error('not available in this browser');
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error('could not be initialised');
  await tf.ready();
  if (name === 'wasm') installFastKernels();
  installLazyConvGradients();
}

/** The capability probe on the active backend `name`; its description when it passes. */
async function verifyBackend(name: BackendName): Promise<string> {
  await gradientProbe();
  return describe(name, webgpuInfos.get(name) ?? '');
}

async function tryBackend(name: BackendName): Promise<string> {
  await initBackend(name);
  return verifyBackend(name);
}

export interface Selected {
  name: BackendName;
  adapter: string;
  skipped: BackendAttempt[];
  /** Auto only: the timed probe of every backend that passed the capability probe. */
  probe?: BackendTiming[];
}

/** Time per backend for the speed probe: above this its warm-up alone shows it is slow, and it is not timed further. */
const SPEED_PROBE_BUDGET_MS = 800;

/**
 * Milliseconds for one forward + backward pass (input gradient) of a small convolution network on
 * a batch of 8 MNIST-sized images, the kind of step an attack repeats; the best of 3 after a warm-up
 * (the warm-up compiles shaders and is not counted). A backend whose warm-up takes longer than the
 * budget reports the warm-up time.
 */
async function speedProbe(): Promise<number> {
  const x = tf.randomUniform([8, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  const k1 = tf.randomNormal([3, 3, 1, 8], 0, 0.3, 'float32', 2) as tf.Tensor4D;
  const k2 = tf.randomNormal([3, 3, 8, 16], 0, 0.1, 'float32', 3) as tf.Tensor4D;
  const w = tf.randomNormal([7 * 7 * 16, 10], 0, 0.1, 'float32', 4) as tf.Tensor2D;
  const loss = (v: tf.Tensor) =>
    tf.tidy(() => {
      const h1 = tf.maxPool(tf.relu(tf.conv2d(v as tf.Tensor4D, k1, 1, 'same')), 2, 2, 'valid');
      const h2 = tf.maxPool(tf.relu(tf.conv2d(h1, k2, 1, 'same')), 2, 2, 'valid');
      return tf.mean(tf.matMul(tf.reshape(h2, [8, 7 * 7 * 16]), w));
    });
  const pass = async () => {
    const t0 = performance.now();
    const g = tf.grad(loss)(x);
    try {
      await g.data();
    } finally {
      g.dispose();
    }
    return performance.now() - t0;
  };
  try {
    const warm = await pass();
    if (warm > SPEED_PROBE_BUDGET_MS) return warm;
    let best = Infinity;
    for (let i = 0; i < 3; i++) best = Math.min(best, await pass());
    return best;
  } finally {
    tf.dispose([x, k1, k2, w]);
  }
}

/** Try each candidate in turn; the first one that passes the probe wins (auto: the fastest one that passes). */
export async function selectBackend(choice: BackendChoice, exclude: ReadonlySet<BackendName> = new Set()): Promise<Selected> {
  if (choice === 'auto') return selectFastest(exclude);
  const skipped: BackendAttempt[] = [];
  for (const name of candidatesFor(choice)) {
    if (exclude.has(name)) {
      skipped.push({ name, reason: 'lost its device during this session' });
      continue;
    }
    try {
      const adapter = await tryBackend(name);
      return { name, adapter, skipped };
    } catch (e) {
      skipped.push({ name, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  throw new Error(`no TensorFlow.js backend works here: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

/**
 * Call `onLost` once if the active GPU backend loses its device (WebGPU `device.lost`) or its
 * context (WebGL `webglcontextlost`).
 */
export function watchDeviceLoss(name: BackendName, onLost: (reason: string) => void): void {
  const backend = tf.backend() as unknown as {
    device?: GPUDevice;
    gpgpu?: { gl?: WebGL2RenderingContext };
  };
  if (name === 'webgpu' && backend.device) {
    void backend.device.lost.then((info) =>
      onLost(`the WebGPU device was lost (${info.reason || 'unknown'}${info.message ? `: ${info.message}` : ''})`),
    );
  } else if (name === 'webgl' && backend.gpgpu?.gl) {
    const canvas = backend.gpgpu.gl.canvas as EventTarget;
    canvas.addEventListener('webglcontextlost', () => onLost('the WebGL context was lost'), { once: true });
  }
}

/** Test hook: lose the current GPU device or context. */
export function loseDevice(name: BackendName): string {
  const backend = tf.backend() as unknown as { device?: GPUDevice; gpgpu?: { gl?: WebGL2RenderingContext } };
  if (name === 'webgpu' && backend.device) {
    backend.device.destroy();
    return 'WebGPU device destroyed';
  }
  if (name === 'webgl' && backend.gpgpu?.gl) {
    const ext = backend.gpgpu.gl.getExtension('WEBGL_lose_context');
    if (!ext) return 'WEBGL_lose_context is not available';
    ext.loseContext();
    return 'WebGL context lost';
  }
  return `the ${name} backend has no device to lose`;
}

/** A single trivial kernel (compile + run) slower than this: an emulated GPU; it is not timed further. */
const FIRST_KERNEL_BUDGET_MS = 250;

/**
 * Milliseconds for the first run of one trivial kernel: mostly the compile of its shader on a GPU
 * backend. Waits at most the budget (the result then counts as slow; the kernel finishes unobserved).
 */
async function firstKernel(): Promise<number> {
  const t0 = performance.now();
  const x = tf.tensor4d(new Float32Array(8 * 28 * 28).fill(0.5), [8, 28, 28, 1]);
  const y = tf.relu(x);
  x.dispose();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), FIRST_KERNEL_BUDGET_MS * 2)));
  const got = await Promise.race([y.data().then(() => 'done' as const), late]);
  clearTimeout(timer);
  if (got === 'done') y.dispose();
  else
    void y.data().then(
      () => y.dispose(),
      () => y.dispose(),
    );
  return performance.now() - t0;
}

/**
 * Auto: every backend but the plain-JS one is set up and timed, and the fastest that passes the
 * capability probe is kept. A backend whose first trivial kernel already takes longer than
 * FIRST_KERNEL_BUDGET_MS (SwiftShader compiles each shader for about half a second) is not probed
 * further: it would take seconds and lose anyway. CPU only when nothing else works; backends passed
 * over as slow are tried in order (with the full capability probe) only when no timed one passes.
 */
async function selectFastest(exclude: ReadonlySet<BackendName>): Promise<Selected> {
  const skipped: BackendAttempt[] = [];
  const probe: BackendTiming[] = [];
  const adapters = new Map<BackendName, string>();
  for (const name of BACKEND_ORDER.filter((b) => b !== 'cpu')) {
    if (exclude.has(name)) {
      skipped.push({ name, reason: 'lost its device during this session' });
      continue;
    }
    const t0 = performance.now();
    try {
      await initBackend(name);
      const first = await firstKernel();
      if (first > FIRST_KERNEL_BUDGET_MS) {
        probe.push({ name, ms: null, firstKernelMs: first, probeMs: performance.now() - t0 });
        continue;
      }
      adapters.set(name, await verifyBackend(name));
      const ms = await speedProbe();
      probe.push({ name, ms, firstKernelMs: first, probeMs: performance.now() - t0 });
    } catch (e) {
      skipped.push({ name, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  const timed = probe.filter((t): t is BackendTiming & { ms: number } => t.ms !== null);
  const best = timed.length > 0 ? timed.reduce((a, b) => (b.ms < a.ms ? b : a)) : null;
  if (!best) {
    // nothing fast passed: the slow ones in order, then the plain-JS backend
    for (const name of [...probe.map((t) => t.name), 'cpu' as const]) {
      try {
        return { name, adapter: await tryBackend(name), skipped, probe };
      } catch (e) {
        skipped.push({ name, reason: e instanceof Error ? e.message : String(e) });
      }
    }
    throw new Error(`no TensorFlow.js backend works here: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
  }
  for (const t of probe) {
    if (t === best) continue;
    skipped.push({
      name: t.name,
      reason:
        t.ms === null
          ? `slow here: its first kernel took ${Math.round(t.firstKernelMs)} ms (an emulated GPU?)`
          : `slower here: ${t.ms.toFixed(1)} ms per probe step vs ${best.ms.toFixed(1)} ms`,
    });
  }
  if (tf.getBackend() !== best.name) {
    const ok = await tf.setBackend(best.name);
    if (!ok) throw new Error(`${best.name} could not be set again after the speed probe`);
    await tf.ready();
  }
  return { name: best.name, adapter: adapters.get(best.name) ?? '', skipped, probe };
}
