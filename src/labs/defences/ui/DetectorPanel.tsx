/**
 * The feature-squeezing detector (Xu et al. 2018): the settings (the lab's detector fields, in the link
 * as def.*), the studio's attack, and the outcome: the threshold at the target false positive rate,
 * the ROC of clean against successful adversarial scores with its AUC, the two score distributions
 * with the threshold, the detection rate, and robust accuracy with and without the detector.
 */
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartData } from '../../../ui/ChartData';
import { CancelButton } from '../../../ui/CancelButton';
import { FieldInput } from '../../../ui/FieldInput';
import { percent } from '../../../ui/format';
import { JobRow } from '../../../ui/JobsTray';
import { jobOfKind, useLab } from '../../../ui/store';
import { ATTACKS } from '../../attacks/index';
import type { DetectOutcome } from '../detector/job';
import { DETECTOR_FIELDS } from '../experiment/detector';
import { detectorBusy, runDetector, useDetector } from './detector-actions';
import { DefenceExplain } from './explain';

function RocChart({ outcome }: { outcome: DetectOutcome }) {
  const data = outcome.roc.map(([fpr, tpr]) => ({ fpr, tpr }));
  return (
    <figure data-testid="detector-roc" data-points={data.length} data-auc={outcome.auc ?? ''}>
      <div className="chart-box" style={{ maxWidth: 340 }}>
        <ResponsiveContainer width="100%" height={270}>
          <LineChart data={data} margin={{ top: 8, right: 16, bottom: 16, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ec" />
            <XAxis
              dataKey="fpr"
              type="number"
              domain={[0, 1]}
              tick={{ fontSize: 11 }}
              label={{ value: 'false positive rate', position: 'insideBottom', offset: -8, fontSize: 12 }}
            />
            <YAxis
              dataKey="tpr"
              type="number"
              domain={[0, 1]}
              tick={{ fontSize: 11 }}
              width={52}
              label={{ value: 'detection rate', angle: -90, position: 'insideLeft', offset: 10, fontSize: 12 }}
            />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))} labelFormatter={(v) => `FPR ${String(v)}`} />
            <ReferenceLine
              segment={[
                { x: 0, y: 0 },
                { x: 1, y: 1 },
              ]}
              stroke="#9aa3b2"
              strokeDasharray="4 4"
            />
            <ReferenceLine x={outcome.fprMeasured} stroke="#c8372d" strokeDasharray="2 2" />
            <Line dataKey="tpr" name="detection rate" stroke="#2f6fde" dot={false} isAnimationActive={false} type="stepAfter" />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="small muted">
        ROC: detection rate against false positive rate as the threshold moves; AUC {outcome.auc === null ? '-' : outcome.auc.toFixed(4)}.
        The red line is the chosen threshold&apos;s measured FPR.
      </figcaption>
      <ChartData
        caption="ROC points: false positive rate and detection rate"
        rows={data}
        columns={[
          { label: 'false positive rate', value: (r) => r.fpr.toFixed(4) },
          { label: 'detection rate', value: (r) => r.tpr.toFixed(4) },
        ]}
      />
    </figure>
  );
}

const BINS = 20;

