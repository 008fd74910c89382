/**
 * Gradient leakage in the browser: a client's image(s), and beside them the attacker's reconstruction
 * from the shared gradient, redrawn every few optimiser steps with its MSE and PSNR; the attack and its
 * settings (the slice's leak fields, so the link carries them as pv.l*), the client's defences (noise,
 * pruning, clipping, batch size), and the PSNR of short runs against batch size and noise, computed
 * by the same worker job.
 */
import { ChartData } from '../../../ui/ChartData';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { DATASETS } from '../../../core/data/datasets';
import type { Field } from '../../../core/experiment/fields';
import { CancelButton } from '../../../ui/CancelButton';
import { FieldInput } from '../../../ui/FieldInput';
import { JobRow } from '../../../ui/JobsTray';
import { PixelCanvas } from '../../../ui/PixelCanvas';
import { jobOfKind, useLab } from '../../../ui/store';
import { LEAK_FIELDS } from '../experiment/leak';
import { leakBusy, LEAK_GRID, runLeakJob, useLeak, type LeakFrame } from './leak-actions';

const fmt = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : String(v));

function Images() {
  const { frames, original, outcome } = useLeak();
  if (!original) return null;
  const [h, w, c] = original.shape;
  const size = h * w * c;
  const last = frames[frames.length - 1];
  const rec = outcome ? outcome.reconstruction : last ? last.reconstruction.map((v) => Math.min(1, Math.max(0, v))) : null;
  const n = original.pixels.length / size;
  return (
    <div className="leak-images" data-testid="leak-images">
      {Array.from({ length: n }, (_, i) => (
        <div key={i} className="leak-pair">
          <PixelCanvas
            pixels={original.pixels.subarray(i * size, (i + 1) * size)}
            shape={original.shape}
            size={96}
            label={`client image ${i + 1}`}
          />
          {rec && (
            <PixelCanvas
              pixels={rec.subarray(i * size, (i + 1) * size)}
              shape={original.shape}
              size={96}
              label={`reconstruction ${i + 1}`}
              testId={i === 0 ? 'leak-reconstruction' : undefined}
            />
          )}
        </div>
      ))}
      <p className="small" data-testid="leak-metrics" data-step={last?.step ?? 0} data-frames={frames.length}>
        {last ? (
          <>
            step <strong>{last.step}</strong>: gradient distance {fmt(last.loss)}, MSE{' '}
            <strong data-testid="leak-mse">{fmt(outcome?.mse ?? last.mse)}</strong>, PSNR{' '}
            <strong data-testid="leak-psnr">{(outcome?.psnr ?? last.psnr).toFixed(1)} dB</strong>, label {last.labels.join(', ')} (true{' '}
            {original.labels.join(', ')})
          </>
        ) : (
          'the attack starts…'
        )}
      </p>
      {last && <GradientStrength frame={last} />}
    </div>
  );
}

/**
 * What the attack works against: how sure the untrained network already is of each true label, and the
 * shared gradient's norm. The loss gradient at the logits is p - onehot(y), so a confident right answer
 * leaves little to match.
 */
function GradientStrength({ frame }: { frame: LeakFrame }) {
  const p = frame.trueLabelProbability;
  return (
    <p className="small" data-testid="leak-gradient-strength">
      The network gives the true label{p.length > 1 ? 's' : ''} probability {p.map((v) => v.toFixed(3)).join(', ')}; the shared
      gradient&apos;s norm is {fmt(frame.gradientNorm)}.
      {p.some((v) => v > 0.9) &&
        ` The loss gradient at the output is p - onehot(label): a label the network already predicts with p near 1 shares a gradient about ${(1 - Math.max(...p)).toFixed(3)} as strong as a wrong guess's, and DLG fails most often on such images (try another seed: it draws another network).`}
    </p>
  );
}

function PsnrChart() {
  const points = useLeak((s) => s.points);
  if (points.length === 0) return null;
  const byBatch = points.filter((p) => p.noise === 0).map((p) => ({ x: p.batch, psnr: Number(p.psnr.toFixed(2)) }));
  const byNoise = points.filter((p) => p.noise > 0).map((p) => ({ x: Math.log10(p.noise), psnr: Number(p.psnr.toFixed(2)) }));
  const chart = (data: { x: number; psnr: number }[], xLabel: string, tick: (v: number) => string, testId: string) => (
    <figure className="fl-chart" data-testid={testId} data-points={data.length}>
      <figcaption className="small muted">{xLabel}</figcaption>
      <ResponsiveContainer width="100%" height={180}>
        <LineChart data={data} margin={{ top: 6, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ec" />
          <XAxis dataKey="x" type="number" domain={['dataMin', 'dataMax']} tickFormatter={tick} tick={{ fontSize: 11 }} />
          <YAxis tick={{ fontSize: 11 }} width={40} unit=" dB" />
          <Tooltip formatter={(v) => `${String(v)} dB`} labelFormatter={(v) => tick(Number(v))} />
          <Line dataKey="psnr" stroke="#3b6fd8" strokeWidth={2} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
      <ChartData
        caption={xLabel}
        rows={data}
        testId={`${testId}-data`}
        columns={[
          { label: testId === 'leak-psnr-batch' ? 'batch size' : 'noise std', value: (r) => tick(r.x) },
          { label: 'PSNR (dB)', value: (r) => r.psnr.toFixed(2) },
        ]}
      />
    </figure>
  );
  return (
    <div className="leak-charts">
      {chart(byBatch, `PSNR against batch size (no noise, ${LEAK_GRID.iterations} steps each)`, (v) => `B=${v}`, 'leak-psnr-batch')}
      {chart(byNoise, `PSNR against gradient noise std (batch 1, ${LEAK_GRID.iterations} steps each)`, (v) => `1e${v}`, 'leak-psnr-noise')}
    </div>
  );
}

export function LeakPanel() {
  const busy = useLab(leakBusy);
  const job = useLab((s) => jobOfKind(s, 'leak'));
  const dataset = useLab((s) => s.experiment.dataset);
  const { status, error } = useLeak();
  return (
    <section className="panel leak-panel" aria-labelledby="leak-title" data-testid="leak-panel" data-status={status}>
      <h2 id="leak-title">Gradient leakage</h2>
      <p className="small muted">
        A client shares the gradient of its loss on its images; the attacker optimises a dummy image until the dummy&apos;s gradient matches
        it (DLG, Zhu et al. 2019; iDLG reads the label first, Zhao et al. 2020; inverting gradients, Geiping et al. 2020). Network: the DLG
        authors&apos; LeNet with sigmoids, freshly initialised. Data: {DATASETS[dataset]?.name ?? dataset} test images.
      </p>
      <div className="studio-form">
        {(LEAK_FIELDS as readonly Field<unknown>[]).map((f) => (
          <FieldInput key={f.path} field={f} testPrefix="pv-" disabled={busy} />
        ))}
      </div>
      <div className="row">
        <button type="button" onClick={() => runLeakJob(false)} disabled={busy} data-testid="leak-run">
          Reconstruct
        </button>
        <button type="button" onClick={() => runLeakJob(true)} disabled={busy} data-testid="leak-run-grid">
          Reconstruct + PSNR grid
        </button>
        <CancelButton job={job} testId="leak-cancel" />
      </div>
      {job && <JobRow job={job} />}
      {error && <p className="attack-error">{error}</p>}
      <Images />
      <PsnrChart />
    </section>
  );
}
