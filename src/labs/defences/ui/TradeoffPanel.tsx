import { useState } from 'react';
import { CartesianGrid, LabelList, Legend, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { ATTACKS } from '../../attacks/index';
import { jobOfKind, setupBusy, useLab } from '../../../ui/store';
import { JobRow } from '../../../ui/JobsTray';
import { percent } from '../../../ui/format';
import { ChartData } from '../../../ui/ChartData';
import type { TradeoffPoint } from '../training/tradeoff';
import { openModel, runTradeoff } from './actions';
import { useDefences } from './store';
import { DefenceExplain } from './explain';

const COLOURS: Record<string, string> = {
  standard: '#6a7385',
  'FGSM-RS': '#c07a12',
  'FGSM-RS + PGD': '#b3541e',
  'PGD-AT': '#c8372d',
  TRADES: '#7a4cc2',
  'Gaussian noise': '#1f8a4c',
  'DP-SGD': '#0f7f95',
};

/** Clean against robust accuracy of every model of the data set, one attack, the same test images. */
export function TradeoffPanel() {
  const e = useLab((s) => s.experiment);
  const catalog = useLab((s) => s.catalog);
  const busy = useLab(setupBusy);
  const job = useLab((s) => jobOfKind(s, 'tradeoff'));
  const out = useDefences((s) => s.tradeoff);
  const error = useDefences((s) => s.tradeoffError);
  const [n, setN] = useState(200);
  const models = catalog?.models.filter((m) => m.dataset === e.dataset && m.recipe !== 'user') ?? [];
  const attackLabel = e.attack.name === 'none' ? null : (ATTACKS[e.attack.name]?.label ?? e.attack.name);
  const methods = out ? [...new Set(out.points.map((p) => p.method))] : [];
  const catalogById = new Map(models.map((m) => [m.id, m]));
  return (
    <section className="panel tradeoff-panel" aria-labelledby="tradeoff-title" data-testid="tradeoff-panel">
      <h2 id="tradeoff-title">Clean vs robust accuracy</h2>
      <DefenceExplain panel="tradeoff" />
      <p className="small muted">
        Every {e.dataset} model ({models.length}: the zoo's and yours) under the studio's attack
        {attackLabel ? ` (${attackLabel}, ε ${e.attack.eps})` : ' (choose one in the studio)'} on the same first {n} test images. Click a
        point to open that model in the studio.
      </p>
      <div className="studio-actions">
        <label className="small">
          test images{' '}
          <input
            type="number"
            min={10}
            max={10000}
            value={n}
            onChange={(ev) => setN(Math.max(10, Math.min(10000, Math.round(Number(ev.target.value)) || 10)))}
            data-testid="tradeoff-n"
          />
        </label>
        <button
          type="button"
          className="primary"
          disabled={!!job || busy || !attackLabel || models.length === 0}
          onClick={() => runTradeoff(n)}
          data-testid="tradeoff-run"
        >
          Measure
        </button>
      </div>
      {job && <JobRow job={job} prefix="tradeoff-" />}
      {error && (
        <p className="attack-error" role="alert" data-testid="tradeoff-error">
          {error}
        </p>
      )}
      {out && (
        <figure data-testid="tradeoff-chart" data-points={out.points.length}>
          <ResponsiveContainer width="100%" height={280}>
            <ScatterChart margin={{ top: 16, right: 110, bottom: 10, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ec" />
              <XAxis
                type="number"
                dataKey="clean"
                name="clean accuracy"
                domain={[0, 1]}
                tick={{ fontSize: 11 }}
                label={{ value: 'clean', position: 'insideBottomRight', fontSize: 11 }}
              />
              <YAxis type="number" dataKey="robust" name="robust accuracy" domain={[0, 1]} tick={{ fontSize: 11 }} width={36} />
              <Tooltip formatter={(v) => (typeof v === 'number' ? percent(v, 1) : String(v))} labelFormatter={() => ''} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              {methods.map((method) => (
                <Scatter
                  key={method}
                  name={method}
                  data={out.points.filter((p) => p.method === method)}
                  isAnimationActive={false}
                  fill={COLOURS[method] ?? '#2f6fde'}
                  cursor="pointer"
                  onClick={(p: unknown) => {
                    const card = catalogById.get((p as { payload?: TradeoffPoint }).payload?.model ?? (p as TradeoffPoint).model);
                    if (card) openModel(card);
                  }}
                >
                  <LabelList dataKey="model" position="top" style={{ fontSize: 10 }} />
                </Scatter>
              ))}
            </ScatterChart>
          </ResponsiveContainer>
          <figcaption className="small muted">
            {out.status === 'cancelled' ? 'Cancelled: the points measured so far. ' : ''}
            {out.n} test images from {out.start}, {out.seconds.toFixed(1)} s.
            {out.failed.map((f) => ` ${f.model}: ${f.error}.`)}
          </figcaption>
          <ul className="tradeoff-list small" data-testid="tradeoff-list">
            {out.points.map((p) => (
              <li key={p.model}>
                <button
                  type="button"
                  className="link"
                  onClick={() => catalogById.get(p.model) && openModel(catalogById.get(p.model)!)}
                  data-testid={`tradeoff-open-${p.model}`}
                >
                  {p.model}
                </button>{' '}
                ({p.method}): clean {percent(p.clean, 1)}, robust {percent(p.robust, 1)}
              </li>
            ))}
          </ul>
          <ChartData
            caption={`Clean and robust accuracy of each model on ${out.n} test images`}
            rows={out.points}
            testId="tradeoff-data"
            columns={[
              { label: 'model', value: (p) => p.model },
              { label: 'training', value: (p) => p.method },
              { label: 'clean accuracy', value: (p) => percent(p.clean, 1) },
              { label: 'robust accuracy', value: (p) => percent(p.robust, 1) },
            ]}
          />
        </figure>
      )}
    </section>
  );
}
