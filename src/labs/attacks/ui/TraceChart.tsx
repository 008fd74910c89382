/**
 * The studio's live chart of one attack: loss, the probability of the true class (of the clean
 * prediction for a picture with no label) and of the best other class, per iterate. Width follows its
 * panel (ResponsiveContainer); axes have titles; the numbers behind it are in a table below it.
 */
import { useMemo, useRef } from 'react';
import { PngButton } from '../../../ui/PngButton';
import { ChartData, cell } from '../../../ui/ChartData';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { TracePoint } from '../../../worker/protocol';

interface Props {
  trace: TracePoint[];
  classNames: readonly string[];
  running: boolean;
  /** The model attacked (the chart shows the first model's run when two are compared). */
  model: string | null;
  /** The attacked image is the user's picture: no true label, the clean prediction stands for it. */
  custom: boolean;
}

/** At most this many points are drawn: C&W's 9,000 iterates would take the chart seconds per update. */
export const MAX_CHART_POINTS = 400;

/** Indices of the points to draw: every k-th, the first and the last always included. */
export function decimate(n: number, max = MAX_CHART_POINTS): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const stride = Math.ceil(n / (max - 1));
  const out: number[] = [];
  for (let i = 0; i < n - 1; i += stride) out.push(i);
  out.push(n - 1);
  return out;
}

/** Loss, true-class probability and the best other class over the iterations of one attack (streamed while it runs). */
export function TraceChart({ trace, classNames, running, model, custom }: Props) {
  const figure = useRef<HTMLElement>(null);
  const data = useMemo(
    () =>
      decimate(trace.length).map((i) => {
        const p = trace[i];
        return {
          i,
          step: p.step,
          loss: Number.isFinite(p.loss) ? p.loss : null,
          trueProb: p.trueProb,
          otherProb: p.topOtherProb,
          other: p.topOtherClass,
        };
      }),
    [trace],
  );
  const last = trace[trace.length - 1];
  const pTrue = custom ? 'p(clean prediction)' : 'p(true class)';
  return (
    <figure
      ref={figure}
      className="trace-chart"
      data-testid="trace-chart"
      data-points={trace.length}
      data-running={running}
      aria-labelledby="trace-chart-title"
    >
      <h3 id="trace-chart-title" className="chart-title">
        The attack, iterate by iterate{model ? ` (against ${model})` : ''}
      </h3>
      <ResponsiveContainer width="100%" height={260}>
        <LineChart data={data} margin={{ top: 8, right: 8, bottom: 18, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ec" />
          <XAxis
            dataKey="i"
            type="number"
            domain={[0, 'dataMax']}
            allowDecimals={false}
            tick={{ fontSize: 11 }}
            label={{ value: 'iterate', position: 'insideBottom', offset: -10, fontSize: 12 }}
          />
          <YAxis
            yAxisId="p"
            domain={[0, 1]}
            tick={{ fontSize: 11 }}
            width={48}
            label={{ value: 'probability', angle: -90, position: 'insideLeft', offset: 10, fontSize: 12 }}
          />
          <YAxis
            yAxisId="loss"
            orientation="right"
            tick={{ fontSize: 11 }}
            width={52}
            label={{ value: 'loss', angle: 90, position: 'insideRight', offset: 10, fontSize: 12 }}
          />
          <Tooltip
            formatter={(v, name) => [typeof v === 'number' ? v.toFixed(4) : String(v), String(name)]}
            labelFormatter={(i) => `iterate ${String(i)}`}
          />
          <Legend verticalAlign="top" wrapperStyle={{ fontSize: 12 }} />
          <Line yAxisId="loss" dataKey="loss" name="loss" stroke="#7a4cc2" dot={false} isAnimationActive={false} />
          <Line yAxisId="p" dataKey="trueProb" name={pTrue} stroke="#1f8a4c" dot={false} isAnimationActive={false} />
          <Line
            yAxisId="p"
            dataKey="otherProb"
            name="p(best other class)"
            stroke="#c8372d"
            strokeDasharray="6 3"
            dot={false}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
      <figcaption className="small muted">
        {trace.length} point{trace.length === 1 ? '' : 's'} (iterate 0 is the start)
        {running ? ' so far' : ''}
        {data.length < trace.length ? ` (1 in ${Math.ceil(trace.length / data.length)} drawn)` : ''}
        {last
          ? ` · best other class now: ${classNames[last.topOtherClass] ?? last.topOtherClass}, margin ${last.margin.toFixed(3)}`
          : ''}{' '}
        {!running && trace.length > 0 && <PngButton container={figure} filename="attack-trace.png" what="chart" testId="trace-png" />}
      </figcaption>
      {!running && (
        <ChartData
          caption={`Loss, ${pTrue} and p(best other class) per iterate`}
          testId="trace-data"
          rows={data}
          columns={[
            { label: 'iterate', value: (r) => r.i },
            { label: 'loss', value: (r) => cell(r.loss) },
            { label: pTrue, value: (r) => cell(r.trueProb) },
            { label: 'p(best other class)', value: (r) => cell(r.otherProb) },
            { label: 'best other class', value: (r) => classNames[r.other] ?? r.other },
          ]}
        />
      )}
    </figure>
  );
}
