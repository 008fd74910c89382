/**
 * Membership inference in the browser: the settings (the slice's mia fields, pv.* in the link), Run
 * (K shadow models and a target trained in the worker on LiRA halves of a pool of Setup's training
 * images), then every attack's ROC on log-log axes (as Carlini et al. 2022 argue: what matters is the
 * TPR at a low FPR), a table of AUC, TPR at 0.1% and 1% FPR and advantage, and the target's training
 * images the strongest attack is surest of.
 */
import { ChartData } from '../../../ui/ChartData';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { DATASETS } from '../../../core/data/datasets';
import type { Field } from '../../../core/experiment/fields';
import { CancelButton } from '../../../ui/CancelButton';
import { FieldInput } from '../../../ui/FieldInput';
import { percent } from '../../../ui/format';
import { JobRow } from '../../../ui/JobsTray';
import { PixelCanvas } from '../../../ui/PixelCanvas';
import { jobOfKind, useLab } from '../../../ui/store';
import { MIA_FIELDS } from '../experiment/mia';
import { MIA_ATTACK_NAMES, type MiaAttack } from '../algorithms/mia/attacks';
import type { MiaOutcome } from '../mia-job';
import { miaBusy, miaDatasetProblem, runMiaExperiment, useMia } from './mia-actions';

const COLOURS: Record<MiaAttack, string> = {
  loss: '#888f9c',
  shadow: '#c07a12',
  'lira-online': '#c8372d',
  'lira-offline': '#2f6fde',
  'lira-online-fixed': '#1f8a4c',
};

const fmtRate = (v: number) => (v >= 0.01 ? `${Math.round(v * 100)}%` : `${Number((v * 100).toPrecision(1))}%`);

