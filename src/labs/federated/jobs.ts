/**
 * The federated lab's worker jobs (see src/labs/attacks/jobs.ts for the shape): each a plain async
 * function of a WorkerJobContext and a request, run by the worker's job wrapper.
 */
import type { LabJobs } from '../../worker/jobs';
import { flJob } from './fl-job';
import { flTextJob } from './fl-text-job';
import { poisonJob } from './poison-job';

export const federatedJobs = {
  poison: poisonJob,
  fl: flJob,
  flText: flTextJob,
} satisfies LabJobs;
