/**
 * DP-SGD's clipping and noise on one gradient, for a student: a chosen training image in a Poisson batch
 * (the DP settings' q, C, sigma, seed), the model chosen in Setup, and from the worker (the `dpClip` job,
 * algorithms/dp-explain.ts): the image's gradient norm before and after clipping, every batch member's
 * norms as bars beside the line at C, the noise drawn against sigma C sqrt(d), and the noised averaged
 * update, with the formula set by KaTeX and every number written out.
 */
import { ChartData } from '../../../ui/ChartData';
import { Bar, BarChart, CartesianGrid, Legend, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { DATASETS } from '../../../core/data/datasets';
import type { Field } from '../../../core/experiment/fields';
import { CancelButton } from '../../../ui/CancelButton';
import { FieldInput } from '../../../ui/FieldInput';
import { JobRow } from '../../../ui/JobsTray';
import { TeX } from '../../../ui/lessons/LessonText';
import { PixelCanvas } from '../../../ui/PixelCanvas';
import { jobOfKind, useLab } from '../../../ui/store';
import type { DpClipOutcome } from '../dp-job';
import { DP_FIELDS } from '../experiment/dp';
import { dpClipBusy, dpDatasetProblem, runDpClip, useDp } from './dp-actions';

/** Batch members drawn as bars (the chosen image first). */
const BARS = 24;

const imageField = DP_FIELDS.find((f) => f.path === 'dp.image')! as Field<unknown>;
/** An axis tick: 1e-4, 0.01, 1, 100, 1e+4. */
const tick = (v: number) => (v >= 1e4 || v < 1e-3 ? v.toExponential(0) : String(Number(v.toPrecision(2))));
const num = (v: number) =>
  v === 0 ? '0' : Math.abs(v) >= 1000 || Math.abs(v) < 0.001 ? v.toExponential(3) : Number(v.toPrecision(4)).toString();

function Result({ o }: { o: DpClipOutcome }) {
  const names = DATASETS[useLab.getState().experiment.dataset]?.classNames;
  // norms span many decades (a confident correct answer has a gradient near 0): a log axis from C / 10^4 at
  // most, smaller norms drawn at its floor (the tooltip and the text give the true values)
  const shown = o.norms.slice(0, BARS);
  const positive = shown.filter((v) => v > 0);
  const decade = (v: number, up: boolean) => Math.pow(10, (up ? Math.ceil : Math.floor)(Math.log10(v)));
  const lo = decade(Math.max(o.clip * 1e-4, Math.min(o.clip, ...positive)), false);
  const hi = decade(Math.max(o.clip, ...shown) * 1.0001, true);
  const bars = shown.map((n, i) => ({
    name: i === 0 ? 'chosen' : `#${o.indices[i]}`,
    before: Math.max(n, lo),
    after: Math.max(o.clippedNorms[i], lo),
    trueBefore: n,
    trueAfter: o.clippedNorms[i],
  }));
  const clipped = o.norms.filter((n) => n > o.clip).length;
  const sums = [
    { name: 'clipped sum', norm: o.sumNorm },
    { name: 'noise', norm: o.noiseNorm },
    { name: 'sum + noise', norm: o.noisedNorm },
  ];
  const ratio = o.noiseNorm / Math.max(o.sumNorm, 1e-12);
  return (
    <div data-testid="pv-dp-clip-result" data-model={o.model}>
      <div className="pv-dp-clip-top">
        <figure style={{ margin: 0, textAlign: 'center' }}>
          <PixelCanvas pixels={o.pixels} shape={o.shape} size={84} label={`training image ${o.indices[0]}`} />
          <figcaption className="small muted">
            image {o.indices[0]}, label {names?.[o.labels[0]] ?? o.labels[0]}
          </figcaption>
        </figure>
        <ol className="small pv-dp-clip-numbers" data-testid="pv-dp-clip-numbers">
          <li>
            Its gradient (of its own loss {num(o.image.loss)}, over all d = {o.parameters.toLocaleString('en-US')} weights of {o.model}) has
            norm <TeX tex="\|g\|_2" /> = <strong data-testid="pv-dp-clip-norm">{num(o.image.norm)}</strong>.
          </li>
          <li>
            Clipping scales it by <TeX tex="\min(1, C/\|g\|_2)" /> = {num(o.image.factor)}: its norm is now{' '}
            <strong data-testid="pv-dp-clip-clipped">{num(o.image.clippedNorm)}</strong>
            {o.image.norm > o.clip ? ` (cut to C = ${o.clip})` : ` (under C = ${o.clip}: unchanged)`}.
          </li>
          <li>
            The batch (Poisson sampling at q = {num(o.sampleRate)}) holds {o.norms.length} images; {clipped} of them had a norm above C. The
            sum of their clipped gradients has norm {num(o.sumNorm)}.
          </li>
          <li>
            The noise drawn, <TeX tex="z \sim \mathcal N(0, \sigma^2 C^2 I_d)" /> with σ = {num(o.noiseMultiplier)}, has norm{' '}
            <strong data-testid="pv-dp-clip-noise">{num(o.noiseNorm)}</strong> (on average about <TeX tex="\sigma C \sqrt d" /> ={' '}
            {num(o.noiseExpected)}): {ratio >= 1 ? `${num(ratio)} times` : `${num(ratio)} of`} the clipped sum&apos;s.
          </li>
          <li>
            The update is (sum + noise) / {o.expectedBatch} (the expected batch size, not the drawn one): norm{' '}
            <strong data-testid="pv-dp-clip-update">{num(o.updateNorm)}</strong>, against {num(o.signalNorm)} without the noise.
          </li>
        </ol>
      </div>
      <div className="fl-charts">
        <figure className="fl-chart" data-testid="pv-dp-clip-bars" data-bars={bars.length}>
          <figcaption className="small muted">
            Gradient norm of each batch member before and after clipping (the first {bars.length} of {o.norms.length}; log scale, norms
            under {tick(lo)} drawn at the bottom); the line is C
          </figcaption>
          <ResponsiveContainer width="100%" height={220}>
            <BarChart data={bars} margin={{ top: 6, right: 44, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ec" />
              <XAxis dataKey="name" tick={{ fontSize: 9 }} interval={0} angle={-45} textAnchor="end" height={40} />
              <YAxis scale="log" domain={[lo, hi]} allowDataOverflow tick={{ fontSize: 11 }} width={52} tickFormatter={tick} />
              <Tooltip
                formatter={(_v, name, item) => {
                  const p = (item as { payload?: { trueBefore: number; trueAfter: number } }).payload;
                  return p ? num(name === 'before clipping' ? p.trueBefore : p.trueAfter) : '';
                }}
              />
              <Legend verticalAlign="top" wrapperStyle={{ fontSize: 12 }} />
              <ReferenceLine
                y={o.clip}
                stroke="#c8372d"
                strokeDasharray="4 3"
                label={{ value: `C = ${o.clip}`, fontSize: 10, position: 'right' }}
              />
              <Bar dataKey="before" name="before clipping" fill="#9aa7bd" isAnimationActive={false} />
              <Bar dataKey="after" name="after clipping" fill="#2f6fde" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
          <ChartData
            caption={`Gradient norm of each batch member before and after clipping to C = ${o.clip}`}
            rows={o.norms.map((before, i) => ({ i, before, after: o.clippedNorms[i] }))}
            testId="pv-dp-clip-bars-data"
            columns={[
              { label: 'training image', value: (r) => (r.i === 0 ? `${o.indices[0]} (chosen)` : o.indices[r.i]) },
              { label: 'norm before clipping', value: (r) => num(r.before) },
              { label: 'norm after clipping', value: (r) => num(r.after) },
            ]}
          />
        </figure>
        <figure className="fl-chart" data-testid="pv-dp-clip-sum">
          <figcaption className="small muted">The batch&apos;s sum: signal, noise, and both (norms)</figcaption>
          <ResponsiveContainer width="100%" height={200}>
            <BarChart data={sums} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ec" />
              <XAxis dataKey="name" tick={{ fontSize: 11 }} />
              <YAxis tick={{ fontSize: 11 }} width={44} />
              <Tooltip formatter={(v) => (typeof v === 'number' ? num(v) : String(v))} />
              <Bar dataKey="norm" name="norm" fill="#7a4cc2" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
          <ChartData
            caption="Norms of the batch's clipped sum, the noise, and both"
            rows={sums}
            testId="pv-dp-clip-sum-data"
            columns={[
              { label: 'vector', value: (r) => r.name },
              { label: 'L2 norm', value: (r) => num(r.norm) },
            ]}
          />
        </figure>
      </div>
    </div>
  );
}

export function DpClipPanel() {
  const dataset = useLab((s) => s.experiment.dataset);
  const model = useLab((s) => s.model?.id);
  const dp = useLab((s) => s.experiment.dp);
  const busy = useLab(dpClipBusy);
  const job = useLab((s) => jobOfKind(s, 'dp-clip'));
  const { status, outcome, error } = useDp((s) => s.clip);
  const problem = dpDatasetProblem(dataset);
  return (
    <section className="panel pv-dpclip-panel" aria-labelledby="pv-dpclip-title" data-testid="pv-dpclip">
      <h2 id="pv-dpclip-title">Clipping and noise on one gradient</h2>
      <p className="small muted">
        One DP-SGD step seen from one training image: how big its gradient is, what clipping leaves of it, and how large the noise that
        hides it is. The gradients are those of the model chosen in Setup ({model ?? 'none yet'}); q, C, σ and the seed are the DP-SGD
        settings above.
      </p>
      <TeX
        display
        tex={
          '\\bar g = \\frac{1}{\\lfloor qN \\rfloor}\\Big(\\sum_{i \\in B} \\underbrace{g_i \\min\\big(1, \\tfrac{C}{\\|g_i\\|_2}\\big)}_{\\|\\cdot\\| \\le C} + \\underbrace{z}_{\\|z\\| \\approx \\sigma C \\sqrt d}\\Big)'
        }
      />
      <p className="small muted">
        Clipping makes every image count for at most C, so the noise σC can hide any one of them: with or without that image, the update
        looks alike. That is what the accountant counts as ε.
      </p>
      {problem && <p className="attack-error">{problem}</p>}
      <div className="studio-form">
        <FieldInput field={imageField} testPrefix="pv-dp-" disabled={busy} />
      </div>
      <div className="studio-actions">
        <button type="button" onClick={runDpClip} disabled={busy || !!problem || dp.image >= dp.slice} data-testid="pv-dp-clip-run">
          Clip and add noise
        </button>
        <CancelButton job={job} testId="pv-dp-clip-cancel" />
      </div>
      {dp.image >= dp.slice && (
        <p className="attack-error small">
          Training image {dp.image} is outside the run&apos;s {dp.slice} training images.
        </p>
      )}
      {job && <JobRow job={job} prefix="pv-dp-clip-" />}
      {error && (
        <p className="attack-error" role="alert" data-testid="pv-dp-clip-error">
          {error}
        </p>
      )}
      {status === 'cancelled' && <p className="small muted">Cancelled.</p>}
      {outcome && <Result o={outcome} />}
    </section>
  );
}
