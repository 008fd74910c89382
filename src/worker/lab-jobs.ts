/**
 * Every lab's worker jobs, by lab and job name: `api.run(lab, job, request, onProgress)` looks them up
 * here. A lab adds its jobs by exporting a record of job functions (see src/labs/attacks/jobs.ts) and
 * listing it below. (To be folded into src/labs/index.ts.)
 */
import { attackJobs } from '../labs/attacks/jobs';
import { defenceJobs } from '../labs/defences/jobs';
import { federatedJobs } from '../labs/federated/jobs';
import { privacyJobs } from '../labs/privacy/jobs';
import type { LabJobs } from './jobs';

export const LAB_JOBS = {
  attacks: attackJobs,
  defences: defenceJobs,
  federated: federatedJobs,
  privacy: privacyJobs,
} satisfies Record<string, LabJobs>;

export type LabJobRegistry = typeof LAB_JOBS;
export type LabName = keyof LabJobRegistry;
export type JobName<L extends LabName> = keyof LabJobRegistry[L] & string;
type JobFn<L extends LabName, J extends JobName<L>> = LabJobRegistry[L][J] extends (...args: infer A) => infer R
  ? (...args: A) => R
  : never;
export type JobRequest<L extends LabName, J extends JobName<L>> = Parameters<JobFn<L, J>>[1];
export type JobResult<L extends LabName, J extends JobName<L>> = Awaited<ReturnType<JobFn<L, J>>>;
/** The type of the items a job streams in Progress.payload (trace points for the studio's attack). */
export type JobPayload<L extends LabName, J extends JobName<L>> = Parameters<JobFn<L, J>>[0] extends {
  progress(p: { payload?: (infer T)[] }): void;
}
  ? T
  : never;
