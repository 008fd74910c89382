/**
 * The federated simulation's charts: main accuracy and attack success per round for every run (one
 * colour per aggregator, ASR dashed), each client's label histogram, and for one round the per-client
 * update norms, the cosine-similarity heat map of the updates and the aggregator's weights or
 * selection. Malicious clients are drawn in red (bars) or marked with a red tick (heat map). Each chart
 * carries its numbers in the shared ChartData table ("Numbers behind the chart").
 */
import { SPAM_ASSASSIN } from '../../../core/data/text';
import type { SimulationSettings } from '../fl-settings';
import { useEffect, useRef } from 'react';
import { Bar, BarChart, CartesianGrid, Cell, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { DIVERGING_MAPS, diverging, divergingGradient } from '../../../ui/colormap';
import { useSettings } from '../../../ui/settings';
import { percent } from '../../../ui/format';
import { ChartData, type ChartColumn } from '../../../ui/ChartData';
import { AGGREGATORS } from '../aggregators/index';
import type { RoundReport, SplitReport } from '../simulation';
import type { FlRun } from './fl-actions';

/** One colour per aggregator (the same in every chart and the summary). */
export const AGGREGATOR_COLOURS: Readonly<Record<string, string>> = {
  fedavg: '#c8372d',
  krum: '#7a4cc2',
  multikrum: '#2f6fde',
  median: '#1f8a4c',
  'trimmed-mean': '#c07a12',
  'norm-clip': '#0f8f96',
  foolsgold: '#b0338a',
  bulyan: '#5b6b1f',
  fltrust: '#555d6e',
};
export const colourOf = (agg: string): string => AGGREGATOR_COLOURS[agg] ?? '#333';
export const labelOf = (agg: string): string => AGGREGATORS[agg]?.label ?? agg;

/** A run's secure-aggregation / DP settings, when the image simulation ran with them. */
const privacyOf = (r: FlRun) => {
  const s = r.settings as SimulationSettings;
  return { secagg: r.text ? undefined : s.secagg, dp: r.text ? undefined : s.dp };
};

/** A run's name on the charts: its rule, with secure aggregation and DP-FedAvg when on. */
export function runLabel(r: FlRun): string {
  const { secagg, dp } = privacyOf(r);
  return (
    labelOf(r.aggregator) +
    (secagg ? ` + secure agg.${secagg.dropouts > 0 ? ` (${secagg.dropouts} drop)` : ''}` : '') +
    (dp ? ` + DP z=${dp.noise}` : '')
  );
}

/** A run's colour: its rule's, or violet / teal-blue shades for secure aggregation / DP-FedAvg runs. */
export function runColour(r: FlRun): string {
  const { secagg, dp } = privacyOf(r);
  if (secagg) return dp ? '#3d2a8c' : '#8e44ad';
  if (dp) return '#146b8c';
  return colourOf(r.aggregator);
}

const HONEST = '#2f6fde';
const MALICIOUS = '#c8372d';
const CLASS_COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** A rate for a table cell: a dash for a round a run has not reached. */
const pct = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : percent(v, 1));

