/**
 * The compute worker's API as the UI sees it through comlink: the generic `run(lab, job, request)` of
 * every lab's jobs (src/worker/lab-jobs.ts) and the worker's own services. Apart from protocol.ts
 * (the messages), so that the labs' jobs can use the message types without an import cycle.
 */
import type { Progress } from '../core/jobs';
import type { ModelCard } from '../core/models/card';
import type { BackendChoice } from '../labs/experiment';
import type { ImportedInfo } from './imported-store';
import type { JobName, JobPayload, JobRequest, JobResult, LabName } from './lab-jobs';
import type {
  BackendStatus,
  BenchmarkOutcome,
  BenchmarkRequest,
  DatasetSummary,
  ImageBatch,
  ImagePrediction,
  InitOptions,
  ModelSummary,
  Prediction,
  PreparedImage,
  WorkerEvent,
} from './protocol';

export interface ComputeApi {
  init(options: InitOptions, onEvent: (e: WorkerEvent) => void): Promise<void>;
  /** Select a backend (probing each candidate); reloads the current model onto it. */
  setBackend(choice: BackendChoice, onProgress: (p: Progress) => void): Promise<BackendStatus>;
  status(): Promise<BackendStatus | null>;
  /** Bundled data sets: fetch the test split. Imported ones: read it from IndexedDB (missing: true when not imported). */
  loadDataset(jobId: number, id: string, onProgress: (p: Progress) => void): Promise<DatasetSummary>;
  /** Import CIFAR-10 from the user's files (archive or .bin batches), keep its test split in IndexedDB. */
  importDataset(jobId: number, id: string, files: File[], onProgress: (p: Progress) => void): Promise<ImportedInfo>;
  /** What is stored in IndexedDB (metadata only). */
  importedDatasets(): Promise<ImportedInfo[]>;
  deleteImported(id: string): Promise<void>;
  /** Decode a picture (PNG, JPEG, …), centre-crop and resize it to a model input of `shape`. */
  prepareImage(file: Blob, shape: [number, number, number], invert: boolean | 'auto'): Promise<PreparedImage>;
  /** The active model on a picture of the user's. */
  predictImage(pixels: Uint8Array): Promise<ImagePrediction>;
  /** Load the user's own model (model.json + weight files) for a data set; it becomes the active model. */
  loadModelFiles(jobId: number, files: File[], datasetId: string, onProgress: (p: Progress) => void): Promise<ModelCard>;
  images(id: string, start: number, count: number): Promise<ImageBatch>;
  /** Load a zoo model; on failure the previous model stays active and a ModelLoadError message is thrown. */
  loadModel(jobId: number, card: ModelCard, onProgress: (p: Progress) => void): Promise<ModelSummary>;
  predict(dataset: string, sample: number): Promise<Prediction>;
  /**
   * Run a lab's job (src/worker/lab-jobs.ts), e.g. run('attacks', 'attack', request, onProgress): the
   * studio's attack; run('attacks', 'robustness', ...): the batch check. Several jobs may run at once
   * (they interleave at their awaits); each is cancelled alone through cancel(request.jobId).
   */
  run<L extends LabName, J extends JobName<L>>(
    lab: L,
    job: J,
    request: JobRequest<L, J> & { jobId: number },
    onProgress: (p: Progress<JobPayload<L, J>>) => void,
  ): Promise<JobResult<L, J>>;
  /** Inference, input-gradient and PGD throughput of the active model on the active backend. */
  benchmark(request: BenchmarkRequest, onProgress: (p: Progress) => void): Promise<BenchmarkOutcome>;
  /** Abort the job with this id (seen at its next await; attacks also watch the shared cancel slots at every step). */
  cancel(jobId: number): Promise<void>;
  /** Test hook: make the current GPU backend lose its device/context. */
  loseDevice(): Promise<string>;
}
