import { useMemo, useRef } from 'react';
import { PngButton } from '../../../ui/PngButton';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { TracePoint } from '../../../worker/protocol';

interface Props {
  trace: TracePoint[];
  classNames: readonly string[];
  running: boolean;
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
export function TraceChart({ trace, classNames, running }: Props) {
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
  return (
    <figure ref={figure} className="trace-chart" data-testid="trace-chart" data-points={trace.length} data-running={running}>
      <LineChart width={760} height={240} data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ec" />
        <XAxis dataKey="i" type="number" domain={[0, 'dataMax']} allowDecimals={false} tick={{ fontSize: 11 }} />
        <YAxis yAxisId="p" domain={[0, 1]} tick={{ fontSize: 11 }} width={36} />
        <YAxis yAxisId="loss" orientation="right" tick={{ fontSize: 11 }} width={44} />
        <Tooltip
          formatter={(v, name) => [typeof v === 'number' ? v.toFixed(4) : String(v), String(name)]}
          labelFormatter={(i) => `iterate ${String(i)}`}
        />
        <Legend verticalAlign="top" wrapperStyle={{ fontSize: 12 }} />
        <Line yAxisId="loss" dataKey="loss" name="loss" stroke="#7a4cc2" dot={false} isAnimationActive={false} />
        <Line yAxisId="p" dataKey="trueProb" name="p(true class)" stroke="#1f8a4c" dot={false} isAnimationActive={false} />
        <Line yAxisId="p" dataKey="otherProb" name="p(best other class)" stroke="#c8372d" dot={false} isAnimationActive={false} />
      </LineChart>
      <figcaption className="small muted">
        {trace.length} iterate{trace.length === 1 ? '' : 's'}
        {running ? ' so far' : ''}
        {data.length < trace.length ? ` (1 in ${Math.ceil(trace.length / data.length)} drawn)` : ''}
        {last
          ? ` · best other class now: ${classNames[last.topOtherClass] ?? last.topOtherClass}, margin ${last.margin.toFixed(3)}`
          : ''}{' '}
        {!running && trace.length > 0 && <PngButton container={figure} filename="attack-trace.png" what="chart" testId="trace-png" />}
      </figcaption>
    </figure>
  );
}
