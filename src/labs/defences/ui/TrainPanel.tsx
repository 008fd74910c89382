import { useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { DATASETS } from '../../../core/data/datasets';
import { fieldOf, fieldText, parseFieldValue } from '../../experiment';
import { jobOfKind, patchExperiment, setupBusy, useLab } from '../../../ui/store';
import { JobRow } from '../../../ui/JobsTray';
import { percent } from '../../../ui/format';
import { cell, ChartData } from '../../../ui/ChartData';
import type { TrainingSettings } from '../experiment/training';
import { METHOD_LABELS, overfittingWarning, PROBE_IMAGES, type TrainLog } from '../training/log';
import { cancelTraining, discardRun, openModel, pauseTraining, resumeTraining, startTraining } from './actions';
import { useDefences } from './store';
import { DefenceExplain } from './explain';

/** At most this many points per line: a full MNIST epoch has 461 batches. */
const MAX_POINTS = 300;

function thin<T>(points: T[]): T[] {
  if (points.length <= MAX_POINTS) return points;
  const stride = Math.ceil(points.length / MAX_POINTS);
  return points.filter((_, i) => i % stride === 0 || i === points.length - 1);
}

type Key = keyof TrainingSettings;

/** One setting: a select for enums, a number box for numbers; only values the field table accepts reach the experiment. */
function SettingControl({ k, disabled }: { k: Key; disabled: boolean }) {
  const e = useLab((s) => s.experiment);
  const field = fieldOf(`training.${k}`);
  const text = fieldText(e, `training.${k}`);
  const [draft, setDraft] = useState<{ base: string; text: string; error: string | null } | null>(null);
  const shown = draft && draft.base === text ? draft : { text, error: null };
  const id = `train-set-${k}`;
  const change = (raw: string) => {
    const r = parseFieldValue(field, raw, e);
    if ('error' in r) setDraft({ base: text, text: raw, error: r.error });
    else {
      const next = { ...e.training, [k]: r.value } as TrainingSettings;
      setDraft({ base: fieldText({ ...e, training: next }, `training.${k}`), text: raw, error: null });
      patchExperiment({ training: next });
    }
  };
  const t = field.type;
  return (
    <div className="param">
      <label className="param-label" htmlFor={id} title={field.help}>
        {field.label}
      </label>
      {t.kind === 'enum' ? (
        <select id={id} value={String(e.training[k])} disabled={disabled} onChange={(ev) => change(ev.target.value)} data-testid={id}>
          {t.values.map((v) => (
            <option key={v} value={v}>
              {k === 'method' ? METHOD_LABELS[v as TrainingSettings['method']] : v}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          type="text"
          inputMode="decimal"
          size={8}
          value={shown.text}
          disabled={disabled}
          onChange={(ev) => change(ev.target.value)}
          onBlur={() => setDraft(null)}
          aria-invalid={shown.error ? true : undefined}
          title={shown.error ?? field.help}
          data-testid={id}
        />
      )}
      {shown.error && <span className="small attack-error">{shown.error}</span>}
    </div>
  );
}

function duration(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** The checkpoint the loop keeps: the last epoch that was the best so far when it ended. */
function chosenEpoch(log: TrainLog) {
  let chosen = null;
  for (const e of log.epochs) if (e.selected) chosen = e;
  return chosen;
}

/** A held-out accuracy for a table cell (a dash where it was not measured). */
const pct = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : percent(v, 1));

function Charts({ log, running, holdout }: { log: TrainLog; running: boolean; holdout: number }) {
  const batches = useMemo(
    () => thin(log.batches).map((b) => ({ ...b, accuracy: Number.isFinite(b.accuracy) ? b.accuracy : null })),
    [log.batches],
  );
  const held = useMemo(
    () =>
      [
        ...log.probes.map((p) => ({ step: p.step, probeClean: p.clean, probeRobust: p.robust })),
        ...log.epochs.map((e) => ({ step: e.step, epochClean: e.holdoutClean, epochRobust: e.holdoutRobust })),
      ].sort((a, b) => a.step - b.step),
    [log.probes, log.epochs],
  );
  const chosen = chosenEpoch(log);
  return (
    <div className="train-charts">
      <figure className="train-chart" data-testid="train-batch-chart" data-points={log.batches.length} data-running={running}>
        <figcaption className="small muted">Per batch: loss and accuracy on the examples trained on</figcaption>
        <ResponsiveContainer width="100%" height={200}>
          <LineChart data={batches} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ec" />
            <XAxis dataKey="step" type="number" domain={[0, 'dataMax']} allowDecimals={false} tick={{ fontSize: 11 }} />
            <YAxis yAxisId="acc" domain={[0, 1]} tick={{ fontSize: 11 }} width={32} />
            <YAxis yAxisId="loss" orientation="right" tick={{ fontSize: 11 }} width={40} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))} labelFormatter={(s) => `batch ${String(s)}`} />
            <Legend verticalAlign="top" wrapperStyle={{ fontSize: 12 }} />
            <Line yAxisId="loss" dataKey="loss" name="loss" stroke="#7a4cc2" dot={false} isAnimationActive={false} />
            <Line yAxisId="acc" dataKey="accuracy" name="training accuracy" stroke="#c07a12" dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
        <ChartData
          caption="Loss and training accuracy per batch"
          rows={log.batches}
          testId="train-batch-data"
          columns={[
            { label: 'batch', value: (r) => r.step },
            { label: 'epoch', value: (r) => r.epoch },
            { label: 'loss', value: (r) => cell(r.loss) },
            { label: 'training accuracy', value: (r) => (Number.isFinite(r.accuracy) ? percent(r.accuracy, 1) : '–') },
          ]}
        />
      </figure>
      <figure className="train-chart" data-testid="train-holdout-chart" data-points={held.length}>
        <figcaption className="small muted">
          Held-out accuracy: clean and PGD-10 (every few batches on the first {Math.min(PROBE_IMAGES, holdout)} held-out images; after each
          epoch on all {holdout})
        </figcaption>
        <ResponsiveContainer width="100%" height={200}>
          <LineChart data={held} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ec" />
            <XAxis dataKey="step" type="number" domain={[0, 'dataMax']} allowDecimals={false} tick={{ fontSize: 11 }} />
            <YAxis domain={[0, 1]} tick={{ fontSize: 11 }} width={32} />
            <Tooltip
              formatter={(v) => (typeof v === 'number' ? percent(v, 1) : String(v))}
              labelFormatter={(s) => `after batch ${String(s)}`}
            />
            <Legend verticalAlign="top" wrapperStyle={{ fontSize: 12 }} />
            <Line dataKey="probeClean" name="clean (probe)" stroke="#1f8a4c" strokeOpacity={0.5} connectNulls isAnimationActive={false} />
            <Line dataKey="probeRobust" name="PGD (probe)" stroke="#c8372d" strokeOpacity={0.5} connectNulls isAnimationActive={false} />
            <Line dataKey="epochClean" name="clean (epoch)" stroke="#1f8a4c" strokeWidth={2} connectNulls isAnimationActive={false} />
            <Line dataKey="epochRobust" name="PGD (epoch)" stroke="#c8372d" strokeWidth={2} connectNulls isAnimationActive={false} />
            {chosen && (
              <ReferenceLine x={chosen.step} stroke="#2f6fde" strokeDasharray="4 3" label={{ value: 'checkpoint', fontSize: 11 }} />
            )}
          </LineChart>
        </ResponsiveContainer>
        <ChartData
          caption="Held-out accuracy, clean and under PGD-10, after each probe and each epoch"
          rows={held}
          testId="train-holdout-data"
          columns={[
            {
              label: 'after batch',
              value: (r) => `${r.step}${chosen && 'epochClean' in r && r.step === chosen.step ? ' (checkpoint)' : ''}`,
            },
            {
              label: 'measured on',
              value: (r) => ('epochClean' in r ? `epoch: ${holdout} images` : `probe: ${Math.min(PROBE_IMAGES, holdout)} images`),
            },
            { label: 'clean', value: (r) => pct('epochClean' in r ? r.epochClean : r.probeClean) },
            { label: 'PGD-10', value: (r) => pct('epochRobust' in r ? r.epochRobust : r.probeRobust) },
          ]}
        />
      </figure>
      <figure className="train-chart" data-testid="train-speed-chart" data-points={log.batches.length}>
        <figcaption className="small muted">Throughput (training images per second)</figcaption>
        <ResponsiveContainer width="100%" height={120}>
          <LineChart data={batches} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ec" />
            <XAxis dataKey="step" type="number" domain={[0, 'dataMax']} allowDecimals={false} tick={{ fontSize: 11 }} />
            <YAxis tick={{ fontSize: 11 }} width={40} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(1) : String(v))} labelFormatter={(s) => `batch ${String(s)}`} />
            <Line dataKey="imagesPerSecond" name="img/s" stroke="#2f6fde" dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
        <ChartData
          caption="Training images per second, per batch"
          rows={log.batches}
          testId="train-speed-data"
          columns={[
            { label: 'batch', value: (r) => r.step },
            { label: 'images per second', value: (r) => cell(r.imagesPerSecond, 1) },
          ]}
        />
      </figure>
    </div>
  );
}

