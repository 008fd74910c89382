import { DATASETS } from '../core/data/datasets';
import { ProbabilityBars } from './ProbabilityBars';
import { setupBusy, useLab } from './store';

/** The model's prediction for the current test image (softmax computed in the worker). */
export function PredictionPanel() {
  const prediction = useLab((s) => s.prediction);
  const e = useLab((s) => s.experiment);
  const model = useLab((s) => s.model);
  const current = prediction && prediction.dataset === e.dataset && prediction.sample === e.sample && prediction.model === e.model;
  const catalog = useLab((s) => s.catalog);
  const busy = useLab((s) => setupBusy(s) || !s.settled);
  const missing = useLab((s) => s.dataset?.id === e.dataset && s.dataset.missing === true);
  const custom = useLab((s) => s.custom);
  const customPrediction = useLab((s) => s.customPrediction);
  const own = useLab((s) => s.ownModel);
  const names = DATASETS[e.dataset]?.classNames ?? [];
  const inZoo = (catalog?.models.some((m) => m.id === e.model && m.dataset === e.dataset) ?? false) || own?.id === e.model;
  if (custom) {
    const p = customPrediction && customPrediction.customId === custom.id && customPrediction.model === e.model ? customPrediction : null;
    return (
      <section className="panel prediction-panel" aria-labelledby="prediction-title">
        <h2 id="prediction-title">Prediction</h2>
        {p ? (
          <>
            <div className="verdict">
              <span className="status-key">{p.model === own?.id ? 'your model' : p.model} says</span>
              <strong data-testid="picture-predicted" data-class={p.predicted}>
                {names[p.predicted] ?? p.predicted}
              </strong>
              <span className="small">({(p.probs[p.predicted] * 100).toFixed(1)}%; your picture has no true label)</span>
            </div>
            <ProbabilityBars probs={p.probs} classNames={names} predicted={p.predicted} label={-1} testId="picture-prob" />
          </>
        ) : (
          <p className="muted" data-testid="prediction-pending">
            {!catalog
              ? 'Starting…'
              : !inZoo
                ? 'No model for this data set: load one in the setup panel.'
                : busy
                  ? 'Computing…'
                  : 'No model loaded.'}
          </p>
        )}
      </section>
    );
  }
  const waiting = !catalog
    ? 'Starting…'
    : !inZoo
      ? 'No model for this data set.'
      : busy
        ? 'Computing…'
        : missing
          ? 'Import the test images, or upload a picture of your own, to see a prediction.'
          : 'No model loaded.';
  return (
    <section className="panel prediction-panel" aria-labelledby="prediction-title">
      <h2 id="prediction-title">Prediction</h2>
      {prediction && current ? (
        <>
          <div className={`verdict ${prediction.predicted === prediction.label ? 'correct' : 'wrong'}`}>
            <span className="status-key">{prediction.model} says</span>
            <strong data-testid="predicted-label" data-class={prediction.predicted}>
              {names[prediction.predicted] ?? prediction.predicted}
            </strong>
            <span className="small" data-testid="prediction-verdict">
              {prediction.predicted === prediction.label ? 'correct' : `wrong (true: ${names[prediction.label]})`}
            </span>
          </div>
          <ProbabilityBars
            probs={prediction.probs}
            classNames={names}
            predicted={prediction.predicted}
            label={prediction.label}
            testId="prob"
          />
        </>
      ) : (
        <p className="muted" data-testid="prediction-pending">
          {model && model.id !== e.model && !busy ? `${model.id} is active; ${e.model} is not loaded.` : waiting}
        </p>
      )}
    </section>
  );
}
