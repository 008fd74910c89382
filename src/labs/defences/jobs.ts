/**
 * The defences lab's worker jobs (see src/labs/attacks/jobs.ts for the shape): each a plain async
 * function of a WorkerJobContext and a request, run by the worker's job wrapper.
 */
import type { LabJobs } from '../../worker/jobs';
import { importModelJob, trainJob } from './training/train-job';
import { tradeoffJob } from './training/tradeoff';
import { certifyJob } from './certify-job';
import { detectJob } from './detector/job';

export const defenceJobs = {
  train: trainJob,
  importModel: importModelJob,
  tradeoff: tradeoffJob,
  certify: certifyJob,
  detect: detectJob,
} satisfies LabJobs;
