import { useState } from 'react';
import type { BenchmarkOutcome } from '../worker/protocol';
import { runBenchmark, type BenchmarkSettings } from './controller';
import { hasJobs, useLab } from './store';

/** A quick measurement in the page (rlab bench-browser measures longer, on every backend). */
const SETTINGS: BenchmarkSettings = { batchSize: 32, warmup: 1, reps: 3, pgdSteps: 10 };

const rate = (v: number) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(3));

/** Status bar item: measures inference, input-gradient and PGD throughput of the active model on the active backend. */
export function SpeedMeter() {
  const busy = useLab(hasJobs);
  const ready = useLab((s) => !!s.model && s.model.dataset === s.experiment.dataset && s.dataset?.id === s.experiment.dataset);
  const [result, setResult] = useState<BenchmarkOutcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  const measure = () => {
    setError(null);
    runBenchmark(SETTINGS).then(setResult, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  };
  return (
    <div className="status-item speed">
      <span className="status-key">Speed</span>
      {result && !error && (
        <span
          data-testid="speed-result"
          data-backend={result.backend}
          title={`${result.model} on ${result.backend} (${result.adapter}), batch of ${result.batchSize} test images, after ${result.warmup} warm-up run(s)`}
        >
          {result.backend}: {rate(result.inference.imagesPerSecond)} img/s inference · {rate(result.inputGradient.imagesPerSecond)} img/s
          gradients · {rate(result.pgd.imageStepsPerSecond)} image-steps/s PGD-{result.pgd.steps}
        </span>
      )}
      {error && (
        <span className="small attack-error" data-testid="speed-error">
          {error}
        </span>
      )}
      <button type="button" className="secondary" onClick={measure} disabled={busy || !ready} data-testid="speed-measure">
        Measure
      </button>
    </div>
  );
}