/** Main accuracy and ASR per round of every run on one chart. */
export function AccuracyChart({ runs }: { runs: readonly FlRun[] }) {
  const rounds = Math.max(0, ...runs.map((r) => r.settings.rounds));
  const data = Array.from({ length: rounds }, (_, k) => {
    const row: Record<string, number | null> = { round: k + 1 };
    runs.forEach((r, i) => {
      const rep = r.rounds[k];
      row[`${i}:acc`] = rep ? rep.cleanAccuracy : null;
      row[`${i}:asr`] = rep ? rep.attackSuccessRate : null;
    });
    return row;
  });
  const attacked = runs.some((r) => r.settings.attack.kind !== 'none');
  // the table's column names: a run's label, numbered where two runs share one
  const labels = runs.map(runLabel);
  const names = labels.map((l, i) => (labels.indexOf(l) !== labels.lastIndexOf(l) ? `${l} (run ${i + 1})` : l));
  const points = runs.reduce((n, r) => n + r.rounds.length, 0);
  return (
    <figure className="fl-chart" data-testid="fl-accuracy-chart" data-points={points} data-runs={runs.length}>
      <figcaption className="small muted">
        Main accuracy (solid){attacked ? ' and attack success rate (dashed)' : ''} of the global model after each round,{' '}
        {runs[0]?.text
          ? `on the ${SPAM_ASSASSIN.sizes.test.toLocaleString('en-US')} held-out mails (ASR: triggered held-out spam classified ham)`
          : `on the first ${(runs[0]?.settings as SimulationSettings | undefined)?.testImages?.toLocaleString('en-US') ?? 'all'} test images`}
      </figcaption>
      <ResponsiveContainer width="100%" height={240}>
        <LineChart data={data} margin={{ top: 6, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ec" />
          <XAxis dataKey="round" type="number" domain={[1, Math.max(1, rounds)]} allowDecimals={false} tick={{ fontSize: 11 }} />
          <YAxis domain={[0, 1]} tick={{ fontSize: 11 }} width={40} tickFormatter={(v: number) => `${Math.round(v * 100)}%`} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? percent(v, 1) : String(v))} labelFormatter={(s) => `round ${String(s)}`} />
          <Legend verticalAlign="top" wrapperStyle={{ fontSize: 12 }} />
          {runs.flatMap((r, i) => {
            const lines = [
              <Line
                key={`${i}:acc`}
                dataKey={`${i}:acc`}
                name={`${runLabel(r)} accuracy`}
                stroke={runColour(r)}
                strokeWidth={2}
                dot={rounds <= 30}
                isAnimationActive={false}
              />,
            ];
            if (r.settings.attack.kind !== 'none')
              lines.push(
                <Line
                  key={`${i}:asr`}
                  dataKey={`${i}:asr`}
                  name={`${runLabel(r)} ASR`}
                  stroke={runColour(r)}
                  strokeDasharray="5 4"
                  dot={rounds <= 30}
                  isAnimationActive={false}
                />,
              );
            return lines;
          })}
        </LineChart>
      </ResponsiveContainer>
      <ChartData
        caption="Main accuracy and attack success rate of the global model per round, per run"
        rows={data}
        testId="fl-accuracy-data"
        columns={[
          { label: 'round', value: (row) => row.round },
          ...runs.flatMap((r, i) => {
            const cols: ChartColumn<Record<string, number | null>>[] = [
              { label: `${names[i]} accuracy`, value: (row) => pct(row[`${i}:acc`]) },
            ];
            if (r.settings.attack.kind !== 'none') cols.push({ label: `${names[i]} ASR`, value: (row) => pct(row[`${i}:asr`]) });
            return cols;
          }),
        ]}
      />
    </figure>
  );
}

/** A client id on a chart's axis: red and starred when malicious. */
function ClientTick(props: { x?: number; y?: number; payload?: { value: string | number }; malicious: ReadonlySet<number> }) {
  const { x = 0, y = 0, payload, malicious } = props;
  const id = Number(payload?.value);
  const bad = malicious.has(id);
  return (
    <text x={x} y={y + 11} textAnchor="middle" fontSize={10} fill={bad ? MALICIOUS : '#555'} fontWeight={bad ? 700 : 400}>
      {bad ? `${id}*` : id}
    </text>
  );
}

