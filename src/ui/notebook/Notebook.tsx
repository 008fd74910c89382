/**
 * The lab notebook's drawer: save the experiment on screen with what the lab computed, reopen or delete
 * saved ones, export them all as one JSON file, import a file (checked in full first; a malformed file
 * is refused with its reason and the notebook is left as it was).
 */
import { useCallback, useEffect, useState } from 'react';
import { DATASETS } from '../../core/data/datasets';
import { decodeExperiment } from '../../labs/experiment';
import { applyExperiment } from '../controller';
import { DownloadLink } from '../DownloadLink';
import { useLab, type LabState } from '../store';
import { deleteEntry, importNotebook, listEntries, makeEntry, notebookJson, saveEntry, type NotebookEntry } from './notebook';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** What the lab computed for the experiment on screen (only results that belong to it). */
export function currentResults(s: LabState): Record<string, unknown> {
  const e = s.experiment;
  const out: Record<string, unknown> = {};
  const names = s.model?.classNames ?? DATASETS[e.dataset]?.classNames ?? [];
  const p = s.prediction;
  if (p && p.model === e.model && p.sample === e.sample && !s.custom)
    out.prediction = { label: names[p.label] ?? p.label, predicted: names[p.predicted] ?? p.predicted, probability: p.probs[p.predicted] };
  const a = s.attack;
  if (a && a.status === 'done' && a.adversarial && a.model === e.model && (a.custom || a.sample === e.sample)) {
    const adv = a.adversarial;
    out.attack = {
      name: a.attack.name,
      norm: a.attack.norm,
      eps: a.attack.eps,
      seed: a.attack.seed,
      image: a.custom ? 'your picture' : a.sample,
      success: adv.success,
      cleanPredicted: names[adv.cleanPredicted] ?? adv.cleanPredicted,
      predicted: names[adv.predicted] ?? adv.predicted,
      norms: adv.norms,
      queries: adv.queries,
      gradientEvaluations: adv.gradientEvaluations,
      seconds: a.seconds,
    };
  }
  const b = s.batch;
  if (b && b.status === 'done' && b.dataset === e.dataset)
    out.batch = {
      model: b.model,
      attack: b.attack.name,
      eps: b.attack.eps,
      start: b.start,
      n: b.n,
      cleanAccuracy: b.cleanAccuracy,
      robustAccuracy: b.robustAccuracy,
    };
  return out;
}

/** The adversarial image as a small PNG (for the gallery), when the studio has one for this experiment. */
function thumbnailOf(s: LabState): string | undefined {
  const a = s.attack;
  const shape = DATASETS[s.experiment.dataset]?.shape;
  if (!a?.adversarial || !shape || a.model !== s.experiment.model) return undefined;
  const [h, w, c] = shape;
  if (a.adversarial.pixels.length !== h * w * c) return undefined;
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return undefined;
  const img = ctx.createImageData(w, h);
  const px = a.adversarial.pixels;
  for (let i = 0; i < h * w; i++) for (let k = 0; k < 3; k++) img.data[i * 4 + k] = Math.round(255 * px[i * c + (c === 3 ? k : 0)]);
  for (let i = 0; i < h * w; i++) img.data[i * 4 + 3] = 255;
  ctx.putImageData(img, 0, 0);
  return canvas.toDataURL('image/png');
}

function summary(r: Record<string, unknown>): string {
  const a = r.attack as
    { name: string; success: boolean; predicted: unknown; cleanPredicted: unknown; norms: { linf: number; l2: number } } | undefined;
  const b = r.batch as { robustAccuracy: number; cleanAccuracy: number; n: number } | undefined;
  const parts: string[] = [];
  if (a)
    parts.push(
      `${a.name}: ${a.success ? `${String(a.cleanPredicted)} → ${String(a.predicted)}` : 'not fooled'} (L∞ ${a.norms.linf.toFixed(3)}, L2 ${a.norms.l2.toFixed(2)})`,
    );
  if (b) parts.push(`batch of ${b.n}: clean ${(b.cleanAccuracy * 100).toFixed(1)}%, robust ${(b.robustAccuracy * 100).toFixed(1)}%`);
  return parts.join('; ') || 'settings only (no result yet)';
}

