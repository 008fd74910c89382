import { DATASETS } from '../core/data/datasets';
import { deleteImportedData, importData } from './controller';
import { DropZone } from './DropZone';
import { bytes, count } from './format';
import { hasJobs, useLab } from './store';

/** What this browser holds of an imported data set, with a Delete button. */
function StoredSet({ id }: { id: string }) {
  const info = useLab((s) => s.imported[id]);
  const busy = useLab(hasJobs);
  if (!info) {
    return (
      <p className="muted small" data-testid="imported-none">
        Nothing imported yet.
      </p>
    );
  }
  return (
    <div className="imported" data-testid="imported-item" data-n={info.n}>
      <p>
        <strong>{info.name}</strong>: <span data-testid="imported-count">{count(info.n)} images</span>,{' '}
        <span data-testid="imported-size">{bytes(info.bytes)}</span>, imported{' '}
        <time dateTime={info.importedAt}>{new Date(info.importedAt).toLocaleString()}</time>
      </p>
      <p className="muted small">From {info.source}</p>
      {info.notes.map((n) => (
        <p key={n} className="muted small">
          {n}
        </p>
      ))}
      <button type="button" className="secondary" onClick={() => deleteImportedData(id)} disabled={busy} data-testid="imported-delete">
        Delete from this browser
      </button>
    </div>
  );
}

/** Where the one import control lives: in Setup, under the data set choice. */
const IMPORT_CONTROL_ID = 'data-import';

/** Import control for a data set the user brings (CIFAR-10): pick or drop the archive or its .bin files; shown once, in Setup. */
export function DataImport({ id }: { id: string }) {
  const ds = DATASETS[id];
  const error = useLab((s) => s.importError);
  const busy = useLab(hasJobs);
  if (!ds || ds.origin !== 'imported') return null;
  const pick = (files: File[]) => {
    if (files.length > 0) importData(id, files);
  };
  return (
    <div className="data-import" id={IMPORT_CONTROL_ID} data-testid="data-import">
      <StoredSet id={id} />
      <DropZone
        label={`Import ${ds.name}…`}
        accept=".gz,.tgz,.tar,.bin,application/gzip,application/x-tar"
        multiple
        disabled={busy}
        onFiles={pick}
        dropTestId="import-drop"
        inputTestId="import-input"
        hint={
          <>
            or drop <code>cifar-10-binary.tar.gz</code> (or the <code>.tar</code>, or <code>test_batch.bin</code>) here. It is read in this
            browser; only the test split (10,000 images, 29 MiB) is kept, in this browser's storage. The training batches are not needed
            here and are not stored.
          </>
        }
      />
      {error && (
        <p className="attack-error" role="alert" data-testid="import-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** For panels that need the imported images: a button that brings the import control in Setup into view and focuses it. */
export function GoToImport() {
  const go = () => {
    const input = document.querySelector<HTMLInputElement>(`#${IMPORT_CONTROL_ID} input[type='file']`);
    if (!input) return;
    input.scrollIntoView({ block: 'center', behavior: 'smooth' });
    input.focus({ preventScroll: true });
  };
  return (
    <button type="button" className="secondary" onClick={go} data-testid="go-to-import">
      Go to the import in Setup
    </button>
  );
}