/** Each client's number of images per class, stacked; malicious clients starred in red. */
export function LabelHistograms({ split }: { split: SplitReport }) {
  const malicious = new Set(split.malicious);
  const data = split.histograms.map((h, id) => {
    const row: Record<string, number> = { client: id };
    h.forEach((n, c) => (row[`c${c}`] = n));
    return row;
  });
  const n = split.histograms.length;
  // two classes: the spam filter's mails
  const names = split.histograms[0]?.length === 2 ? ['ham', 'spam'] : null;
  return (
    <figure className="fl-chart" data-testid="fl-label-histograms" data-clients={n} data-malicious={split.malicious.length}>
      <figcaption className="small muted">
        Each client&apos;s training {names ? 'mails' : 'images'} by class (the split)
        {split.malicious.length > 0 ? '; malicious clients starred in red' : ''}
      </figcaption>
      <ResponsiveContainer width="100%" height={200}>
        <BarChart data={data} margin={{ top: 6, right: 12, bottom: 0, left: 0 }} barCategoryGap={n > 40 ? 0 : '10%'}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ec" vertical={false} />
          <XAxis
            dataKey="client"
            tick={(p: object) => <ClientTick {...p} malicious={malicious} />}
            interval={n > 30 ? Math.ceil(n / 30) - 1 : 0}
          />
          <YAxis tick={{ fontSize: 11 }} width={40} />
          <Tooltip labelFormatter={(c) => `client ${String(c)}${malicious.has(Number(c)) ? ' (malicious)' : ''}`} />
          <Legend wrapperStyle={{ fontSize: 11 }} />
          {CLASS_COLOURS.slice(0, split.histograms[0]?.length ?? CLASS_COLOURS.length).map((fill, c) => (
            <Bar key={c} dataKey={`c${c}`} name={names ? names[c] : `class ${c}`} stackId="h" fill={fill} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
      <ChartData
        caption={`Training ${names ? 'mails' : 'images'} of each client by class`}
        rows={data}
        testId="fl-label-data"
        columns={[
          { label: 'client', value: (row) => `${row.client}${malicious.has(row.client) ? ' (malicious)' : ''}` },
          ...(split.histograms[0] ?? []).map((_, c) => ({
            label: names ? names[c] : `class ${c}`,
            value: (row: Record<string, number>) => row[`c${c}`],
          })),
        ]}
      />
    </figure>
  );
}

/** One bar per client of the round, malicious ones red. */
function ClientBars({
  report,
  values,
  testId,
  caption,
  format,
  domain,
  column,
}: {
  report: RoundReport;
  values: readonly number[];
  testId: string;
  caption: string;
  format: (v: number) => string;
  domain?: [number, number];
  /** The table's heading of the values. */
  column: string;
}) {
  const malicious = new Set(report.clients.filter((_, i) => report.malicious[i]));
  const data = report.clients.map((id, i) => ({ client: id, value: values[i] }));
  return (
    <figure className="fl-chart" data-testid={testId} data-bars={data.length} data-round={report.round}>
      <figcaption className="small muted">{caption}</figcaption>
      <ResponsiveContainer width="100%" height={180}>
        <BarChart data={data} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ec" vertical={false} />
          <XAxis
            dataKey="client"
            tick={(p: object) => <ClientTick {...p} malicious={malicious} />}
            interval={data.length > 30 ? 'preserveEnd' : 0}
          />
          <YAxis tick={{ fontSize: 11 }} width={44} domain={domain ?? [0, 'auto']} tickFormatter={(v: number) => format(v)} />
          <Tooltip
            formatter={(v) => (typeof v === 'number' ? format(v) : String(v))}
            labelFormatter={(c) => `client ${String(c)}${malicious.has(Number(c)) ? ' (malicious)' : ''}`}
          />
          <Bar dataKey="value" isAnimationActive={false}>
            {data.map((d) => (
              <Cell key={d.client} fill={malicious.has(d.client) ? MALICIOUS : HONEST} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
      <ChartData
        caption={caption}
        rows={data}
        testId={`${testId}-data`}
        columns={[
          { label: 'client', value: (d) => `${d.client}${malicious.has(d.client) ? ' (malicious)' : ''}` },
          { label: column, value: (d) => format(d.value) },
        ]}
      />
    </figure>
  );
}

export function NormsChart({ report }: { report: RoundReport }) {
  return (
    <ClientBars
      report={report}
      values={report.updateNorms}
      testId="fl-norms-chart"
      column="update L2 norm"
      caption={`Round ${report.round}: L2 norm of each client's update as sent (aggregate ${report.aggregateNorm.toFixed(3)})`}
      format={(v) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3))}
    />
  );
}

/** The aggregator's weight per client; else its selection (1 kept, 0 dropped); else its score; else a note. */
export function WeightsChart({ report, aggregator }: { report: RoundReport; aggregator: string }) {
  const name = labelOf(aggregator);
  if (report.weights)
    return (
      <ClientBars
        report={report}
        values={report.weights}
        testId="fl-weights-chart"
        column="weight"
        caption={`Round ${report.round}: ${name}'s weight of each client's update${
          report.selected ? ` (it kept ${report.selected.length} of ${report.clients.length})` : ''
        }`}
        format={(v) => v.toFixed(2)}
      />
    );
  if (report.selected) {
    const kept = new Set(report.selected);
    return (
      <ClientBars
        report={report}
        values={report.clients.map((c) => (kept.has(c) ? 1 : 0))}
        testId="fl-weights-chart"
        column="kept (1) or dropped (0)"
        caption={`Round ${report.round}: the clients ${name} kept (1) or dropped (0): ${report.selected.length} of ${report.clients.length}`}
        format={(v) => v.toFixed(0)}
        domain={[0, 1]}
      />
    );
  }
  if (report.scores)
    return (
      <ClientBars
        report={report}
        values={report.scores}
        testId="fl-weights-chart"
        column="score"
        caption={`Round ${report.round}: ${name}'s score of each client`}
        format={(v) => v.toPrecision(3)}
      />
    );
  return (
    <figure className="fl-chart" data-testid="fl-weights-chart" data-bars={0} data-round={report.round}>
      <figcaption className="small muted">
        Round {report.round}: {name} combines every coordinate separately, so it gives no per-client weight or selection.
      </figcaption>
    </figure>
  );
}

const CELL_MAX = 48;
const HEAT_SIZE = 240;
const MARGIN = 8;

/** Cosine similarity of every pair of the round's updates on the chosen diverging map (-1 blue, 0 white, +1 red by default). */
export function CosineHeatmap({ report }: { report: RoundReport }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const map = useSettings((s) => s.colourMap);
  const n = report.clients.length;
  const cell = Math.max(2, Math.min(CELL_MAX, Math.floor(HEAT_SIZE / Math.max(1, n))));
  const side = MARGIN + n * cell;
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    ctx.clearRect(0, 0, side, side);
    for (let i = 0; i < n; i++) {
      if (report.malicious[i]) {
        ctx.fillStyle = MALICIOUS;
        ctx.fillRect(MARGIN + i * cell, 0, cell, MARGIN - 2);
        ctx.fillRect(0, MARGIN + i * cell, MARGIN - 2, cell);
      }
      for (let j = 0; j < n; j++) {
        const [r, g, b] = diverging(report.cosine[i][j], map);
        ctx.fillStyle = `rgb(${r},${g},${b})`;
        ctx.fillRect(MARGIN + j * cell, MARGIN + i * cell, cell, cell);
      }
    }
  }, [report, n, cell, side, map]);
  const offDiag = report.cosine.flatMap((row, i) => row.filter((_, j) => j !== i));
  const lo = offDiag.length ? Math.min(...offDiag) : 1;
  const hi = offDiag.length ? Math.max(...offDiag) : 1;
  return (
    <figure className="fl-chart fl-heatmap" data-testid="fl-cosine-heatmap" data-clients={n} data-round={report.round}>
      <figcaption className="small muted">
        Round {report.round}: cosine similarity of the clients&apos; updates (rows and columns: clients{' '}
        {n <= 12 ? report.clients.join(', ') : `${report.clients[0]} … ${report.clients[n - 1]}`}; malicious marked red at the edge). Off
        the diagonal: {lo.toFixed(2)} to {hi.toFixed(2)}.
      </figcaption>
      <div className="fl-heatmap-body">
        <canvas
          ref={ref}
          width={side}
          height={side}
          role="img"
          aria-label={`cosine similarity of ${n} client updates in round ${report.round}`}
          title="rows and columns: the round's clients in ascending order"
        />
        <div
          className="fl-legend"
          aria-hidden="true"
          title={`${DIVERGING_MAPS[map].negative} -1, white 0, ${DIVERGING_MAPS[map].positive} +1`}
        >
          <span className="small">+1</span>
          <span className="fl-legend-bar" style={{ background: divergingGradient(map, 'to top') }} />
          <span className="small">−1</span>
        </div>
      </div>
      <ChartData
        caption={`Cosine similarity of the client updates in round ${report.round}`}
        rows={report.cosine.map((row, i) => ({ row, i }))}
        testId="fl-cosine-data"
        columns={[
          { label: 'client', value: ({ i }) => `${report.clients[i]}${report.malicious[i] ? ' (malicious)' : ''}` },
          ...report.clients.map((c, j) => ({ label: `with ${c}`, value: ({ row }: { row: number[] }) => row[j].toFixed(3) })),
        ]}
      />
    </figure>
  );
}
