/**
 * The typed contract between the UI thread and the compute worker (called through comlink).
 * Everything here is structured-clone friendly: plain objects, typed arrays, no tensors.
 */
import type { AttackParams, BackendChoice } from '../labs/experiment';
import type { BenchmarkResult } from '../labs/attacks/benchmark';
import type { ModelCard } from '../core/models/card';
import type { ImportedInfo } from './imported-store';
import type { Progress } from '../core/jobs';
import type { DefenceSettings } from '../core/defences/defend';

export type { ImportedInfo };

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

/** Auto's speed probe of one backend (src/worker/backends.ts speedProbe). */
export interface BackendTiming {
  name: BackendName;
  /** One forward + backward pass of a small conv net on 8 images, best of 3 after a warm-up (ms); null: not timed, its first kernel was already too slow. */
  ms: number | null;
  /** First run of one trivial kernel (on a GPU mostly its shader compile), ms. */
  firstKernelMs: number;
  /** The whole probe of this backend, set-up and capability check included (ms). */
  probeMs: number;
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
  /** Auto: the speed probe of every working backend (the fastest was chosen). */
  probe?: BackendTiming[];
  /** Whether the page is cross-origin isolated (SharedArrayBuffer available for instant cancel). */
  isolated: boolean;
}

/** Progress of a job (src/core/jobs): label, done of total, rate, loss, and streamed payload items. */
export type { Progress };

/** One iterate of a single-image attack, for the live chart. */
export interface TracePoint {
  step: number;
  restart: number;
  loss: number;
  trueProb: number;
  topOtherClass: number;
  topOtherProb: number;
  margin: number;
}

export interface DatasetSummary {
  id: string;
  n: number;
  shape: [number, number, number];
  /** An imported data set (CIFAR-10) that has not been imported in this browser yet: n is 0. */
  missing?: boolean;
}

/** A picture (photo, camera frame, drawing) made into a model input. */
export interface PreparedImage {
  /** H * W * C bytes, channels last, exactly what the model is given (divided by 255). */
  pixels: Uint8Array;
  shape: [number, number, number];
  /** Size of the decoded picture before the centre crop. */
  sourceWidth: number;
  sourceHeight: number;
  /** Grey inputs: light-on-dark inversion applied (ink on paper made to look like MNIST). */
  inverted: boolean;
}

/** The active model's prediction on a picture of the user's (no true label). */
export interface ImagePrediction {
  model: string;
  probs: number[];
  predicted: number;
  memory: MemoryInfo;
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
  /**
   * A picture of the user's (H * W * C bytes) to attack instead of test image `sample`. It has no
   * true label: the attack is untargeted against the model's own clean prediction.
   */
  image?: Uint8Array;
  attack: AttackParams;
  /** Attack this zoo model instead of the active one (loaded for the run, then freed). */
  model?: ModelCard;
  /** Input transformations in front of the model, and how the attack differentiates them (absent: none). */
  defence?: DefenceSettings;
}

/** The defence an attack ran against, and what it made of the images (studio). */
export interface DefenceView {
  spec: string;
  adaptive: DefenceSettings['adaptive'];
  eotSamples: number;
  /** The defence has no gradient path under 'none' (JPEG): the attack ran on the undefended model. */
  attackedUndefended: boolean;
  /** What the transformations made of the clean and of the adversarial image (one draw), H * W * C values. */
  transformedOriginal: Float32Array;
  transformed: Float32Array;
}

