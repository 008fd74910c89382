import { useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartData } from '../../../ui/ChartData';
import { ATTACKS } from '../algorithms/registry';
import { DATASETS } from '../../../core/data/datasets';
import { effectiveNorm, fieldOf, fieldText, parseFieldValue } from '../../experiment';
import type { BatchOutcome } from '../../../worker/protocol';
import { CancelButton } from '../../../ui/CancelButton';
import { runBatch } from './actions';
import { GoToImport } from '../../../ui/DataImport';
import { batchCsv, batchJson } from './export';
import { epsIn255, epsText, percent } from '../../../ui/format';
import { DownloadLink } from '../../../ui/DownloadLink';
import { PixelCanvas } from '../../../ui/PixelCanvas';
import { JobRow } from '../../../ui/JobsTray';
import { batchBusy, jobOfKind, patchBatch, useLab } from '../../../ui/store';

const COLOURS = ['#2f6fde', '#c8372d', '#1f8a4c', '#b8860b', '#7a4cc2'];
/** Each model's line also differs by its dashes, not by colour alone. */
const DASHES = [undefined, '6 3', '2 3', '8 3 2 3', '1 2'];

function CurveChart({ outcome }: { outcome: BatchOutcome }) {
  const data = outcome.epsilons.map((eps, k) => {
    const row: Record<string, number> = { eps };
    for (const c of outcome.curves) row[c.model] = c.robustAccuracy[k] ?? 0;
    return row;
  });
  const norm = effectiveNorm(outcome.attack) === 'l2' ? 'L2' : 'L∞';
  const in255 = norm === 'L∞' && epsIn255(DATASETS[outcome.dataset]?.shape[2] ?? 1, 'linf');
  return (
    <figure
      className="batch-curve"
      data-testid="batch-curve"
      data-points={data.length}
      data-series={outcome.curves.length}
      aria-labelledby="batch-curve-title"
    >
      <h3 id="batch-curve-title" className="chart-title">
        Robust accuracy against ε
      </h3>
      <ResponsiveContainer width="100%" height={280}>
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 18, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ec" />
          <XAxis
            dataKey="eps"
            type="number"
            domain={[0, 'dataMax']}
            // ticks at the epsilons measured, not at round numbers between them
            ticks={outcome.epsilons}
            interval={0}
            tick={{ fontSize: 11 }}
            tickFormatter={(v: number) => (in255 ? String(Number((v * 255).toFixed(1))) : String(v))}
            label={{ value: in255 ? `ε (${norm}, in /255)` : `ε (${norm})`, position: 'insideBottom', offset: -8, fontSize: 12 }}
          />
          <YAxis
            domain={[0, 1]}
            tick={{ fontSize: 11 }}
            width={52}
            tickFormatter={(v: number) => `${Math.round(v * 100)}%`}
            label={{ value: 'robust accuracy', angle: -90, position: 'insideLeft', offset: 10, fontSize: 12 }}
          />
          <Tooltip
            formatter={(v) => (typeof v === 'number' ? percent(v) : String(v))}
            labelFormatter={(e) => `ε = ${epsText(Number(e), in255)}`}
          />
          <Legend verticalAlign="top" wrapperStyle={{ fontSize: 12 }} />
          {outcome.curves.map((c, i) => (
            <Line
              key={c.model}
              dataKey={c.model}
              name={c.model}
              stroke={COLOURS[i % COLOURS.length]}
              strokeDasharray={DASHES[i % DASHES.length]}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
      <figcaption className="small muted">
        Robust accuracy against ε over {outcome.n} test images ({outcome.start}..{outcome.start + outcome.n - 1}), one line per model.
      </figcaption>
      <ChartData
        caption="Robust accuracy per ε and model"
        testId="batch-curve-data"
        rows={data}
        columns={[
          { label: in255 ? `ε (${norm}, /255)` : `ε (${norm})`, value: (r) => epsText(r.eps, in255) },
          ...outcome.curves.map((c) => ({ label: c.model, value: (r: Record<string, number>) => percent(r[c.model]) })),
        ]}
      />
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
  const base = `${outcome.model}-${outcome.attack.name}${outcome.start > 0 ? `-from${outcome.start}` : ''}-n${outcome.n}-seed${outcome.attack.seed}`;
  return (
    <div data-testid="batch-result" data-status={outcome.status}>
      {outcome.status === 'cancelled' && <p className="muted">Cancelled; the figures cover the {outcome.n} images finished before.</p>}
      {outcome.defence && (
        <p
          className="small muted"
          data-testid="batch-defence"
          data-spec={outcome.defence.transforms}
          data-adaptive={outcome.defence.adaptive}
        >
          Every model ran behind the defence <code>{outcome.defence.transforms}</code>, attacked{' '}
          {outcome.defence.adaptive === 'none'
            ? 'naively'
            : outcome.defence.adaptive === 'bpda'
              ? 'with BPDA'
              : `with EOT over ${outcome.defence.eotSamples} draws`}
          .
        </p>
      )}
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
      {outcome.stages && (
        <p className="small" data-testid="batch-stages">
          Stages: {outcome.stages.map((st) => `${st.stage} fooled ${st.fooled} of ${st.attacked} (${st.seconds.toFixed(1)} s)`).join(' → ')}
        </p>
      )}
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

/**
 * A text box bound to one batch field of the experiment (so to the link): what the user types is
 * parsed by the experiment's field table; a value it refuses stays in the box, marked invalid.
 */
function useBatchField(path: 'batch.start' | 'batch.n' | 'batch.epsilons') {
  const e = useLab((s) => s.experiment);
  // colour images under L-inf: the curve's epsilons are shown in /255 (2/255 rather than 0.00784...)
  const in255 = path === 'batch.epsilons' && effectiveNorm(e.attack) === 'linf' && epsIn255(DATASETS[e.dataset]?.shape[2] ?? 1, 'linf');
  const text = in255 ? e.batch.epsilons.map((v) => (v === 0 ? '0' : epsText(v, true))).join(', ') : fieldText(e, path);
  // what the text was checked against: when the norm or the data set changes, the box shows the experiment's value again
  const ctx = `${effectiveNorm(e.attack)}|${e.dataset}`;
  const [draft, setDraft] = useState<{ base: string; ctx: string; text: string; error: string | null } | null>(null);
  const shown = draft && draft.base === text && draft.ctx === ctx ? draft : { text, error: null };
  const change = (raw: string) => {
    const r = parseFieldValue(fieldOf(path), raw, e);
    if ('error' in r) {
      setDraft({ base: text, ctx, text: raw, error: r.error });
    } else {
      const key = path.slice('batch.'.length) as 'start' | 'n' | 'epsilons';
      const next = { ...e.batch, [key]: r.value };
      setDraft({ base: fieldText({ ...e, batch: next }, path), ctx, text: raw, error: null });
      patchBatch({ [key]: r.value });
    }
  };
  return { text: shown.text, error: shown.error, change, blur: () => setDraft(null) };
}

/** Robustness check over a range of test images with the studio's attack, plus an accuracy-vs-epsilon curve. */
export function BatchPanel() {
  const a = useLab((s) => s.experiment.attack);
  const b = useLab((s) => s.experiment.batch);
  const dataset = useLab((s) => s.experiment.dataset);
  const loaded = useLab((s) => s.dataset);
  const model = useLab((s) => s.model);
  const catalog = useLab((s) => s.catalog);
  // the check's own job; a studio attack may run meanwhile
  const job = useLab((s) => jobOfKind(s, 'batch'));
  const busy = useLab(batchBusy);
  const outcome = useLab((s) => s.batch);
  const error = useLab((s) => s.batchError);
  const nField = useBatchField('batch.n');
  const startField = useBatchField('batch.start');
  const epsField = useBatchField('batch.epsilons');
  const colour = DATASETS[dataset]?.shape[2] === 3;
  const missing = loaded?.id === dataset && loaded.missing === true;
  const total = loaded?.id === dataset ? loaded.n : (DATASETS[dataset]?.sizes.test ?? 1);
  const rangeOk = b.start + b.n <= total;
  const others = catalog?.models.filter((m) => m.dataset === dataset && m.id !== model?.id) ?? [];
  const ready =
    !!model &&
    model.dataset === dataset &&
    !busy &&
    a.name !== 'none' &&
    rangeOk &&
    !missing &&
    !nField.error &&
    !startField.error &&
    !epsField.error;
  const minimisation = a.name !== 'none' && ATTACKS[a.name].kind === 'minimisation';
  const norm = effectiveNorm(a);
  return (
    <section className="panel batch-panel" aria-labelledby="batch-title">
      <h2 id="batch-title">Robustness check (batch)</h2>
      {missing && (
        <div data-testid="batch-import-needed">
          <p>
            The robustness check runs over the {DATASETS[dataset]?.name} test images, which are not in this browser yet: import them in
            Setup first.
          </p>
          <GoToImport />
        </div>
      )}
      <div className="studio-form">
        <div className="param">
          <label className="param-label" htmlFor="batch-n">
            N test images (of {total.toLocaleString('en-US')})
          </label>
          <div className="param-inputs">
            <input
              id="batch-n"
              type="number"
              min={1}
              max={total}
              value={nField.text}
              onChange={(e) => nField.change(e.target.value)}
              onBlur={nField.blur}
              aria-invalid={nField.error || !rangeOk ? true : undefined}
              title={
                nField.error ?? (rangeOk ? undefined : `images ${b.start}..${b.start + b.n - 1} go past the last test image ${total - 1}`)
              }
              data-testid="batch-n-input"
            />
            <button type="button" className="secondary" onClick={() => patchBatch({ start: 0, n: total })} data-testid="batch-all">
              all
            </button>
          </div>
        </div>
        <div className="param">
          <label className="param-label" htmlFor="batch-start">
            starting at test image
          </label>
          <input
            id="batch-start"
            type="number"
            min={0}
            max={total - 1}
            value={startField.text}
            onChange={(e) => startField.change(e.target.value)}
            onBlur={startField.blur}
            aria-invalid={startField.error || !rangeOk ? true : undefined}
            title={startField.error ?? undefined}
            data-testid="batch-start-input"
          />
        </div>
        <div className="param">
          <label className="param-label" htmlFor="batch-eps">
            {minimisation
              ? 'L2 thresholds for the curve'
              : `Epsilons for the curve (${norm === 'l2' ? 'L2' : 'L∞'}; ε = ${epsText(a.eps, epsIn255(colour ? 3 : 1, norm))} is added)`}
          </label>
          <input
            id="batch-eps"
            type="text"
            value={epsField.text}
            onChange={(e) => epsField.change(e.target.value)}
            onBlur={epsField.blur}
            aria-invalid={epsField.error ? true : undefined}
            title={epsField.error ?? undefined}
            data-testid="batch-eps-input"
            size={28}
          />
          {epsField.error && (
            <span className="small attack-error" data-testid="batch-eps-error">
              {epsField.error}
            </span>
          )}
        </div>
        {others.length > 0 && (
          <fieldset className="param">
            <legend className="param-label">Also draw</legend>
            {others.map((m) => (
              <label key={m.id} className="small">
                <input
                  type="checkbox"
                  checked={b.models.includes(m.id)}
                  onChange={(e) => patchBatch({ models: e.target.checked ? [...b.models, m.id] : b.models.filter((x) => x !== m.id) })}
                  data-testid={`batch-extra-${m.id}`}
                />{' '}
                {m.id}
              </label>
            ))}
          </fieldset>
        )}
        <div className="studio-actions">
          <button type="button" className="primary" disabled={!ready} onClick={runBatch} data-testid="batch-run">
            Run check
          </button>
          <CancelButton job={job} testId="batch-cancel" />
        </div>
      </div>
      {job && <JobRow job={job} prefix="batch-" cancel={false} />}
      {error && (
        <p className="attack-error" role="alert" data-testid="batch-error">
          {error}
        </p>
      )}
      {outcome && !error && <BatchResult outcome={outcome} />}
    </section>
  );
}