function RocChart({ outcome }: { outcome: MiaOutcome }) {
  // log axes: from one non-member (the smallest FPR a threshold can have) to 1
  const lo = Math.max(1e-5, 1 / Math.max(1, outcome.nonMembers));
  const floor = Math.pow(10, Math.floor(Math.log10(Math.min(lo, 1 / Math.max(1, outcome.members)))));
  const ticks = [];
  for (let t = floor; t <= 1.0000001; t *= 10) ticks.push(Number(t.toPrecision(1)));
  return (
    <figure className="fl-chart" data-testid="pv-mia-roc" data-attacks={outcome.attacks.length}>
      <figcaption className="small muted">
        ROC of each attack on the target&apos;s {outcome.members} members and {outcome.nonMembers} non-members, log-log axes (the grey line:
        guessing)
      </figcaption>
      <ResponsiveContainer width="100%" height={320}>
        <LineChart margin={{ top: 6, right: 12, bottom: 14, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ec" />
          <XAxis
            dataKey="fpr"
            type="number"
            scale="log"
            domain={[floor, 1]}
            ticks={ticks}
            allowDataOverflow
            tickFormatter={fmtRate}
            tick={{ fontSize: 11 }}
            label={{ value: 'false positive rate', position: 'insideBottom', offset: -8, fontSize: 11 }}
          />
          <YAxis
            dataKey="tpr"
            type="number"
            scale="log"
            domain={[floor, 1]}
            ticks={ticks}
            allowDataOverflow
            tickFormatter={fmtRate}
            tick={{ fontSize: 11 }}
            width={48}
          />
          <Tooltip
            formatter={(v) => (typeof v === 'number' ? percent(v, 2) : String(v))}
            labelFormatter={(f) => `FPR ${percent(Number(f), 2)}`}
          />
          <Legend verticalAlign="top" wrapperStyle={{ fontSize: 12 }} />
          <Line
            data={[
              { fpr: floor, tpr: floor },
              { fpr: 1, tpr: 1 },
            ]}
            dataKey="tpr"
            name="chance"
            stroke="#bbb"
            strokeDasharray="4 4"
            dot={false}
            isAnimationActive={false}
            legendType="none"
          />
          {outcome.attacks.map((a) => (
            <Line
              key={a.attack}
              data={a.curve.filter((p) => p.tpr > 0).map((p) => ({ fpr: Math.max(p.fpr, floor), tpr: p.tpr }))}
              dataKey="tpr"
              name={MIA_ATTACK_NAMES[a.attack]}
              stroke={COLOURS[a.attack]}
              strokeWidth={2}
              dot={false}
              type="stepAfter"
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
      <ChartData
        caption={`ROC of each attack: true positive rate against false positive rate on ${outcome.members} members and ${outcome.nonMembers} non-members`}
        rows={outcome.attacks.flatMap((a) => a.curve.map((p) => ({ attack: MIA_ATTACK_NAMES[a.attack], ...p })))}
        testId="pv-mia-roc-data"
        columns={[
          { label: 'attack', value: (r) => r.attack },
          { label: 'false positive rate', value: (r) => percent(r.fpr, 2) },
          { label: 'true positive rate', value: (r) => percent(r.tpr, 2) },
        ]}
      />
    </figure>
  );
}

function MetricsTable({ outcome }: { outcome: MiaOutcome }) {
  return (
    <table className="small pv-mia-table" data-testid="pv-mia-table">
      <thead>
        <tr>
          <th align="left">attack</th>
          <th>AUC</th>
          <th>TPR at 0.1% FPR</th>
          <th>TPR at 1% FPR</th>
          <th>advantage</th>
        </tr>
      </thead>
      <tbody>
        {outcome.attacks.map((a) => (
          <tr key={a.attack} data-testid={`pv-mia-row-${a.attack}`}>
            <td>
              <span className="fl-swatch" style={{ background: COLOURS[a.attack] }} /> {MIA_ATTACK_NAMES[a.attack]}
            </td>
            <td align="right" data-testid={`pv-mia-auc-${a.attack}`}>
              {a.auc.toFixed(3)}
            </td>
            <td align="right">{percent(a.tprAt001, 2)}</td>
            <td align="right">{percent(a.tprAt01, 2)}</td>
            <td align="right">{a.advantage.toFixed(3)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Exposed({ outcome }: { outcome: MiaOutcome }) {
  if (outcome.exposed.length === 0) return null;
  const names = DATASETS[outcome.config.dataset]?.classNames;
  return (
    <div data-testid="pv-mia-exposed">
      <p className="small muted">
        The most exposed training images: the target&apos;s members that the strongest attack here ({MIA_ATTACK_NAMES[outcome.exposedBy]},
        by TPR at 0.1% FPR) scores highest, highest first:
      </p>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8 }}>
        {outcome.exposed.map((x) => (
          <figure key={x.index} style={{ margin: 0, textAlign: 'center' }} title={`training image ${x.index}, score ${x.score.toFixed(2)}`}>
            <PixelCanvas pixels={x.pixels} shape={outcome.shape} size={56} label={`training image ${x.index}`} />
            <figcaption className="small muted">{names?.[x.label] ?? x.label}</figcaption>
          </figure>
        ))}
      </div>
    </div>
  );
}

export function MiaPanel() {
  const dataset = useLab((s) => s.experiment.dataset);
  const busy = useLab(miaBusy);
  const job = useLab((s) => jobOfKind(s, 'mia'));
  const { status, outcome, models, error } = useMia();
  const problem = miaDatasetProblem(dataset);
  return (
    <section className="panel pv-mia-panel" aria-labelledby="pv-mia-title" data-testid="pv-mia">
      <h2 id="pv-mia-title">Membership inference</h2>
      <p className="small muted">
        Was this image in the training set? Shadow models and a target each train on a random half of a pool of{' '}
        {DATASETS[dataset]?.name ?? dataset} training images; the attacks score the target&apos;s members against its non-members: a loss
        threshold (Yeom et al.), per-class shadow attack models (Shokri et al.) and LiRA&apos;s per-example likelihood ratio (Carlini et
        al.). What counts is the true-positive rate at a low false-positive rate.
      </p>
      {problem && (
        <p className="attack-error" data-testid="pv-mia-dataset-problem">
          {problem}
        </p>
      )}
      <div className="fl-settings">
        <fieldset className="fl-group">
          <legend className="small muted">Pool, shadows and training (every model alike)</legend>
          <div className="studio-form pv-mia-form">
            {MIA_FIELDS.map((f) => (
              <FieldInput key={f.path} field={f as Field<unknown>} testPrefix="pv-mia-" disabled={busy} />
            ))}
          </div>
        </fieldset>
      </div>
      <div className="studio-actions">
        <button type="button" onClick={runMiaExperiment} disabled={busy || !!problem} data-testid="pv-mia-run">
          Train and attack
        </button>
        <CancelButton job={job} testId="pv-mia-cancel" />
      </div>
      {job && <JobRow job={job} prefix="pv-mia-" />}
      {error && (
        <p className="attack-error" data-testid="pv-mia-error">
          {error}
        </p>
      )}
      {status === 'cancelled' && <p className="small muted">Cancelled.</p>}
      {outcome && (
        <div data-testid="pv-mia-results">
          <p className="small" data-testid="pv-mia-summary">
            Target: {percent(outcome.targetTrainAccuracy, 1)} on its {outcome.members} training images,{' '}
            {percent(outcome.targetTestAccuracy, 1)} on {outcome.config.holdout} test images ({models.length} models,{' '}
            {outcome.seconds.toFixed(0)} s).
          </p>
          {outcome.config.dp && outcome.targetEpsilon && (
            <p className="small" data-testid="pv-mia-dp">
              Every model trained with DP-SGD (σ = {outcome.config.dp.sigma}, C = {outcome.config.dp.clip}): the target&apos;s ε ={' '}
              {outcome.targetEpsilon.rdp.toFixed(2)} (RDP) / {outcome.targetEpsilon.prv.toFixed(2)} (PRV) at δ ={' '}
              {outcome.targetEpsilon.delta}. An AUC near 0.5 means the attacks can no longer tell members from non-members.
            </p>
          )}
          <MetricsTable outcome={outcome} />
          <div className="fl-charts fl-charts-top">
            <RocChart outcome={outcome} />
          </div>
          <Exposed outcome={outcome} />
        </div>
      )}
    </section>
  );
}
