import { DATASETS } from '../core/data/datasets';
import { isUserModel } from '../labs/defences/index';
import type { ModelCard } from '../core/models/card';
import { loadOwnModel, selectDataset, selectModel } from './controller';
import { useControl } from './lessons/view';
import { DataImport } from './DataImport';
import { count, epsIn255, epsText, percent } from './format';
import { hasJobs, useLab } from './store';
import { isDatasetAvailable, modelsFor } from './validate';

/** A budget as people write it: 8/255 on colour images, else the number to 4 significant digits (not 0.00784313725490196). */
function budgetText(v: number, colour: boolean): string {
  return colour ? epsText(v, true) : String(Number(v.toPrecision(4)));
}

function ModelCardView({ card, active }: { card: ModelCard; active: boolean }) {
  const colour = epsIn255(DATASETS[card.dataset]?.shape[2] ?? 1, 'linf');
  return (
    <div className="model-card" data-testid="model-card" data-model={card.id}>
      <dl>
        <dt>Clean accuracy</dt>
        <dd data-testid="card-clean-accuracy">
          {percent(card.cleanAccuracy.accuracy, 2)}
          {card.cleanAccuracy.n > 0 && <span className="muted"> on {count(card.cleanAccuracy.n)} test images</span>}
        </dd>
        <dt>Parameters</dt>
        <dd data-testid="card-params">{count(card.parameters)}</dd>
        <dt>Architecture</dt>
        <dd className="small">{card.layers}</dd>
        <dt>Training</dt>
        <dd className="small">
          {card.training} ({card.epochs} epoch{card.epochs === 1 ? '' : 's'}, seed {card.seed})
        </dd>
      </dl>
      {card.recipe === 'user' && <p className="muted small">Your own model: it lives in this page only and is not part of links.</p>}
      {isUserModel(card) && (
        <p className="muted small" data-testid="card-stored">
          Trained or imported in this browser on {card.backend}, {card.trainingSeconds} s: kept in this browser (IndexedDB); links name it,
          but only this browser has it.
        </p>
      )}
      <h3>Robust accuracy</h3>
      {card.robustAccuracy.length === 0 ? (
        <p className="muted small" data-testid="card-robust-none">
          No robust accuracy measured yet.
        </p>
      ) : (
        <table className="robust-table" data-testid="card-robust">
          <thead>
            <tr>
              <th scope="col">Attack</th>
              <th scope="col">ε (L∞)</th>
              <th scope="col">Steps</th>
              <th scope="col">Accuracy</th>
            </tr>
          </thead>
          <tbody>
            {card.robustAccuracy.map((r, i) => (
              <tr key={i} title={r.command}>
                <td>
                  {r.attack.toUpperCase()}
                  {r.restarts > 1 ? ` ×${r.restarts}` : ''}
                </td>
                <td>{budgetText(r.eps, colour)}</td>
                <td>{r.attack === 'fgsm' ? 1 : `${r.steps} × ${budgetText(r.stepSize, colour)}`}</td>
                <td>
                  {percent(r.accuracy, 2)} <span className="muted small robust-n">n={count(r.n)}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!active && <p className="muted small">Loading…</p>}
    </div>
  );
}

/** Data set and model choice, with the model's card. */
export function SetupPanel() {
  const catalog = useLab((s) => s.catalog);
  const dataset = useLab((s) => s.experiment.dataset);
  const modelId = useLab((s) => s.experiment.model);
  const active = useLab((s) => s.model);
  const own = useLab((s) => s.ownModel);
  const ownError = useLab((s) => s.ownModelError);
  const busy = useLab(hasJobs);
  const models = [...(catalog ? modelsFor(catalog, dataset) : []), ...(own && own.dataset === dataset ? [own] : [])];
  const info = DATASETS[dataset];
  const card = models.find((m) => m.id === modelId);
  const unavailable = catalog ? Object.keys(DATASETS).filter((id) => !isDatasetAvailable(catalog, id)) : [];
  const dsControl = useControl('dataset');
  const modelControl = useControl('model');
  return (
    <section className="panel setup" aria-labelledby="setup-title">
      <h2 id="setup-title">Setup</h2>
      <label className="field" hidden={dsControl === 'hidden'}>
        <span>Data set{dsControl === 'locked' && ' (locked)'}</span>
        <select
          value={dataset}
          onChange={(e) => selectDataset(e.target.value)}
          disabled={dsControl === 'locked'}
          data-testid="dataset-select"
          aria-label="Data set"
        >
          {Object.values(DATASETS).map((d) => (
            <option key={d.id} value={d.id} disabled={!catalog || !isDatasetAvailable(catalog, d.id)}>
              {d.name}
            </option>
          ))}
        </select>
      </label>
      {catalog &&
        unavailable.map((id) => (
          <p key={id} className="muted small" data-testid="dataset-unavailable">
            {DATASETS[id].name} unavailable: {catalog.datasets[id]?.message ?? 'not prepared'}
          </p>
        ))}
      {info?.origin === 'imported' && (
        <div className="field">
          <span>{info.name} test images in this browser</span>
          <DataImport id={dataset} />
        </div>
      )}
      <label className="field" hidden={modelControl === 'hidden'}>
        <span>Model{modelControl === 'locked' && ' (locked)'}</span>
        <select
          value={card ? card.id : ''}
          onChange={(e) => selectModel(e.target.value)}
          disabled={models.length === 0 || modelControl === 'locked'}
          data-testid="model-select"
          aria-label="Model"
        >
          {models.length === 0 && <option value="">(no model for this data set)</option>}
          {models.length > 0 && (
            <optgroup label="Model zoo">
              {models
                .filter((m) => m.recipe !== 'user' && !isUserModel(m))
                .map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.id}
                  </option>
                ))}
            </optgroup>
          )}
          {models.some((m) => m.recipe === 'user' || isUserModel(m)) && (
            <optgroup label="Yours (in this browser)">
              {models
                .filter((m) => m.recipe === 'user' || isUserModel(m))
                .map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.recipe === 'user' ? 'your own model' : m.id}
                  </option>
                ))}
            </optgroup>
          )}
        </select>
      </label>
      <label className="file-button small" title="A TensorFlow.js LayersModel: choose model.json and its weight files together">
        <input
          type="file"
          multiple
          accept=".json,.bin"
          disabled={busy}
          onChange={(e) => {
            loadOwnModel(Array.from(e.target.files ?? []));
            e.target.value = '';
          }}
          data-testid="model-files-input"
        />
        <span>Load a model (model.json + weights)…</span>
      </label>
      {ownError && (
        <p className="attack-error small" role="alert" data-testid="model-files-error">
          {ownError}
        </p>
      )}
      {card ? (
        <ModelCardView card={card} active={active?.id === card.id} />
      ) : (
        <p className="muted" data-testid="no-model">
          The model zoo has no model for {DATASETS[dataset]?.name ?? dataset} yet: load one of your own (a TensorFlow.js LayersModel taking{' '}
          {info ? info.shape.join('x') : '?'} pixels in [0, 1]).
        </p>
      )}
    </section>
  );
}
