import { useEffect } from 'react';
import { useLab } from '../../../ui/store';
import { percent } from '../../../ui/format';
import { trainingMethodOf } from '../training/log';
import { deleteModel, exportModel, importModel, initDefences, openModel } from './actions';
import { useDefences } from './store';
import { DefenceExplain } from './explain';

/** The user's models (trained or imported in this browser): open, export, delete; import an export. */
export function ModelsPanel() {
  const models = useDefences((s) => s.models);
  const msg = useDefences((s) => s.modelsMessage);
  const active = useLab((s) => s.model?.id);
  useEffect(() => {
    void initDefences();
  }, []);
  return (
    <section className="panel models-panel" aria-labelledby="models-title" data-testid="models-panel">
      <h2 id="models-title">Your models</h2>
      <DefenceExplain panel="models" />
      {models.length === 0 ? (
        <p className="muted small" data-testid="models-none">
          None yet: train one above, or import an export (.zip).
        </p>
      ) : (
        <table className="robust-table" data-testid="models-table">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Training</th>
              <th scope="col">Clean</th>
              <th scope="col">PGD-10</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {models.map((m) => (
              <tr key={m.id} data-testid="models-row" data-model={m.id}>
                <td>
                  {m.id}
                  {m.id === active ? ' (open)' : ''}
                  <div className="muted small">
                    {m.dataset}, {m.trainingSeconds} s on {m.backend}
                  </div>
                </td>
                <td title={m.training}>{trainingMethodOf(m)}</td>
                <td>{percent(m.cleanAccuracy.accuracy, 1)}</td>
                <td>{m.robustAccuracy[0] ? `${percent(m.robustAccuracy[0].accuracy, 1)} @ ${m.robustAccuracy[0].eps}` : '–'}</td>
                <td className="row-actions">
                  <button type="button" onClick={() => openModel(m)} data-testid={`models-open-${m.id}`}>
                    Open in the studio
                  </button>
                  <button type="button" onClick={() => void exportModel(m.id)} data-testid={`models-export-${m.id}`}>
                    Export
                  </button>
                  <button
                    type="button"
                    onClick={() => {
                      if (confirm(`Delete ${m.id} from this browser?`)) void deleteModel(m.id);
                    }}
                    data-testid={`models-delete-${m.id}`}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <label className="file-button small" title="An export of this lab: the .zip, or its model.json, weights.bin and card.json together">
        <input
          type="file"
          multiple
          accept=".zip,.json,.bin"
          onChange={(e) => {
            importModel(Array.from(e.target.files ?? []));
            e.target.value = '';
          }}
          data-testid="models-import-input"
        />
        <span>Import an exported model…</span>
      </label>
      {msg && (
        <p
          className={msg.kind === 'error' ? 'attack-error small' : 'small'}
          role={msg.kind === 'error' ? 'alert' : 'status'}
          data-testid="models-message"
        >
          {msg.text}
        </p>
      )}
    </section>
  );
}
