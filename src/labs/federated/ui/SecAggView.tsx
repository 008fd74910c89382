/**
 * What the server sees under secure aggregation (the privacy lab's protocol, Bonawitz et al. 2017) in
 * one round: the first coordinates of a few clients' masked vectors (ring elements of Z_2^32, drawn
 * as grey levels: noise whatever the update), their histogram (flat), beside the recovered average
 * update (diverging colours); who dropped out and when; the bytes each client sent against an
 * unmasked update. And DP-FedAvg's round: clients sampled, clipped, the noise and the epsilon spent.
 */
import { useEffect, useRef } from 'react';
import { diverging, maxAbs } from '../../../ui/colormap';
import { useSettings } from '../../../ui/settings';
import type { DpRoundReport, SecAggRoundReport } from '../simulation';

const kib = (b: number) => `${(b / 1024).toLocaleString('en-US', { maximumFractionDigits: 1 })} KiB`;

/** One strip: values in [0, 1) as grey, or signed values as diverging colours. */
function Strip({ values, signed, testId }: { values: readonly number[]; signed: boolean; testId: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const map = useSettings((s) => s.colourMap);
  useEffect(() => {
    const c = ref.current;
    const g = c?.getContext('2d');
    if (!c || !g || values.length === 0) return;
    const img = g.createImageData(values.length, 1);
    const scale = signed ? maxAbs(values) || 1 : 1;
    values.forEach((v, j) => {
      const [r, gr, b] = signed ? diverging(v / scale, map) : [Math.floor(v * 256), Math.floor(v * 256), Math.floor(v * 256)];
      img.data.set([r, gr, b, 255], 4 * j);
    });
    g.putImageData(img, 0, 0);
  }, [values, signed, map]);
  return <canvas ref={ref} width={Math.max(1, values.length)} height={1} className="sa-strip" data-testid={testId} />;
}

/** Counts of values in [0, 1) in 16 bins, as a row of bars. */
function Histogram({ values }: { values: readonly number[] }) {
  const bins = new Array<number>(16).fill(0);
  for (const v of values) bins[Math.min(15, Math.floor(v * 16))]++;
  const top = Math.max(1, ...bins);
  return (
    <span className="sa-hist" title="histogram of the masked coordinates (16 bins over the ring): flat">
      {bins.map((b, i) => (
        <span key={i} style={{ height: `${(100 * b) / top}%` }} />
      ))}
    </span>
  );
}

export function SecAggView({ report, clients }: { report: SecAggRoundReport; clients: readonly number[] }) {
  const expansion = report.clearBytes > 0 ? (report.bytesSent + report.bytesReceived) / report.clearBytes : 0;
  return (
    <figure className="fl-chart sa-view" data-testid="sa-view" data-aborted={report.aborted ? 'true' : 'false'}>
      <figcaption className="small muted">
        The server&apos;s view under secure aggregation: each client&apos;s update arrives masked (uniform noise in Z<sub>2</sub>
        <sup>32</sup>); only the sum of {report.included.length} of {clients.length} clients is unmasked (threshold t = {report.threshold}
        ). First {report.sumSample.length || report.maskedSample[0]?.length || 0} coordinates shown.
      </figcaption>
      {report.aborted ? (
        <p className="attack-error small" data-testid="sa-aborted">
          {report.aborted}. The global model did not move this round.
        </p>
      ) : (
        <div className="sa-strips">
          {report.maskedSample.map((y, k) => (
            <div key={k} className="sa-row small">
              <span className="sa-name">client {report.included[k]} (masked)</span>
              <Strip values={y} signed={false} testId={`sa-masked-${k}`} />
              <Histogram values={y} />
            </div>
          ))}
          <div className="sa-row small">
            <span className="sa-name">
              <strong>recovered average</strong>
            </span>
            <Strip values={report.sumSample} signed testId="sa-sum" />
            <span className="sa-hist-gap" />
          </div>
        </div>
      )}
      <p className="small" data-testid="sa-dropouts">
        Dropouts:{' '}
        {report.dropped.length === 0
          ? 'none'
          : report.dropped
              .map(
                (d) =>
                  `client ${d.client} ${d.stage === 'masked' ? 'after sending its masked input (it counts; its self-mask rebuilt from shares)' : 'before sending its masked input (left out; its pairwise masks rebuilt from shares of its key)'}`,
              )
              .join('; ')}
      </p>
      {!report.aborted && (
        <p className="small" data-testid="sa-bytes">
          Per client: sent {kib(report.bytesSent)}, received {kib(report.bytesReceived)}, against {kib(report.clearBytes)} for the unmasked
          float32 update: <strong>{expansion.toFixed(3)}x</strong> (the paper: 1.73x for 2<sup>10</sup> clients, 2<sup>20</sup> coordinates
          of 16 bits). Protocol time {report.seconds.toFixed(2)} s
          {report.clipped > 0 ? `; ${report.clipped} coordinates clipped to the fixed-point range` : ''}.
        </p>
      )}
    </figure>
  );
}

export function DpView({ report }: { report: DpRoundReport }) {
  return (
    <p className="small fl-dp" data-testid="dp-view">
      DP-FedAvg: {report.sampled} clients sampled (rate q = {report.q.toFixed(3)}), {report.clipped} clipped to S; Gaussian noise of std{' '}
      {report.noiseStd.toPrecision(3)} per coordinate on the average; user-level ε ={' '}
      <strong data-testid="dp-epsilon">{report.epsilon.toFixed(2)}</strong> at δ = {report.delta} so far (RDP accountant).
    </p>
  );
}
