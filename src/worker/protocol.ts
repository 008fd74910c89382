/**
 * The typed contract between the UI thread and the compute worker (called through comlink).
 * Everything here is structured-clone friendly: plain objects, typed arrays, no tensors.
 */
import type { AttackParams, BackendChoice } from '../core/experiment';
import type { ModelCard } from '../core/models/card';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export interface MemoryInfo {
  numTensors: number;
  numBytes: number;
}

export interface BackendAttempt {
  name: BackendName;
  /** Why the backend was not used (plain text). */
  reason: string;
}

export interface BackendStatus {
  /** The backend that is active now. */
  name: BackendName;
  /** What the user asked for. */
  requested: BackendChoice;
  /** Adapter / renderer description, e.g. "google / swiftshader" (WebGPU) or the WebGL renderer string. */
  adapter: string;
  /** Backends tried before this one and why each was passed over. */
  skipped: BackendAttempt[];
  memory: MemoryInfo;
  /** Whether the page is cross-origin isolated (SharedArrayBuffer available for instant cancel). */
  isolated: boolean;
}

export interface Progress {
  /** What is being done, e.g. "Loading MNIST test images". */
  label: string;
  done: number;
  /** 0 when the total is unknown. */
  total: number;
  /** Unit of done/total: 'bytes' or 'steps'. */
  unit: 'bytes' | 'steps';
  /** Mean loss after the step (attacks only). */
  loss?: number;
}

export interface DatasetSummary {
  id: string;
  n: number;
  shape: [number, number, number];
}

export interface ImageBatch {
  start: number;
  /** count * H * W * C bytes. */
  pixels: Uint8Array;
  labels: number[];
}

export interface Prediction {
  dataset: string;
  model: string;
  sample: number;
  label: number;
  /** softmax of the logits, one per class */
  probs: number[];
  predicted: number;
  memory: MemoryInfo;
}

export interface ModelSummary {
  id: string;
  weightBytes: number;
  outputKind: string;
  memory: MemoryInfo;
}

export interface AttackRequest {
  jobId: number;
  dataset: string;
  sample: number;
  attack: AttackParams;
}

export interface AttackOutcome {
  status: 'done' | 'cancelled';
  jobId: number;
  attack: AttackParams;
  sample: number;
  label: number;
  /** Gradient steps that ran. */
  stepsRun: number;
  seconds: number;
  /** Present when status is 'done'. */
  adversarial?: {
    /** H * W * C values in [0, 1]. */
    pixels: Float32Array;
    probs: number[];
    predicted: number;
    /** The attack changed the prediction away from the true label. */
    success: boolean;
    /** Largest absolute pixel change (L-inf distance to the clean image). */
    linf: number;
  };
  memory: MemoryInfo;
}

/** Pushed from the worker without a request (e.g. the GPU device was lost and the worker moved on). */
export type WorkerEvent = { kind: 'backend-changed'; status: BackendStatus; notice: string; modelReloaded: boolean };

export interface InitOptions {
  /** Absolute URL of the app's base (where data/ and models/ are served). */
  baseUrl: string;
  /** Local URLs of the three TensorFlow.js wasm binaries. */
  wasmPaths: Record<string, string>;
  /** Shared cancel word: the UI writes the id of a job to cancel into index 0. Null without cross-origin isolation. */
  cancelFlag: Int32Array | null;
}

export interface ComputeApi {
  init(options: InitOptions, onEvent: (e: WorkerEvent) => void): Promise<void>;
  /** Select a backend (probing each candidate); reloads the current model onto it. */
  setBackend(choice: BackendChoice, onProgress: (p: Progress) => void): Promise<BackendStatus>;
  status(): Promise<BackendStatus | null>;
  loadDataset(jobId: number, id: string, onProgress: (p: Progress) => void): Promise<DatasetSummary>;
  images(id: string, start: number, count: number): Promise<ImageBatch>;
  /** Load a zoo model; on failure the previous model stays active and a ModelLoadError message is thrown. */
  loadModel(jobId: number, card: ModelCard, onProgress: (p: Progress) => void): Promise<ModelSummary>;
  predict(dataset: string, sample: number): Promise<Prediction>;
  attack(request: AttackRequest, onProgress: (p: Progress) => void): Promise<AttackOutcome>;
  /** Abort the job with this id (works during async phases; attacks also watch the shared cancel word). */
  cancel(jobId: number): Promise<void>;
  /** Test hook: make the current GPU backend lose its device/context. */
  loseDevice(): Promise<string>;
}
