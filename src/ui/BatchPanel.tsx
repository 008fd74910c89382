import { useEffect, useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { ATTACKS } from '../core/attacks/index';
import { DATASETS } from '../core/data/datasets';
import type { BatchOutcome } from '../worker/protocol';
import { runBatch } from './controller';
import { DataImport } from './DataImport';
import { batchCsv, batchJson, parseEpsilons } from './export';
import { epsIn255, epsText, percent } from './format';
import { PixelCanvas } from './PixelCanvas';
import { useLab } from './store';

const COLOURS = ['#2f6fde', '#c8372d', '#1f8a4c', '#b8860b', '#7a4cc2'];

/** A download link for text made in the page (the object URL is released when it changes). */
function DownloadLink({
  text,
  type,
  filename,
  testId,
  children,
}: {
  text: string;
  type: string;
  filename: string;
  testId: string;
  children: string;
}) {
  const url = useMemo(() => URL.createObjectURL(new Blob([text], { type })), [text, type]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return (
    <a href={url} download={filename} data-testid={testId} className="button-link">
      {children}
    </a>
  );
}

function CurveChart({ outcome }: { outcome: BatchOutcome }) {
  const data = outcome.epsilons.map((eps, k) => {
    const row: Record<string, number> = { eps };
    for (const c of outcome.curves) row[c.model] = c.robustAccuracy[k] ?? 0;
    return row;
  });
  const norm =
    outcome.attack.name !== 'none' && ATTACKS[outcome.attack.name].kind === 'minimisation'
      ? 'L2'
      : outcome.attack.norm === 'l2'
        ? 'L2'
        : 'L∞';
  const in255 = norm === 'L∞' && epsIn255(DATASETS[outcome.dataset]?.shape[2] ?? 1, 'linf');
  return (
    <figure className="batch-curve" data-testid="batch-curve" data-points={data.length} data-series={outcome.curves.length}>
      <LineChart width={620} height={260} data={data} margin={{ top: 8, right: 16, bottom: 16, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ec" />
        <XAxis
          dataKey="eps"
          type="number"
          domain={[0, 'dataMax']}
          tick={{ fontSize: 11 }}
          tickFormatter={(v: number) => (in255 ? String(Number((v * 255).toFixed(1))) : String(v))}
          label={{ value: in255 ? `ε (${norm}, in /255)` : `ε (${norm})`, position: 'insideBottom', offset: -8, fontSize: 12 }}
        />
        <YAxis domain={[0, 1]} tick={{ fontSize: 11 }} width={40} tickFormatter={(v: number) => `${Math.round(v * 100)}%`} />
        <Tooltip
          formatter={(v) => (typeof v === 'number' ? percent(v) : String(v))}
          labelFormatter={(e) => `ε = ${epsText(Number(e), in255)}`}
        />
        <Legend verticalAlign="top" wrapperStyle={{ fontSize: 12 }} />
        {outcome.curves.map((c, i) => (
          <Line key={c.model} dataKey={c.model} stroke={COLOURS[i % COLOURS.length]} isAnimationActive={false} />
        ))}
      </LineChart>
      <figcaption className="small muted">Robust accuracy against ε over the first {outcome.n} test images.</figcaption>
    </figure>
  );
}

function BatchResult({ outcome }: { outcome: BatchOutcome }) {
  const e = useLab((s) => s.experiment);
  const info = DATASETS[outcome.dataset];
  const names = info.classNames;
  const attackInfo = outcome.attack.name === 'none' ? null : ATTACKS[outcome.attack.name];
  const csv = useMemo(() => batchCsv(outcome, names), [outcome, names]);
  const json = useMemo(() => batchJson(outcome, e, new Date().toISOString()), [outcome, e]);
  const base = `${outcome.model}-${outcome.attack.name}-n${outcome.n}-seed${outcome.attack.seed}`;
  return (
    <div data-testid="batch-result" data-status={outcome.status}>
      {outcome.status === 'cancelled' && <p className="muted">Cancelled; the figures cover the {outcome.n} images finished before.</p>}
      <div className="batch-figures">
        <span>
          Clean accuracy{' '}
          <strong data-testid="batch-clean" data-value={outcome.cleanAccuracy}>
            {percent(outcome.cleanAccuracy)}
          </strong>
        </span>
        <span>
          Robust accuracy{' '}
          <strong data-testid="batch-robust" data-value={outcome.robustAccuracy}>
            {percent(outcome.robustAccuracy)}
          </strong>
          <span className="small muted">
            {' '}
            ({attackInfo?.label}
            {attackInfo?.kind === 'bounded'
              ? `, ε = ${epsText(outcome.attack.eps, epsIn255(info.shape[2], outcome.attack.norm))}`
              : ', unbounded'}
            )
          </span>
        </span>
        <span className="small muted" data-testid="batch-n">
          {outcome.n} images in {outcome.seconds.toFixed(1)} s ({(outcome.n / Math.max(outcome.seconds, 1e-3)).toFixed(1)} images/s)
        </span>
      </div>
      <CurveChart outcome={outcome} />
      {outcome.examples.length > 0 && (
        <>
          <h3>Successful adversarial examples</h3>
          <div className="example-grid" data-testid="batch-examples">
            {outcome.examples.map((x) => (
              <figure key={x.index} data-testid="batch-example">
                <PixelCanvas pixels={x.pixels} shape={info.shape} size={64} label={`Test image ${x.index}, adversarial`} />
                <figcaption>
                  #{x.index}: {names[x.label]} → <strong>{names[x.predicted]}</strong>
                </figcaption>
              </figure>
            ))}
          </div>
        </>
      )}
      <div className="export-links">
        <DownloadLink text={csv} type="text/csv" filename={`${base}.csv`} testId="batch-csv">
          Download CSV
        </DownloadLink>
        <DownloadLink text={json} type="application/json" filename={`${base}.json`} testId="batch-json">
          Download JSON
        </DownloadLink>
      </div>
    </div>
  );
}

/** Robustness check over the first N test images with the studio's attack, plus an accuracy-vs-epsilon curve. */
export function BatchPanel() {
  const a = useLab((s) => s.experiment.attack);
  const dataset = useLab((s) => s.experiment.dataset);
  const loaded = useLab((s) => s.dataset);
  const model = useLab((s) => s.model);
  const catalog = useLab((s) => s.catalog);
  const job = useLab((s) => s.job);
  const outcome = useLab((s) => s.batch);
  const error = useLab((s) => s.batchError);
  const [typedN, setN] = useState<string | null>(null);
  const colour = DATASETS[dataset]?.shape[2] === 3;
  // one list per scale: fractions of 255 for colour images, plain numbers for MNIST-like ones
  const [epsTexts, setEpsTexts] = useState({ grey: '0, 0.05, 0.1, 0.2, 0.3', colour: '0, 2/255, 4/255, 8/255, 16/255' });
  const epsList = colour ? epsTexts.colour : epsTexts.grey;
  const setEpsList = (text: string) => setEpsTexts((t) => ({ ...t, [colour ? 'colour' : 'grey']: text }));
  const missing = loaded?.id === dataset && loaded.missing === true;
  const [extra, setExtra] = useState<string[]>([]);
  const total = loaded?.id === dataset ? loaded.n : (DATASETS[dataset]?.sizes.test ?? 1);
  // 100 by default, or all of a smaller (imported) test set
  const n = typedN ?? String(Math.min(100, total));
  const nValue = Number(n);
  const nOk = Number.isInteger(nValue) && nValue >= 1 && nValue <= total;
  const epsilons = parseEpsilons(epsList);
  const others = catalog?.models.filter((m) => m.dataset === dataset && m.id !== model?.id) ?? [];
  const ready = !!model && model.dataset === dataset && !job && a.name !== 'none' && nOk && epsilons !== null && !missing;
  const minimisation = a.name !== 'none' && ATTACKS[a.name].kind === 'minimisation';
  return (
    <section className="panel batch-panel" aria-labelledby="batch-title">
      <h2 id="batch-title">Robustness check (batch)</h2>
      {missing && (
        <div data-testid="batch-import-needed">
          <p>
            The robustness check runs over the {DATASETS[dataset]?.name} test images, which are not in this browser yet: import them first.
          </p>
          <DataImport id={dataset} compact />
        </div>
      )}
      <div className="studio-form">
        <div className="param">
          <label className="param-label" htmlFor="batch-n">
            First N test images (of {total.toLocaleString('en-US')})
          </label>
          <div className="param-inputs">
            <input
              id="batch-n"
              type="number"
              min={1}
              max={total}
              value={n}
              onChange={(e) => setN(e.target.value)}
              aria-invalid={nOk ? undefined : true}
              data-testid="batch-n-input"
            />
            <button type="button" className="secondary" onClick={() => setN(String(total))}>
              all
            </button>
          </div>
        </div>
        <div className="param">
          <label className="param-label" htmlFor="batch-eps">
            {minimisation
              ? 'L2 thresholds for the curve'
              : `Epsilons for the curve (${a.norm === 'l2' ? 'L2' : 'L∞'}; ε = ${epsText(a.eps, epsIn255(colour ? 3 : 1, a.norm))} is added)`}
          </label>
          <input
            id="batch-eps"
            type="text"
            value={epsList}
            onChange={(e) => setEpsList(e.target.value)}
            aria-invalid={epsilons ? undefined : true}
            data-testid="batch-eps-input"
            size={28}
          />
        </div>
        {others.length > 0 && (
          <fieldset className="param">
            <legend className="param-label">Also draw</legend>
            {others.map((m) => (
              <label key={m.id} className="small">
                <input
                  type="checkbox"
                  checked={extra.includes(m.id)}
                  onChange={(e) => setExtra(e.target.checked ? [...extra, m.id] : extra.filter((x) => x !== m.id))}
                  data-testid={`batch-extra-${m.id}`}
                />{' '}
                {m.id}
              </label>
            ))}
          </fieldset>
        )}
        <div className="studio-actions">
          <button
            type="button"
            className="primary"
            disabled={!ready}
            onClick={() => runBatch({ n: nValue, epsilons: epsilons ?? [], extraModels: extra })}
            data-testid="batch-run"
          >
            Run check
          </button>
        </div>
      </div>
      {error && (
        <p className="attack-error" role="alert" data-testid="batch-error">
          {error}
        </p>
      )}
      {outcome && !error && <BatchResult outcome={outcome} />}
    </section>
  );
}
