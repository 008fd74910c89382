import { cancelJob } from './jobs';
import type { JobState } from './store';

/** Cancel for a panel's own running job (the jobs tray has one per job too). */
export function CancelButton({ job, testId }: { job: JobState | null | undefined; testId: string }) {
  if (!job) return null;
  return (
    <button type="button" className="secondary" onClick={() => cancelJob(job.id)} disabled={job.cancelling} data-testid={testId}>
      {job.cancelling ? 'Cancelling…' : 'Cancel'}
    </button>
  );
}
