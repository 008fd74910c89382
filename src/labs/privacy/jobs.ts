/**
 * The privacy lab's worker jobs (see src/labs/attacks/jobs.ts for the shape): each a plain async
 * function of a WorkerJobContext and a request, run by the worker's job wrapper.
 */
import type { LabJobs } from '../../worker/jobs';
import { dpClipJob, dpMembershipJob, dpTrainJob } from './dp-job';
import { leakJob } from './leak-job';
import { miaJob } from './mia-job';

export const privacyJobs = {
  leak: leakJob,
  mia: miaJob,
  dpTrain: dpTrainJob,
  dpClip: dpClipJob,
  dpMembership: dpMembershipJob,
} satisfies LabJobs;