/** Adversarial training in the tab: settings, live charts, pause / resume / cancel, the stored result. */
export function TrainPanel() {
  const t = useLab((s) => s.experiment.training);
  const dataset = useLab((s) => s.experiment.dataset);
  const model = useLab((s) => s.model);
  const busySetup = useLab(setupBusy);
  const job = useLab((s) => jobOfKind(s, 'train'));
  const d = useDefences();
  const running = d.jobId !== null || job !== null;
  const warning = useMemo(() => overfittingWarning(d.log), [d.log]);
  const last = d.log.batches[d.log.batches.length - 1];
  const chosen = chosenEpoch(d.log);
  const shown: Key[] = [
    'method',
    'start',
    'epochs',
    'batchSize',
    'learningRate',
    'schedule',
    ...(t.method === 'standard' ? [] : (['eps', 'stepSize'] as Key[])),
    ...(t.method === 'pgd' || t.method === 'trades' ? (['steps'] as Key[]) : []),
    ...(t.method === 'trades' ? (['beta'] as Key[]) : []),
    'slice',
    'holdout',
    'probeEvery',
    'testImages',
    'seed',
  ];
  const ds = DATASETS[dataset];
  const card = d.outcome?.status === 'done' ? d.outcome.card : null;
  return (
    <section className="panel train-panel" aria-labelledby="train-title" data-testid="train-panel">
      <h2 id="train-title">Train a model</h2>
      <DefenceExplain panel="train" />
      <p className="small muted">
        Trains in this tab on the {ds?.name ?? dataset} training images, on the active backend: {METHOD_LABELS[t.method]}
        {t.start === 'fine-tune' ? `, fine-tuning ${model?.id ?? 'the chosen model'}` : ', from scratch'}. The run is saved in this browser
        every few seconds: after a reload it resumes from the last saved batch.
      </p>
      <div className="studio-form train-form">
        {shown.map((k) => (
          <SettingControl key={k} k={k} disabled={running} />
        ))}
      </div>
      <div className="studio-actions">
        <button type="button" className="primary" disabled={running || busySetup} onClick={startTraining} data-testid="train-start">
          {d.paused ? 'Train anew' : 'Train'}
        </button>
        {running && (
          <button type="button" onClick={pauseTraining} disabled={d.stopping !== null} data-testid="train-pause">
            {d.stopping === 'pause' ? 'Pausing…' : 'Pause'}
          </button>
        )}
        {!running && d.paused && (
          <button type="button" className="primary" onClick={resumeTraining} disabled={busySetup} data-testid="train-resume">
            Resume
          </button>
        )}
        {(running || d.paused) && (
          <button
            type="button"
            className="secondary"
            onClick={running ? cancelTraining : () => void discardRun()}
            disabled={d.stopping !== null}
            data-testid="train-cancel"
          >
            {d.stopping === 'cancel' ? 'Cancelling…' : running ? 'Cancel' : 'Discard the run'}
          </button>
        )}
      </div>
      {job && <JobRow job={job} prefix="train-" cancel={false} />}
      {d.paused && !running && d.run && (
        <p className="small" data-testid="train-paused">
          A run of {METHOD_LABELS[d.run.settings.method]} on {DATASETS[d.run.dataset]?.name ?? d.run.dataset} is stored in this browser at
          batch {last?.step ?? 0} of {d.totalSteps}: Resume goes on from its last saved batch.
        </p>
      )}
      {(running || d.log.batches.length > 0) && (
        <p className="small train-status" data-testid="train-status" data-step={last?.step ?? 0}>
          {last ? (
            <>
              epoch {last.epoch} of {d.run?.settings.epochs ?? t.epochs} · batch {last.step} of {d.totalSteps} · loss {last.loss.toFixed(3)}{' '}
              · {Math.round(last.imagesPerSecond)} img/s
              {running && d.secondsLeft !== null && <> · about {duration(d.secondsLeft)} left</>}
            </>
          ) : (
            'starting…'
          )}
        </p>
      )}
      {warning && (
        <p className="notice warning small" role="alert" data-testid="train-overfitting">
          {warning}
        </p>
      )}
      {d.error && (
        <p className="attack-error" role="alert" data-testid="train-error">
          {d.error}
        </p>
      )}
      {(running || d.log.batches.length > 0) && <Charts log={d.log} running={running} holdout={d.run?.settings.holdout ?? t.holdout} />}
      {chosen && (
        <p className="small" data-testid="train-checkpoint">
          Checkpoint: epoch {chosen.epoch}, chosen by{' '}
          {chosen.holdoutRobust !== null ? `PGD-10 accuracy ${percent(chosen.holdoutRobust, 1)}` : `accuracy`} on the held-out images (clean{' '}
          {percent(chosen.holdoutClean, 1)}).
        </p>
      )}
      {card && (
        <div className="train-result" data-testid="train-result" data-model={card.id}>
          <p>
            <strong>{card.id}</strong> is stored in this browser: clean {percent(card.cleanAccuracy.accuracy, 2)}
            {card.robustAccuracy[0] && (
              <>
                , PGD-10 at ε {card.robustAccuracy[0].eps} {percent(card.robustAccuracy[0].accuracy, 2)}
              </>
            )}{' '}
            on {card.cleanAccuracy.n} test images; trained in {card.trainingSeconds} s on {card.backend}.
          </p>
          <button type="button" onClick={() => openModel(card)} data-testid="train-open">
            Open in the studio
          </button>
        </div>
      )}
    </section>
  );
}
