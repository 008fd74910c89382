/**
 * DP-SGD in the tab: the settings (the slice's DP fields, pv.d* in the link, one FieldInput each), what
 * the run will do (q, steps, the expected batch, sigma and the epsilon it will spend: computed on the page
 * by the same accountants when cheap, RDP; PRV and its inverse are left to the worker), Train / Cancel,
 * and as the worker streams them, epsilon spent ticking up beside the probe's test accuracy (one chart,
 * two axes, and the same numbers as text). The finished model's card: accuracy and epsilon under every
 * accountant.
 */
import { useEffect, useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { DATASETS } from '../../../core/data/datasets';
import type { Field } from '../../../core/experiment/fields';
import { CancelButton } from '../../../ui/CancelButton';
import { selectModel } from '../../../ui/controller';
import { FieldInput } from '../../../ui/FieldInput';
import { percent } from '../../../ui/format';
import { ChartData } from '../../../ui/ChartData';
import { JobRow } from '../../../ui/JobsTray';
import { Explain } from '../../../ui/lessons/Explain';
import { jobOfKind, useLab } from '../../../ui/store';
import { poissonSteps } from '../algorithms/dp-counts';
import { dpPlan, type DpPlan } from '../dp-plan';
import { DP_FIELDS, type DpSettings } from '../experiment/dp';
import {
  cancelDpTraining,
  dpBusy,
  dpDatasetProblem,
  dpMembershipBusy,
  initDp,
  pauseDpTraining,
  resumeDpTraining,
  runDpMembership,
  runDpTraining,
  useDp,
} from './dp-actions';

const TRAIN_KEYS: readonly (keyof DpSettings)[] = [
  'noise',
  'sigma',
  'target',
  'clip',
  'batch',
  'epochs',
  'learningRate',
  'slice',
  'delta',
  'accountant',
  'every',
  'probe',
  'testImages',
  'seed',
];

const fieldOf = (k: keyof DpSettings) => DP_FIELDS.find((f) => f.path === `dp.${k}`)! as Field<unknown>;

export const fmtEps = (v: number) => (v === 0 ? '0' : v < 0.01 ? v.toExponential(2) : v.toFixed(v < 10 ? 3 : 1));

/** What the run will do, as far as the page can tell cheaply (RDP accountants; PRV is left to the worker). */
function usePlan(s: DpSettings): {
  plan: Partial<DpPlan> & { sampleRate: number; stepsPerEpoch: number; totalSteps: number };
  error: string | null;
} {
  return useMemo(() => {
    const sampleRate = s.batch / s.slice;
    const counts = { sampleRate, stepsPerEpoch: poissonSteps(sampleRate), totalSteps: poissonSteps(sampleRate) * s.epochs };
    if (sampleRate > 1) return { plan: counts, error: `the expected batch (${s.batch}) cannot exceed the training images (${s.slice})` };
    if (s.accountant === 'prv') return { plan: counts, error: null };
    try {
      return { plan: dpPlan(s), error: null };
    } catch (e) {
      return { plan: counts, error: e instanceof Error ? e.message : String(e) };
    }
  }, [s]);
}

const EXPLAIN = {
  what: "DP-SGD bounds what any one training image can do to the model: each image's gradient is clipped to norm C, the clipped gradients are summed, and Gaussian noise of std σC is added before the step. Batches are drawn by Poisson sampling (each image joins with probability q), which is what lets the accountant count the privacy spent: ε at δ after T steps. More noise, fewer steps or a smaller q spend less ε, and cost accuracy.",
  formula:
    '\\tilde g_t = \\frac{1}{\\lfloor qN \\rfloor}\\Big(\\sum_{i \\in B_t} g_i \\min\\big(1, \\tfrac{C}{\\|g_i\\|_2}\\big) + \\mathcal N(0, \\sigma^2 C^2 I)\\Big),\\qquad \\theta_{t+1} = \\theta_t - \\eta\\, \\tilde g_t',
  paper: {
    cite: 'Abadi et al., Deep learning with differential privacy, CCS 2016 (as Opacus runs it)',
    url: 'https://arxiv.org/abs/1607.00133',
  },
};

function Curve({
  points,
  accountant,
  delta,
}: {
  points: { step: number; epsilon: number; accuracy: number }[];
  accountant: string;
  delta: number;
}) {
  return (
    <figure className="fl-chart" data-testid="pv-dp-curve" data-points={points.length}>
      <figcaption className="small muted">
        Test accuracy on the probe images (left axis) and ε spent at δ = {delta} under {accountant} (right axis), against noisy steps
      </figcaption>
      <ResponsiveContainer width="100%" height={240}>
        <LineChart data={points} margin={{ top: 6, right: 4, bottom: 14, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ec" />
          <XAxis
            dataKey="step"
            type="number"
            domain={[0, 'dataMax']}
            allowDecimals={false}
            tick={{ fontSize: 11 }}
            label={{ value: 'step', position: 'insideBottom', offset: -8, fontSize: 11 }}
          />
          <YAxis
            yAxisId="acc"
            domain={[0, 1]}
            tick={{ fontSize: 11 }}
            width={42}
            tickFormatter={(v: number) => `${Math.round(v * 100)}%`}
          />
          <YAxis yAxisId="eps" orientation="right" tick={{ fontSize: 11 }} width={40} />
          <Tooltip
            formatter={(v, name) => (typeof v === 'number' ? (name === 'ε spent' ? fmtEps(v) : percent(v, 1)) : String(v))}
            labelFormatter={(s) => `after step ${String(s)}`}
          />
          <Legend verticalAlign="top" wrapperStyle={{ fontSize: 12 }} />
          <Line yAxisId="acc" dataKey="accuracy" name="test accuracy" stroke="#1f8a4c" strokeWidth={2} isAnimationActive={false} />
          <Line yAxisId="eps" dataKey="epsilon" name="ε spent" stroke="#c8372d" strokeWidth={2} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** The loss-threshold membership test on the model in Setup: what DP-SGD buys, in one number. */
function Membership() {
  const model = useLab((s) => s.model?.id);
  const slice = useLab((s) => s.experiment.dp.slice);
  const busy = useLab(dpMembershipBusy);
  const job = useLab((s) => jobOfKind(s, 'dp-membership'));
  const { outcome: o, error } = useDp((s) => s.membership);
  return (
    <div className="pv-dp-membership" data-testid="pv-dp-membership">
      <h3>Does the model give its training images away?</h3>
      <p className="small muted">
        The loss-threshold attack (Yeom et al. 2018) on the model chosen in Setup ({model ?? 'none yet'}): it calls an image a member when
        the model&apos;s loss on it is low. Members: the first {slice.toLocaleString('en-US')} training images (the run&apos;s slice; the
        zoo&apos;s models trained on them too); non-members: as many test images. AUC 0.5 is guessing.
      </p>
      <div className="studio-actions">
        <button type="button" onClick={runDpMembership} disabled={busy || !model} data-testid="pv-dp-membership-run">
          Test membership
        </button>
        <CancelButton job={job} testId="pv-dp-membership-cancel" />
      </div>
      {job && <JobRow job={job} prefix="pv-dp-membership-" />}
      {error && (
        <p className="attack-error" role="alert">
          {error}
        </p>
      )}
      {o && (
        <p className="small" data-testid="pv-dp-membership-result" data-auc={o.auc} data-model={o.model}>
          {o.model} on {o.n.toLocaleString('en-US')} members and {o.n.toLocaleString('en-US')} non-members: AUC{' '}
          <strong>{o.auc.toFixed(3)}</strong>, TPR at 1% FPR {percent(o.tprAt01, 2)}, at 0.1% FPR {percent(o.tprAt001, 2)}, advantage{' '}
          {o.advantage.toFixed(3)}; mean loss {o.memberLoss.toFixed(3)} on members against {o.nonMemberLoss.toFixed(3)} on non-members.
        </p>
      )}
    </div>
  );
}

export function DpTrainPanel() {
  const dataset = useLab((s) => s.experiment.dataset);
  const s = useLab((st) => st.experiment.dp);
  const busy = useLab(dpBusy);
  const job = useLab((st) => jobOfKind(st, 'dp-train'));
  const { status, run, plan: streamed, points, outcome, error, stopping } = useDp();
  useEffect(() => {
    void initDp();
  }, []);
  const running = job !== null;
  const paused = status === 'paused' && !running;
  const problem = dpDatasetProblem(dataset);
  const { plan, error: planError } = usePlan(s);
  const keys = TRAIN_KEYS.filter((k) => (s.noise === 'sigma' ? k !== 'target' : k !== 'sigma'));
  const last = points[points.length - 1];
  const shownRun = run ?? { dataset, settings: s };
  const card = outcome?.card;
  return (
    <section className="panel pv-dp-panel" aria-labelledby="pv-dp-title" data-testid="pv-dp">
      <h2 id="pv-dp-title">DP-SGD training</h2>
      <Explain
        title="DP-SGD"
        x={{ ...EXPLAIN, params: TRAIN_KEYS.map((k) => ({ label: fieldOf(k).label, help: fieldOf(k).help ?? '' })) }}
        testId="pv-dp-explain"
      />
      <p className="small muted">
        Trains Opacus&apos;s MNIST network from scratch in this tab, on the active backend, on the first {s.slice.toLocaleString('en-US')}{' '}
        {DATASETS[dataset]?.name ?? dataset} training images, with differential privacy: ε ticks up as the steps are taken. The model is
        then one of your models (in every picker and in the Defence Lab&apos;s list, exportable).
      </p>
      {problem && (
        <p className="attack-error" data-testid="pv-dp-dataset-problem">
          {problem}
        </p>
      )}
      <div className="studio-form pv-dp-form">
        {keys.map((k) => (
          <FieldInput key={k} field={fieldOf(k)} testPrefix="pv-dp-" disabled={busy} />
        ))}
      </div>
      <p className="small" data-testid="pv-dp-plan">
        q = {s.batch} / {s.slice.toLocaleString('en-US')} = {Number(plan.sampleRate.toPrecision(4))}, {plan.stepsPerEpoch} steps an epoch,{' '}
        {plan.totalSteps} in all
        {plan.noiseMultiplier !== undefined && plan.epsilon !== undefined ? (
          <>
            ; σ = {Number(plan.noiseMultiplier.toPrecision(4))}
            {s.noise === 'epsilon' ? ' (the inverse accountant’s)' : ''}: the run will spend ε = {fmtEps(plan.epsilon)} at δ = {s.delta} (
            {s.accountant}).
          </>
        ) : (
          <>
            {s.noise === 'epsilon'
              ? '; σ for the target ε is found by the PRV accountant when the run starts.'
              : '; ε under PRV is computed in the worker.'}
          </>
        )}
      </p>
      {planError && (
        <p className="attack-error small" data-testid="pv-dp-plan-error">
          {planError}
        </p>
      )}
      <div className="studio-actions">
        <button
          type="button"
          className="primary"
          onClick={runDpTraining}
          disabled={busy || !!problem || !!planError}
          data-testid="pv-dp-run"
        >
          {paused ? 'Train anew' : 'Train with DP-SGD'}
        </button>
        {running && (
          <button type="button" onClick={pauseDpTraining} disabled={stopping !== null} data-testid="pv-dp-pause">
            {stopping === 'pause' ? 'Pausing…' : 'Pause'}
          </button>
        )}
        {paused && (
          <button type="button" className="primary" onClick={resumeDpTraining} disabled={busy} data-testid="pv-dp-resume">
            Resume
          </button>
        )}
        {(running || paused) && (
          <button type="button" className="secondary" onClick={cancelDpTraining} disabled={stopping !== null} data-testid="pv-dp-cancel">
            {stopping === 'cancel' ? 'Cancelling…' : running ? 'Cancel' : 'Discard the run'}
          </button>
        )}
      </div>
      {paused && run && (
        <p className="small" data-testid="pv-dp-paused">
          A DP-SGD run on {DATASETS[run.dataset]?.name ?? run.dataset} is saved in this browser at step{' '}
          {points[points.length - 1]?.step ?? 0}
          {streamed ? ` of ${streamed.totalSteps}` : ''}: Resume goes on from its last saved step, the accountant counting the steps before.
        </p>
      )}
      {job && <JobRow job={job} prefix="pv-dp-" />}
      {error && (
        <p className="attack-error" role="alert" data-testid="pv-dp-error">
          {error}
        </p>
      )}
      {status === 'cancelled' && <p className="small muted">Cancelled: nothing was stored.</p>}
      {(running || points.length > 0) && (
        <p
          className="small"
          data-testid="pv-dp-status"
          data-step={last?.step ?? 0}
          data-epsilon={last?.epsilon ?? 0}
          data-accuracy={last?.accuracy ?? ''}
        >
          {last ? (
            <>
              step {last.step} of {streamed?.totalSteps ?? plan.totalSteps} · ε spent <strong>{fmtEps(last.epsilon)}</strong> at δ ={' '}
              {shownRun.settings.delta} ({shownRun.settings.accountant}) · test accuracy <strong>{percent(last.accuracy, 1)}</strong> on{' '}
              {shownRun.settings.probe} images
              {streamed ? ` · σ = ${Number(streamed.noiseMultiplier.toPrecision(4))}` : ''}
            </>
          ) : (
            'starting…'
          )}
        </p>
      )}
      {points.length > 0 && <Curve points={points} accountant={shownRun.settings.accountant} delta={shownRun.settings.delta} />}
      {points.length > 0 && (
        <ChartData
          caption={`Readings of the run: ε spent (${shownRun.settings.accountant}), test accuracy on the probe images and loss per step`}
          rows={points}
          testId="pv-dp-readings"
          columns={[
            { label: 'step', value: (p) => p.step },
            { label: 'ε', value: (p) => fmtEps(p.epsilon) },
            { label: 'test accuracy', value: (p) => percent(p.accuracy, 1) },
            { label: 'loss', value: (p) => (Number.isFinite(p.loss) ? p.loss.toFixed(3) : '–') },
          ]}
        />
      )}
      {card && card.privacy && (
        <div className="train-result" data-testid="pv-dp-result" data-model={card.id}>
          <p>
            <strong>{card.id}</strong> is stored in this browser: test accuracy {percent(card.cleanAccuracy.accuracy, 2)} on{' '}
            {card.cleanAccuracy.n} images after {card.privacy.steps} noisy steps (σ = {Number(card.privacy.noiseMultiplier.toPrecision(4))},
            C = {card.privacy.clip}, q = {Number(card.privacy.sampleRate.toPrecision(4))}); ε at δ = {card.privacy.delta}:{' '}
            {card.privacy.epsilon.map((e, i) => (
              <span key={e.accountant}>
                {i > 0 ? ', ' : ''}
                {fmtEps(e.epsilon)} ({e.accountant})
              </span>
            ))}
            ; {card.trainingSeconds} s on {card.backend}.
          </p>
          <button type="button" onClick={() => selectModel(card.id)} data-testid="pv-dp-choose">
            Choose it in Setup
          </button>
        </div>
      )}
      <Membership />
    </section>
  );
}
