/**
 * Certified robustness by randomized smoothing (Cohen, Rosenfeld & Kolter 2019): the settings (the
 * lab's certification fields, in the link as def.*), the first image's certificate (vote histogram,
 * pA_lower, radius, the noisy samples the base model saw), and the certified-accuracy curve over the
 * N images next to the smoothed classifier's empirical robust accuracy under PGD-L2 + EOT.
 */
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartData } from '../../../ui/ChartData';
import { DATASETS } from '../../../core/data/datasets';
import { CancelButton } from '../../../ui/CancelButton';
import { FieldInput } from '../../../ui/FieldInput';
import { percent } from '../../../ui/format';
import { JobRow } from '../../../ui/JobsTray';
import { PixelCanvas } from '../../../ui/PixelCanvas';
import { jobOfKind, useLab } from '../../../ui/store';
import { CERTIFY_FIELDS } from '../experiment/certify';
import type { CertifyOutcome } from '../certify-job';
import { certifyBusy, runCertify, useCertify } from './certify-actions';
import { DefenceExplain } from './explain';

function Histogram({ outcome }: { outcome: CertifyOutcome }) {
  const names = DATASETS[outcome.dataset]?.classNames ?? [];
  const f = outcome.first;
  const data = f.counts.map((count, k) => ({ cls: names[k] ?? String(k), count }));
  return (
    <figure data-testid="certify-histogram" data-bars={data.length} data-total={f.counts.reduce((a, b) => a + b, 0)}>
      <div className="chart-box" style={{ maxWidth: 360 }}>
        <ResponsiveContainer width="100%" height={190}>
          <BarChart data={data} margin={{ top: 8, right: 8, bottom: 16, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ec" />
            <XAxis dataKey="cls" tick={{ fontSize: 11 }} label={{ value: 'class', position: 'insideBottom', offset: -8, fontSize: 12 }} />
            <YAxis
              tick={{ fontSize: 11 }}
              width={56}
              label={{ value: 'votes', angle: -90, position: 'insideLeft', offset: 10, fontSize: 12 }}
            />
            <Tooltip />
            <Bar dataKey="count" fill="#2f6fde" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="small muted">
        Votes of the base model over the n = {outcome.settings.samples.toLocaleString('en-US')} noisy copies of test image {f.index}
      </figcaption>
      <ChartData
        caption={`Votes per class for test image ${f.index}`}
        rows={data}
        columns={[
          { label: 'class', value: (r) => r.cls },
          { label: 'votes', value: (r) => r.count },
        ]}
      />
    </figure>
  );
}

function Curve({ outcome }: { outcome: CertifyOutcome }) {
  const data = outcome.radii.map((r, k) => ({
    r,
    certified: outcome.certified[k],
    ...(outcome.empirical ? { 'PGD-L2 + EOT (empirical)': outcome.empirical[k] } : {}),
  }));
  return (
    <figure className="batch-curve" data-testid="certify-curve" data-points={data.length}>
      <div className="chart-box" style={{ maxWidth: 460 }}>
        <ResponsiveContainer width="100%" height={250}>
          <LineChart data={data} margin={{ top: 8, right: 16, bottom: 16, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ec" />
            <XAxis
              dataKey="r"
              type="number"
              domain={[0, 'dataMax']}
              tick={{ fontSize: 11 }}
              label={{ value: 'L2 radius', position: 'insideBottom', offset: -8, fontSize: 12 }}
            />
            <YAxis
              domain={[0, 1]}
              tick={{ fontSize: 11 }}
              width={56}
              tickFormatter={(v: number) => `${Math.round(v * 100)}%`}
              label={{ value: 'accuracy', angle: -90, position: 'insideLeft', offset: 10, fontSize: 12 }}
            />
            <Tooltip formatter={(v) => (typeof v === 'number' ? percent(v) : String(v))} labelFormatter={(r) => `radius ${String(r)}`} />
            <Legend verticalAlign="top" wrapperStyle={{ fontSize: 12 }} />
            <Line dataKey="certified" stroke="#1f8a4c" isAnimationActive={false} />
            {outcome.empirical && (
              <Line dataKey="PGD-L2 + EOT (empirical)" stroke="#c8372d" strokeDasharray="6 3" isAnimationActive={false} />
            )}
          </LineChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="small muted">
        Certified accuracy of the smoothed classifier against the L2 radius over {outcome.images.length} test image
        {outcome.images.length === 1 ? '' : 's'}
        {outcome.empirical
          ? `, and its robust accuracy under PGD-L2 with EOT (${outcome.settings.attackSteps} steps, ${outcome.settings.attackSamples} noise draws a step) at each radius: an upper bound that the certificate must stay under.`
          : '.'}{' '}
        No certificate can exceed {outcome.maxRadius.toFixed(4)} at this n, alpha and sigma.
      </figcaption>
      <ChartData
        caption="Certified (and empirical) accuracy per L2 radius"
        rows={data}
        columns={[
          { label: 'L2 radius', value: (r) => r.r },
          { label: 'certified', value: (r) => percent(r.certified) },
          ...(outcome.empirical
            ? [
                {
                  label: 'PGD-L2 + EOT (empirical)',
                  value: (r: (typeof data)[number]) => percent(r['PGD-L2 + EOT (empirical)'] ?? Number.NaN),
                },
              ]
            : []),
        ]}
      />
    </figure>
  );
}

function Result({ outcome }: { outcome: CertifyOutcome }) {
  const f = outcome.first;
  const names = DATASETS[outcome.dataset]?.classNames ?? [];
  const name = (k: number) => (k < 0 ? 'abstain' : (names[k] ?? String(k)));
  const size = f.shape[0] * f.shape[1] * f.shape[2];
  return (
    <div className="certify-result" data-testid="certify-result">
      <div className="certify-first">
        <p data-testid="certify-certificate">
          Test image {f.index} (label {name(f.label)}): smoothed prediction{' '}
          <strong data-testid="certify-prediction">{name(f.prediction)}</strong>, n<sub>A</sub> = {f.count.toLocaleString('en-US')} of{' '}
          {outcome.settings.samples.toLocaleString('en-US')}, p<sub>A</sub> lower bound{' '}
          <strong data-testid="certify-palower">{f.pALower.toFixed(4)}</strong>, certified L2 radius{' '}
          <strong data-testid="certify-radius">{f.radius.toFixed(4)}</strong>
          {f.prediction < 0 ? ' (abstains: the lower bound is under 0.5)' : ''}.
        </p>
        <Histogram outcome={outcome} />
        <div className="example-grid" data-testid="certify-strip" data-count={f.noisyCount}>
          {Array.from({ length: f.noisyCount }, (_, k) => (
            <PixelCanvas
              key={k}
              pixels={f.noisy.subarray(k * size, (k + 1) * size)}
              shape={f.shape}
              size={56}
              label={`noisy sample ${k + 1} of test image ${f.index}`}
            />
          ))}
        </div>
        <p className="small muted">Noisy copies (sigma {outcome.settings.sigma}, shown clipped to [0, 1]) the base model classified.</p>
      </div>
      <Curve outcome={outcome} />
      <p className="small muted" data-testid="certify-speed" data-rate={Math.round(outcome.samplesPerSecond)}>
        {outcome.images.length} image{outcome.images.length === 1 ? '' : 's'} certified in {outcome.seconds.toFixed(1)} s on{' '}
        {outcome.backend}: {Math.round(outcome.samplesPerSecond).toLocaleString('en-US')} noisy forward passes per second.
      </p>
      <table className="small" data-testid="certify-table">
        <thead>
          <tr>
            <th>image</th>
            <th>label</th>
            <th>prediction</th>
            <th>
              n<sub>A</sub>
            </th>
            <th>
              p<sub>A</sub> lower
            </th>
            <th>radius</th>
          </tr>
        </thead>
        <tbody>
          {outcome.images.slice(0, 50).map((r) => (
            <tr key={r.index}>
              <td>{r.index}</td>
              <td>{name(r.label)}</td>
              <td>{name(r.prediction)}</td>
              <td>{r.count}</td>
              <td>{r.pALower.toFixed(4)}</td>
              <td>{r.radius.toFixed(3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function CertifyPanel() {
  const model = useLab((s) => s.model);
  const dataset = useLab((s) => s.experiment.dataset);
  const loaded = useLab((s) => s.dataset);
  const busy = useLab(certifyBusy);
  const job = useLab((s) => jobOfKind(s, 'certify'));
  const { outcome, live, error } = useCertify();
  const missing = loaded?.id === dataset && loaded.missing === true;
  const ready = !!model && model.dataset === dataset && !busy && !missing;
  return (
    <section className="panel certify-panel" aria-labelledby="certify-title">
      <h2 id="certify-title">Certified robustness (randomized smoothing)</h2>
      <DefenceExplain panel="certify" />
      <p className="small muted">
        The smoothed classifier predicts the class the model votes for most under Gaussian noise; CERTIFY (Cohen et al. 2019) bounds that
        vote and turns the bound into an L2 radius no attack can cross (with probability 1 − alpha). Models trained with noise
        (mnist-cnn-smooth-*) certify far larger radii.
      </p>
      <div className="studio-form">
        {CERTIFY_FIELDS.map((f) => (
          <FieldInput key={f.path} field={f} testPrefix="certify-" />
        ))}
      </div>
      <div className="studio-actions">
        <button type="button" onClick={runCertify} disabled={!ready} data-testid="certify-run">
          Certify
        </button>
        <CancelButton job={job} testId="certify-cancel" />
      </div>
      {job && <JobRow job={job} prefix="certify-" />}
      {job && live.length > 0 && (
        <p className="small muted" data-testid="certify-live">
          {live.length} certified so far; last: image {live[live.length - 1].index}, radius {live[live.length - 1].radius.toFixed(3)}
        </p>
      )}
      {error && (
        <p className="attack-error" data-testid="certify-error">
          {error}
        </p>
      )}
      {outcome && <Result outcome={outcome} />}
    </section>
  );
}