function ScoreHistogram({ outcome }: { outcome: DetectOutcome }) {
  const all = [...outcome.cleanScores, ...outcome.adversarialScores];
  const top = Math.max(outcome.threshold * 1.5, ...all, 1e-6);
  const width = top / BINS;
  const bin = (v: number) => Math.min(BINS - 1, Math.floor(v / width));
  const data = Array.from({ length: BINS }, (_, k) => ({ score: Number(((k + 0.5) * width).toFixed(3)), clean: 0, adversarial: 0 }));
  for (const v of outcome.cleanScores) data[bin(v)].clean += 1 / outcome.cleanScores.length;
  for (const v of outcome.adversarialScores) data[bin(v)].adversarial += 1 / Math.max(1, outcome.adversarialScores.length);
  return (
    <figure data-testid="detector-scores">
      <div className="chart-box" style={{ maxWidth: 400 }}>
        <ResponsiveContainer width="100%" height={270}>
          <BarChart data={data} margin={{ top: 8, right: 16, bottom: 16, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ec" />
            <XAxis
              dataKey="score"
              type="number"
              domain={[0, top]}
              tick={{ fontSize: 11 }}
              tickFormatter={(v: number) => String(Number(v.toFixed(2)))}
              label={{ value: 'squeezing score (L1)', position: 'insideBottom', offset: -8, fontSize: 12 }}
            />
            <YAxis
              tick={{ fontSize: 11 }}
              width={52}
              tickFormatter={(v: number) => `${Math.round(v * 100)}%`}
              label={{ value: 'share of images', angle: -90, position: 'insideLeft', offset: 10, fontSize: 12 }}
            />
            <Tooltip formatter={(v) => (typeof v === 'number' ? percent(v) : String(v))} />
            <Legend verticalAlign="top" wrapperStyle={{ fontSize: 12 }} />
            <Bar dataKey="clean" fill="#1f8a4c" isAnimationActive={false} />
            <Bar dataKey="adversarial" fill="#c8372d" isAnimationActive={false} />
            <ReferenceLine
              x={outcome.threshold}
              stroke="currentColor"
              strokeDasharray="4 2"
              label={{ value: 'threshold', fontSize: 11, position: 'insideTopRight' }}
            />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="small muted">
        Scores of the {outcome.cleanScores.length} clean held-out images and of the {outcome.adversarialScores.length} successful
        adversarial examples; inputs above the threshold ({outcome.threshold.toFixed(4)}) are flagged.
      </figcaption>
      <ChartData
        caption="Share of clean and adversarial images per score bin"
        rows={data}
        columns={[
          { label: 'score (bin centre)', value: (r) => r.score },
          { label: 'clean', value: (r) => percent(r.clean) },
          { label: 'adversarial', value: (r) => percent(r.adversarial) },
        ]}
      />
    </figure>
  );
}

function Result({ outcome }: { outcome: DetectOutcome }) {
  const label = ATTACKS[outcome.attack.name]?.label ?? outcome.attack.name;
  return (
    <div data-testid="detector-result">
      <p data-testid="detector-summary">
        {label}
        {outcome.settings.adaptive === 'bpda' ? ' (adaptive: BPDA through the squeezers, kept under the threshold)' : ''} on test images{' '}
        {outcome.settings.start}..{outcome.settings.start + outcome.n - 1}: {outcome.successful} successful adversarial examples of{' '}
        {outcome.cleanCorrect} attacked, <strong data-testid="detector-rate">{percent(outcome.detectionRate)}</strong> detected at a
        threshold of {outcome.threshold.toFixed(4)} (FPR {percent(outcome.fprMeasured)} on clean test images {outcome.cleanStart}..
        {outcome.cleanStart + outcome.cleanN - 1}); ROC AUC{' '}
        <strong data-testid="detector-auc">{outcome.auc === null ? '-' : outcome.auc.toFixed(4)}</strong>.
      </p>
      <p data-testid="detector-robust">
        Robust accuracy: {percent(outcome.robustAccuracy)} for the classifier alone,{' '}
        <strong>{percent(outcome.robustAccuracyUndetected)}</strong> counting flagged inputs as caught.
      </p>
      <div className="chart-row">
        <RocChart outcome={outcome} />
        <ScoreHistogram outcome={outcome} />
      </div>
      <p className="small muted">
        {outcome.model} on {outcome.backend}, {outcome.seconds.toFixed(1)} s.
      </p>
    </div>
  );
}

export function DetectorPanel() {
  const model = useLab((s) => s.model);
  const e = useLab((s) => s.experiment);
  const loaded = useLab((s) => s.dataset);
  const busy = useLab(detectorBusy);
  const job = useLab((s) => jobOfKind(s, 'detect'));
  const { outcome, error } = useDetector();
  const missing = loaded?.id === e.dataset && loaded.missing === true;
  const attackLabel = e.attack.name === 'none' ? null : (ATTACKS[e.attack.name]?.label ?? e.attack.name);
  const ready = !!model && model.dataset === e.dataset && !busy && !missing && !!attackLabel;
  return (
    <section className="panel detector-panel" aria-labelledby="detector-title" data-testid="detector-panel">
      <h2 id="detector-title">Detector: feature squeezing</h2>
      <DefenceExplain panel="detector" />
      <p className="small muted">
        Feature squeezing (Xu et al. 2018) compares the model&apos;s softmax on the input with its softmax on squeezed copies (fewer bits,
        median smoothing); a large L1 difference flags the input. The threshold is set on clean images at the chosen false positive rate.
        The attack is the studio&apos;s{attackLabel ? ` (${attackLabel}, ε ${e.attack.eps})` : ' (choose one on the Attacks tab)'}; the
        adaptive mode also keeps the score under the threshold.
      </p>
      <div className="studio-form">
        {DETECTOR_FIELDS.map((f) => (
          <FieldInput key={f.path} field={f} testPrefix="detector-" />
        ))}
      </div>
      <div className="studio-actions">
        <button type="button" className="primary" onClick={runDetector} disabled={!ready} data-testid="detector-run">
          Measure
        </button>
        <CancelButton job={job} testId="detector-cancel" />
      </div>
      {job && <JobRow job={job} prefix="detector-" />}
      {error && (
        <p className="attack-error" role="alert" data-testid="detector-error">
          {error}
        </p>
      )}
      {outcome && <Result outcome={outcome} />}
    </section>
  );
}
