/**
 * The privacy lab's worker jobs (see src/labs/attacks/jobs.ts for the shape): each a plain async
 * function of a WorkerJobContext and a request, run by the worker's job wrapper.
 */
import type { LabJobs } from '../../worker/jobs';
import { leakJob } from './leak-job';
import { miaJob } from './mia-job';

export const privacyJobs = {
  leak: leakJob,
  mia: miaJob,
} satisfies LabJobs;
