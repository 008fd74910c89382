import { cancelJob } from './controller';
import { bytes } from './format';
import { useLab } from './store';

/** The current long job: label, progress, and a Cancel button when the job can be cancelled. */
export function ProgressBar() {
  const job = useLab((s) => s.job);
  if (!job) return null;
  const fraction = job.total > 0 ? Math.min(1, job.done / job.total) : null;
  const amount =
    job.total > 0
      ? job.unit === 'bytes'
        ? `${bytes(job.done)} of ${bytes(job.total)}`
        : job.unit === 'images'
          ? `image ${job.done} of ${job.total}${job.rate !== undefined ? ` · ${job.rate.toFixed(1)} images/s` : ''}`
          : `step ${Math.min(job.done, job.total)} of ${job.total}`
      : job.unit === 'bytes' && job.done > 0
        ? bytes(job.done)
        : '';
  return (
    <div className="progress" data-testid="progress" data-kind={job.kind} role="status" aria-live="polite">
      <div className="progress-text">
        <span data-testid="progress-label">{job.label}</span>
        <span className="progress-amount" data-testid="progress-amount" data-done={job.done} data-total={job.total}>
          {amount}
          {job.loss !== undefined ? ` · loss ${job.loss.toFixed(3)}` : ''}
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
      {job.cancellable && (
        <button type="button" className="secondary" onClick={cancelJob} disabled={job.cancelling} data-testid="cancel-button">
          {job.cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      )}
    </div>
  );
}
