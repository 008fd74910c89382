import { bytes } from './format';
import { cancelJob, secondsLeft } from './jobs';
import { useLab, type JobState } from './store';

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function amountText(job: JobState): string {
  if (job.total <= 0) return job.unit === 'bytes' && job.done > 0 ? bytes(job.done) : '';
  switch (job.unit) {
    case 'bytes':
      return `${bytes(job.done)} of ${bytes(job.total)}`;
    case 'images':
      return `${Math.floor(job.done).toLocaleString('en-US')} of ${job.total.toLocaleString('en-US')} images${
        job.rate !== undefined ? ` · ${job.rate.toFixed(1)} images/s` : ''
      }`;
    case 'steps':
      return `step ${Math.min(job.done, job.total)} of ${job.total}`;
  }
}

/**
 * One job: label, amount, time estimate, bar, and its own Cancel. `prefix` names the test ids
 * (the tray's rows: progress, progress-amount, cancel-button; a panel's: attack-progress, ...).
 */
export function JobRow({ job, prefix = '', cancel = true }: { job: JobState; prefix?: string; cancel?: boolean }) {
  const fraction = job.total > 0 ? Math.min(1, job.done / job.total) : null;
  const left = secondsLeft(job);
  return (
    <div className="progress" data-testid={`${prefix}progress`} data-kind={job.kind} data-job-id={job.id} role="status" aria-live="polite">
      <div className="progress-text">
        <span data-testid={`${prefix}progress-label`}>{job.label}</span>
        <span className="progress-amount" data-testid={`${prefix}progress-amount`} data-done={job.done} data-total={job.total}>
          {amountText(job)}
          {job.loss !== undefined ? ` · loss ${job.loss.toFixed(3)}` : ''}
          {left !== null && (
            <span data-testid={`${prefix}progress-eta`} data-seconds={Math.round(left)}>
              {` · about ${duration(left)} left`}
            </span>
          )}
        </span>
      </div>
      <div className="progress-track">
        <div
          className={`progress-fill ${fraction === null ? 'indeterminate' : ''}`}
          style={fraction === null ? undefined : { width: `${(fraction * 100).toFixed(1)}%` }}
          role="progressbar"
          aria-label={job.label}
          aria-valuemin={0}
          aria-valuemax={job.total || undefined}
          aria-valuenow={job.total ? job.done : undefined}
        />
      </div>
      {cancel && job.cancellable && (
        <button
          type="button"
          className="secondary"
          onClick={() => cancelJob(job.id)}
          disabled={job.cancelling}
          data-testid={`${prefix}cancel-button`}
          aria-label={`Cancel: ${job.label}`}
        >
          {job.cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      )}
    </div>
  );
}

/** Every running job, oldest first, each with its progress, time estimate and Cancel; stays in view while jobs run. */
export function JobsTray() {
  const jobs = useLab((s) => s.jobs);
  const list = Object.values(jobs).sort((a, b) => a.id - b.id);
  if (list.length === 0) return null;
  return (
    <section className="jobs-tray" aria-label="Running jobs" data-testid="jobs-tray" data-count={list.length}>
      {list.map((job) => (
        <JobRow key={job.id} job={job} />
      ))}
    </section>
  );
}
