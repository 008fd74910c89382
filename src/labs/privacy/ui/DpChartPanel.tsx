/**
 * Accuracy against epsilon over every DP model known (the zoo's, from their cards, and the user's own),
 * under the accountant the DP settings choose, with the non-private model of the data set as the
 * reference line; the same numbers as a table (for screen readers and for copying). Read from the
 * catalog's cards only (../dp-chart.ts): nothing runs.
 */
import { useMemo } from 'react';
import {
  CartesianGrid,
  LabelList,
  Legend,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { DATASETS } from '../../../core/data/datasets';
import type { Field } from '../../../core/experiment/fields';
import { FieldInput } from '../../../ui/FieldInput';
import { percent } from '../../../ui/format';
import { useLab } from '../../../ui/store';
import { dpChartData } from '../dp-chart';
import { DP_FIELDS } from '../experiment/dp';
import { fmtEps } from './DpTrainPanel';

const accountantField = DP_FIELDS.find((f) => f.path === 'dp.accountant')! as Field<unknown>;

export function DpChartPanel() {
  const dataset = useLab((s) => s.experiment.dataset);
  const accountant = useLab((s) => s.experiment.dp.accountant);
  const models = useLab((s) => s.catalog?.models);
  const chart = useMemo(() => dpChartData(models ?? [], dataset, accountant), [models, dataset, accountant]);
  const { rows, baseline, missing } = chart;
  const eps = rows.map((r) => r.epsilon).filter((e) => e > 0);
  const lo = eps.length ? Math.pow(10, Math.floor(Math.log10(Math.min(...eps)))) : 0.1;
  // room right of the largest epsilon for its point's label
  const hi = eps.length ? Math.pow(10, Math.ceil(Math.log10(Math.max(...eps) * 3))) : 10;
  const ticks: number[] = [];
  for (let t = lo; t <= hi * 1.0001; t *= 10) ticks.push(Number(t.toPrecision(1)));
  const yLo = Math.max(0, Math.floor(Math.min(...rows.map((r) => r.accuracy), baseline?.accuracy ?? 1) * 10) / 10 - 0.1);
  const yTicks = Array.from({ length: Math.round((1 - yLo) * 10) + 1 }, (_, i) => Number((yLo + i / 10).toFixed(1)));
  return (
    <section className="panel pv-dpchart-panel" aria-labelledby="pv-dpchart-title" data-testid="pv-dpchart">
      <h2 id="pv-dpchart-title">Accuracy against the privacy budget</h2>
      <p className="small muted">
        Every DP-SGD model of {DATASETS[dataset]?.name ?? dataset} known here, the zoo&apos;s and yours: its test accuracy against the ε its
        card gives (at the card&apos;s δ) under the chosen accountant. Less ε, more privacy; the line is the model trained without privacy.
      </p>
      <div className="studio-form">
        <FieldInput field={accountantField} testPrefix="pv-dpchart-" />
      </div>
      {rows.length === 0 ? (
        <p className="small muted" data-testid="pv-dpchart-none">
          No DP model of {DATASETS[dataset]?.name ?? dataset} yet: train one above.
        </p>
      ) : (
        <figure className="fl-chart" data-testid="pv-dpchart-chart" data-models={rows.length}>
          <ResponsiveContainer width="100%" height={280}>
            <ScatterChart margin={{ top: 16, right: 48, bottom: 16, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ec" />
              <XAxis
                type="number"
                dataKey="epsilon"
                name="ε"
                scale="log"
                domain={[lo, hi]}
                ticks={ticks}
                allowDataOverflow
                tick={{ fontSize: 11 }}
                label={{ value: `ε (${accountant}), log scale`, position: 'insideBottom', offset: -10, fontSize: 11 }}
              />
              <YAxis
                type="number"
                dataKey="accuracy"
                name="test accuracy"
                domain={[yLo, 1]}
                ticks={yTicks}
                tick={{ fontSize: 11 }}
                width={40}
                tickFormatter={(v: number) => `${Math.round(v * 100)}%`}
              />
              <Tooltip
                formatter={(v, name) => (typeof v === 'number' ? (name === 'ε' ? fmtEps(v) : percent(v, 2)) : String(v))}
                labelFormatter={() => ''}
              />
              <Legend verticalAlign="bottom" wrapperStyle={{ fontSize: 12, paddingTop: 14 }} />
              {baseline && (
                <ReferenceLine
                  y={baseline.accuracy}
                  stroke="#555"
                  strokeDasharray="5 4"
                  label={{ value: `${baseline.id} (no DP) ${percent(baseline.accuracy, 1)}`, fontSize: 10, position: 'insideTopLeft' }}
                />
              )}
              {[false, true].map((mine) => (
                <Scatter
                  key={String(mine)}
                  name={mine ? 'your DP models' : 'zoo DP models'}
                  data={rows.filter((r) => r.mine === mine)}
                  fill={mine ? '#c8372d' : '#2f6fde'}
                  isAnimationActive={false}
                >
                  <LabelList dataKey="id" position="right" style={{ fontSize: 10 }} />
                </Scatter>
              ))}
            </ScatterChart>
          </ResponsiveContainer>
        </figure>
      )}
      <div className="table-scroll">
        <table className="small pv-dp-table" data-testid="pv-dpchart-table">
          <caption className="small muted">The numbers behind the chart, from the models&apos; cards</caption>
          <thead>
            <tr>
              <th align="left">model</th>
              <th>ε ({accountant})</th>
              <th>δ</th>
              <th>test accuracy</th>
              <th>σ</th>
              <th>C</th>
              <th>q</th>
              <th>steps</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-testid={`pv-dpchart-row-${r.id}`} data-epsilon={r.epsilon}>
                <td>
                  {r.id}
                  {r.mine ? ' (yours)' : ''}
                </td>
                <td align="right">{fmtEps(r.epsilon)}</td>
                <td align="right">{r.delta}</td>
                <td align="right">
                  {percent(r.accuracy, 2)} <span className="muted">({r.n.toLocaleString('en-US')})</span>
                </td>
                <td align="right">{Number(r.noiseMultiplier.toPrecision(4))}</td>
                <td align="right">{r.clip}</td>
                <td align="right">{Number(r.sampleRate.toPrecision(4))}</td>
                <td align="right">{r.steps}</td>
              </tr>
            ))}
            {baseline && (
              <tr data-testid="pv-dpchart-baseline">
                <td>{baseline.id} (no DP)</td>
                <td align="right">∞</td>
                <td align="right">–</td>
                <td align="right">
                  {percent(baseline.accuracy, 2)} <span className="muted">({baseline.n.toLocaleString('en-US')})</span>
                </td>
                <td colSpan={4} />
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {missing.length > 0 && (
        <p className="small muted">
          Without an ε under {accountant} on their card: {missing.join(', ')}.
        </p>
      )}
    </section>
  );
}