export function Notebook() {
  const [entries, setEntries] = useState<NotebookEntry[] | null>(null);
  const [title, setTitle] = useState('');
  const [note, setNote] = useState('');
  const [status, setStatus] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const refresh = useCallback(async () => {
    try {
      setEntries(await listEntries());
    } catch (e) {
      setStatus({ kind: 'error', text: `The notebook could not be read: ${message(e)}` });
      setEntries([]);
    }
  }, []);
  useEffect(() => {
    let live = true;
    listEntries().then(
      (list) => live && setEntries(list),
      (e: unknown) => {
        if (!live) return;
        setStatus({ kind: 'error', text: `The notebook could not be read: ${message(e)}` });
        setEntries([]);
      },
    );
    return () => {
      live = false;
    };
  }, []);
  const save = async () => {
    const s = useLab.getState();
    try {
      await saveEntry(makeEntry(s.experiment, title, note, currentResults(s), thumbnailOf(s)));
      setTitle('');
      setNote('');
      setStatus({ kind: 'ok', text: 'Saved to the notebook.' });
      await refresh();
    } catch (e) {
      setStatus({ kind: 'error', text: `Not saved: ${message(e)}` });
    }
  };
  const onFile = async (file: File | undefined) => {
    if (!file) return;
    try {
      const r = await importNotebook(await file.text());
      setStatus({
        kind: 'ok',
        text: `Imported ${r.added} entr${r.added === 1 ? 'y' : 'ies'}${r.same ? ` (${r.same} already here)` : ''}.`,
      });
      await refresh();
    } catch (e) {
      setStatus({ kind: 'error', text: `${file.name} was not imported: ${message(e)}. The notebook is unchanged.` });
    }
  };
  return (
    <div className="notebook" data-testid="notebook">
      <form
        className="notebook-save"
        onSubmit={(ev) => {
          ev.preventDefault();
          void save();
        }}
      >
        <label htmlFor="notebook-title" className="small">
          Title
        </label>
        <input
          id="notebook-title"
          type="text"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          data-testid="notebook-title"
          size={28}
        />
        <label htmlFor="notebook-note" className="small">
          Note
        </label>
        <textarea
          id="notebook-note"
          value={note}
          onChange={(e) => setNote(e.target.value)}
          rows={2}
          cols={40}
          data-testid="notebook-note"
        />
        <button type="submit" className="primary" data-testid="notebook-save">
          Save this experiment
        </button>
      </form>
      <div className="studio-actions">
        {entries && entries.length > 0 && (
          <DownloadLink text={notebookJson(entries)} type="application/json" filename="lab-notebook.json" testId="notebook-export">
            Export notebook (JSON)
          </DownloadLink>
        )}
        <label className="button-link" htmlFor="notebook-import">
          Import a notebook…
        </label>
        <input
          id="notebook-import"
          type="file"
          accept="application/json,.json"
          className="visually-hidden"
          onChange={(e) => {
            void onFile(e.target.files?.[0]);
            e.target.value = '';
          }}
          data-testid="notebook-import"
        />
      </div>
      {status && (
        <p
          className={status.kind === 'error' ? 'attack-error small' : 'small'}
          role={status.kind === 'error' ? 'alert' : 'status'}
          data-testid="notebook-status"
          data-kind={status.kind}
        >
          {status.text}
        </p>
      )}
      {entries === null ? (
        <p className="muted small">Reading the notebook…</p>
      ) : entries.length === 0 ? (
        <p className="muted small" data-testid="notebook-empty">
          No saved experiments yet.
        </p>
      ) : (
        <ul className="notebook-list" data-testid="notebook-list" data-count={entries.length}>
          {entries.map((x) => (
            <li key={x.id} className="notebook-entry" data-testid="notebook-entry">
              {x.thumbnail ? (
                <img src={x.thumbnail} alt={`Adversarial image of “${x.title}”`} width={56} height={56} className="pixelated" />
              ) : null}
              <div>
                <strong>{x.title}</strong>{' '}
                <span className="muted small">
                  {new Date(x.savedAt).toLocaleString()} · {x.lab} · {x.experiment.model ?? ''}
                </span>
                <div className="small">{summary(x.results)}</div>
                {x.note && <div className="small muted">{x.note}</div>}
                <div className="studio-actions">
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => applyExperiment(decodeExperiment(x.link).experiment)}
                    data-testid="notebook-open"
                  >
                    Open
                  </button>
                  <button
                    type="button"
                    className="secondary"
                    onClick={() => void deleteEntry(x.id).then(refresh)}
                    aria-label={`Delete “${x.title}”`}
                    data-testid="notebook-delete"
                  >
                    Delete
                  </button>
                </div>
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