export interface AttackOutcome {
  status: 'done' | 'cancelled';
  jobId: number;
  attack: AttackParams;
  /** The model the attack ran against. */
  model: string;
  sample: number;
  /** True label of the test image; for a picture of the user's, the model's clean prediction. */
  label: number;
  /** The attacked image was the user's picture (label is the clean prediction, not a true label). */
  custom: boolean;
  /** Iterates reported by the attack (trace records, the starting point included). */
  stepsRun: number;
  seconds: number;
  /** Present when status is 'done'. */
  adversarial?: {
    /** H * W * C values in [0, 1]. */
    pixels: Float32Array;
    /** The clean image, H * W * C values in [0, 1]. */
    original: Float32Array;
    /** adversarial - original, H * W * C values. */
    delta: Float32Array;
    /** Softmax on the clean image and on the adversarial image. */
    cleanProbs: number[];
    probs: number[];
    cleanPredicted: number;
    predicted: number;
    /** The attack reached its goal (untargeted: misclassified; targeted: classified as the target). */
    success: boolean;
    /** The prediction differs from the true label. */
    fooled: boolean;
    /** Target class of a targeted attack, else null. */
    target: number | null;
    norms: { l0: number; l2: number; linf: number };
    /** Forward evaluations of the classifier (Square Attack: its queries). */
    queries: number;
    gradientEvaluations: number;
    /** Every iterate (loss, true-class probability, best other class). */
    trace: TracePoint[];
    /** An attack made of stages (AutoAttack): each stage that ran, and whether it fooled the image. */
    stages?: { stage: string; attacked: number; fooled: number; seconds: number }[];
    /** Present when the model was defended: probabilities and predictions above are the defended model's. */
    defence?: DefenceView;
  };
  memory: MemoryInfo;
}

export interface BatchRequest {
  jobId: number;
  dataset: string;
  /** Test images start .. start + n - 1 (start defaults to 0). */
  start?: number;
  n: number;
  attack: AttackParams;
  /** Epsilons of the accuracy curve (in the attack's norm); the attack's own eps is always included. */
  epsilons: number[];
  batchSize: number;
  /** Other zoo models of the same data set to draw on the same curve. */
  extraModels: ModelCard[];
  /** Adversarial examples to keep for the grid. */
  maxExamples: number;
  /** Input transformations in front of every model of the check, and how the attack differentiates them. */
  defence?: DefenceSettings;
}

export interface BatchExample {
  index: number;
  label: number;
  predicted: number;
  /** H * W * C values in [0, 1]. */
  pixels: Float32Array;
}

export interface BatchImageRow {
  index: number;
  label: number;
  cleanPredicted: number;
  /** Prediction on the adversarial image at the attack's eps. */
  advPredicted: number;
  fooled: boolean;
  l0: number;
  l2: number;
  linf: number;
  queries: number;
}

export interface CurveSeries {
  model: string;
  cleanAccuracy: number;
  /** One per epsilon of BatchOutcome.epsilons. */
  robustAccuracy: number[];
}

export interface BatchOutcome {
  status: 'done' | 'cancelled';
  jobId: number;
  dataset: string;
  model: string;
  attack: AttackParams;
  /** The defence every model ran behind (absent: none). */
  defence?: DefenceSettings;
  /** First test image of the check. */
  start: number;
  /** Images evaluated (less than requested when cancelled). */
  n: number;
  cleanAccuracy: number;
  /** At the attack's own eps (minimisation attacks: at their result, unbounded). */
  robustAccuracy: number;
  epsilons: number[];
  curves: CurveSeries[];
  rows: BatchImageRow[];
  examples: BatchExample[];
  /** An attack made of stages (AutoAttack): images each stage attacked and fooled (main model). */
  stages?: { stage: string; attacked: number; fooled: number; seconds: number }[];
  seconds: number;
  memory: MemoryInfo;
}
export interface BenchmarkRequest {
  jobId: number;
  dataset: string;
  /** The first batchSize test images form the fixed batch. */
  batchSize: number;
  warmup: number;
  reps: number;
  pgdSteps: number;
  pgdReps?: number;
}

/** Throughput of the active model on the active backend (core/eval/benchmark.ts). */
export interface BenchmarkOutcome extends BenchmarkResult {
  model: string;
  /** The backend's adapter / renderer description. */
  adapter: string;
  memory: MemoryInfo;
}

/** Pushed from the worker without a request (e.g. the GPU device was lost and the worker moved on). */
export type WorkerEvent = { kind: 'backend-changed'; status: BackendStatus; notice: string; modelReloaded: boolean };

export interface InitOptions {
  /** Absolute URL of the app's base (where data/ and models/ are served). */
  baseUrl: string;
  /** Local URLs of the three TensorFlow.js wasm binaries. */
  wasmPaths: Record<string, string>;
  /** Shared per-job cancel slots (src/core/jobs/cancel.ts). Null without cross-origin isolation. */
  cancelSlots: Int32Array | null;
}
