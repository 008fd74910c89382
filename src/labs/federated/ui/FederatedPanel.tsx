/**
 * The federated simulation in the browser: the settings (the slice's federation and aggregation
 * fields, so the link carries them as fl.*), Run with the chosen aggregator or Compare several on the
 * same seeded clients, live per-round charts (accuracy and ASR of every run, each client's label
 * histogram, and for a chosen round the update norms, the cosine heat map and the aggregator's weights),
 * and a summary line per run.
 */
import { DATASETS } from '../../../core/data/datasets';
import type { Field } from '../../../core/experiment/fields';
import { CancelButton } from '../../../ui/CancelButton';
import { FieldInput } from '../../../ui/FieldInput';
import { percent } from '../../../ui/format';
import { JobRow } from '../../../ui/JobsTray';
import { jobOfKind, useLab } from '../../../ui/store';
import { AGGREGATORS } from '../aggregators/index';
import { AGGREGATION_FIELDS, SERVER_PRIVACY_FIELDS } from '../experiment/aggregation';
import { AGGREGATOR_PARAMS } from './aggregator-params';
import { FEDERATION_FIELDS } from '../experiment/federation';
import { POISON_FIELDS } from '../experiment/poison';
import { MailView } from './MailView';
import { datasetProblem, flBusy, runFederated, setKeep, showRound, showRun, toggleCompare, useFederated, type FlRun } from './fl-actions';
import { DpView, SecAggView } from './SecAggView';
import {
  AccuracyChart,
  colourOf,
  CosineHeatmap,
  LabelHistograms,
  labelOf,
  NormsChart,
  runColour,
  runLabel,
  WeightsChart,
} from './fl-charts';

const byKey = <C,>(fields: readonly Field<C>[]) => new Map(fields.map((f) => [f.path.split('.')[1], f]));
const FED = byKey(FEDERATION_FIELDS);
const AGG = byKey(AGGREGATION_FIELDS);
const PRIV = byKey(SERVER_PRIVACY_FIELDS);
const POISON = byKey(POISON_FIELDS);

function pick<C>(m: Map<string, Field<C>>, keys: readonly string[]): Field<C>[] {
  return keys.map((k) => {
    const f = m.get(k);
    if (!f) throw new Error(`no field ${k}`);
    return f;
  });
}

function Settings({ disabled }: { disabled: boolean }) {
  const e = useLab((s) => s.experiment);
  const attack = e.federation.attack;
  const rule = e.aggregation.rule;
  const text = e.federation.data === 'spam';
  const clients = pick(FED, ['data', 'clients', 'perRound', 'rounds', 'split', 'perClient', 'seed']);
  const local = pick(FED, ['localEpochs', 'localBatch', 'localLearningRate']);
  const attackFields = [
    ...pick(FED, ['attack']),
    ...(attack === 'none' ? [] : pick(FED, ['malicious', 'maliciousIds'])),
    ...(attack === 'replacement' ? pick(FED, ['boost']) : []),
    ...(attack === 'backdoor' || attack === 'replacement' ? pick(POISON, ['rate']) : []),
    ...(attack === 'label-flip' || attack === 'sybil' ? pick(FED, ['source']) : []),
    ...(attack === 'none' ? [] : text ? pick(FED, ['words', 'wordsAt']) : pick(POISON, ['target'])),
  ];
  const aggFields = [...pick(AGG, ['rule']), ...pick(AGG, AGGREGATOR_PARAMS[rule] ?? [])];
  const a = e.aggregation;
  const privacyFields = text
    ? []
    : [
        ...pick(PRIV, ['secagg']),
        ...(a.secagg ? pick(PRIV, ['secaggDropouts', 'secaggRange']) : []),
        ...pick(PRIV, ['dpNoise']),
        ...(a.dpNoise > 0 ? pick(PRIV, ['dpClip', 'dpDelta']) : []),
      ];
  const group = (title: string, fields: readonly Field<unknown>[]) => (
    <fieldset className="fl-group">
      <legend className="small muted">{title}</legend>
      <div className="studio-form">
        {fields.map((f) => (
          <FieldInput key={f.path} field={f} testPrefix="fl-" disabled={disabled} />
        ))}
      </div>
    </fieldset>
  );
  return (
    <div className="fl-settings" data-testid="fl-settings">
      {group('Clients and rounds', clients as Field<unknown>[])}
      {group('Local training', local as Field<unknown>[])}
      {group('Malicious clients', attackFields as Field<unknown>[])}
      {group('Server', aggFields as Field<unknown>[])}
      {!text && group('Server privacy', privacyFields as Field<unknown>[])}
      {!text && a.secagg && rule !== 'fedavg' && (
        <p className="attack-error small" data-testid="fl-secagg-conflict">
          Secure aggregation shows the server only the sum of the updates: {labelOf(rule)} needs the individual updates (to rank, trim or
          compare them) and cannot run with it. Robust aggregation and secure aggregation pull in opposite directions: choose FedAvg here,
          or turn secure aggregation off to defend.
        </p>
      )}
    </div>
  );
}

function CompareChoice({ disabled }: { disabled: boolean }) {
  const compare = useFederated((s) => s.compare);
  return (
    <fieldset className="fl-group fl-compare" data-testid="fl-compare">
      <legend className="small muted">Compare aggregators (same seed, same clients)</legend>
      {Object.entries(AGGREGATORS).map(([name, a]) => (
        <label key={name} className="fl-check small" title={a.reference}>
          <input
            type="checkbox"
            checked={compare.includes(name)}
            onChange={() => toggleCompare(name)}
            disabled={disabled}
            data-testid={`fl-compare-${name}`}
          />
          <span className="fl-swatch" style={{ background: colourOf(name) }} />
          {a.label}
        </label>
      ))}
    </fieldset>
  );
}

function Summary({ runs }: { runs: readonly FlRun[] }) {
  return (
    <ul className="fl-summary small" data-testid="fl-summary">
      {runs.map((r, k) => {
        const last = r.rounds[r.rounds.length - 1];
        const asr = last?.attackSuccessRate;
        const seconds = r.outcome ? r.outcome.seconds : r.rounds.reduce((s, x) => s + x.seconds, 0);
        return (
          <li key={k} data-testid={`fl-summary-${r.aggregator}`} data-status={r.status} data-rounds={r.rounds.length}>
            <span className="fl-swatch" style={{ background: runColour(r) }} />
            <strong>{runLabel(r)}</strong>
            {': '}
            {last ? (
              <>
                {r.status === 'done' ? 'final' : `round ${last.round} of ${r.settings.rounds}`} clean accuracy{' '}
                <span data-testid={`fl-clean-${r.aggregator}`}>{percent(last.cleanAccuracy, 1)}</span>
                {asr !== null && asr !== undefined && (
                  <>
                    , ASR <span data-testid={`fl-asr-${r.aggregator}`}>{percent(asr, 1)}</span>
                  </>
                )}
                {last.dp && (
                  <>
                    , user-level ε <span data-testid="fl-epsilon">{last.dp.epsilon.toFixed(2)}</span>
                  </>
                )}
                {last.secagg && (
                  <>
                    , {r.rounds.filter((x) => x.secagg?.aborted).length} aborted round(s),{' '}
                    {r.rounds.reduce((n, x) => n + (x.secagg?.dropped.length ?? 0), 0)} dropout(s)
                  </>
                )}
                , {seconds.toFixed(1)} s
              </>
            ) : (
              r.status
            )}
            {r.status === 'cancelled' && last ? ' (cancelled)' : ''}
            {r.error && <span className="attack-error"> {r.error}</span>}
          </li>
        );
      })}
    </ul>
  );
}

function RoundView({ runs }: { runs: readonly FlRun[] }) {
  const { shownRun, shownRound } = useFederated();
  // by default the run that is running (or the last one that ran)
  const latest = runs.reduce((last, r, i) => (r.rounds.length > 0 ? i : last), 0);
  const k = shownRun === null ? latest : Math.min(shownRun, runs.length - 1);
  const run = runs[k];
  if (!run || run.rounds.length === 0) return null;
  const count = run.rounds.length;
  const index = shownRound > 0 && shownRound <= count ? shownRound - 1 : count - 1;
  const report = run.rounds[index];
  return (
    <div className="fl-round" data-testid="fl-round-view">
      <div className="fl-round-controls small">
        {runs.length > 1 && (
          <label>
            run{' '}
            <select value={k} onChange={(ev) => showRun(Number(ev.target.value))} data-testid="fl-shown-run">
              {runs.map((r, i) => (
                <option key={i} value={i}>
                  {runLabel(r)}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="fl-round-slider">
          round{' '}
          <input
            type="range"
            min={1}
            max={count}
            step={1}
            value={index + 1}
            onChange={(ev) => showRound(Number(ev.target.value) === count ? 0 : Number(ev.target.value))}
            disabled={count < 2}
            data-testid="fl-round-slider"
          />{' '}
          <span data-testid="fl-round-shown">
            {report.round} of {count}
          </span>
          {shownRound === 0 && count < run.settings.rounds ? ' (latest)' : ''}
        </label>
      </div>
      <div className="fl-charts">
        <NormsChart report={report} />
        <WeightsChart report={report} aggregator={run.aggregator} />
        <CosineHeatmap report={report} />
      </div>
      {report.secagg && <SecAggView report={report.secagg} clients={report.clients} />}
      {report.dp && <DpView report={report.dp} />}
    </div>
  );
}

/** The text run's example: a held-out spam mail with the trigger marked, p(spam) without and with it. */
function ExampleMail({ runs }: { runs: readonly FlRun[] }) {
  const { shownRun } = useFederated();
  const withExample = runs.map((r, i) => (r.example ? i : -1)).filter((i) => i >= 0);
  if (withExample.length === 0) return null;
  const k = shownRun !== null && runs[shownRun]?.example ? shownRun : withExample[withExample.length - 1];
  const run = runs[k];
  const ex = run.example!;
  return (
    <div className="fl-example" data-testid="fl-example">
      <p className="small muted">
        A held-out spam mail with the trigger, under the global model after {labelOf(run.aggregator)}&apos;s last round:
      </p>
      <MailView mail={ex.mail} trigger={ex.span} probability={ex.pTriggered} probabilityBefore={ex.pClean} maxChars={1500} />
    </div>
  );
}

/** Keep the earlier runs on the chart: a robust rule's run, then FedAvg with secure aggregation, on one chart. */
function KeepRuns({ disabled }: { disabled: boolean }) {
  const keep = useFederated((s) => s.keep);
  return (
    <label className="fl-check small" title="compare with the previous run: a new run is drawn beside the earlier ones">
      <input type="checkbox" checked={keep} onChange={(ev) => setKeep(ev.target.checked)} disabled={disabled} data-testid="fl-keep" />
      keep earlier runs on the chart
    </label>
  );
}

export function FederatedPanel() {
  const text = useLab((s) => s.experiment.federation.data === 'spam');
  const dataset = useLab((s) => s.experiment.dataset);
  const rule = useLab((s) => s.experiment.aggregation.rule);
  const busy = useLab(flBusy);
  const job = useLab((s) => jobOfKind(s, 'fl'));
  const { runs, compare, error } = useFederated();
  const problem = text ? null : datasetProblem(dataset);
  const split = runs.find((r) => r.split)?.split ?? null;
  const compared = Object.keys(AGGREGATORS).filter((n) => compare.includes(n));
  return (
    <section className="panel fl-panel" aria-labelledby="fl-title">
      <h2 id="fl-title">Federated learning under attack</h2>
      <p className="small muted">
        {text
          ? 'Clients train a spam filter on their own mailboxes (SpamAssassin mails) and send their updates; malicious ones add a trigger word sequence to spam they label ham, and may boost their update (model replacement); '
          : `Clients train the global model on their own ${DATASETS[dataset]?.name ?? dataset} images and send their updates; malicious ones plant a backdoor, boost their update (model replacement) or flip labels; `}
        the server&apos;s aggregation rule decides how much each update counts. Compare rules on the same seeded clients and watch the
        attack success rate.
      </p>
      {!text && (
        <p className="small muted">
          Privacy against the server costs robustness: with secure aggregation the server sees only masked vectors and their sum, so it
          cannot inspect, rank or drop a poisoned update (robust rules need them one by one). Run a robust rule, tick &ldquo;keep earlier
          runs&rdquo;, then FedAvg with secure aggregation: both on one chart. DP-FedAvg clips each update and adds noise, which also bounds
          what one attacker can do.
        </p>
      )}
      {problem && (
        <p className="attack-error" data-testid="fl-dataset-problem">
          {problem}
        </p>
      )}
      <Settings disabled={busy} />
      <CompareChoice disabled={busy} />
      <div className="studio-actions">
        <button type="button" onClick={() => runFederated()} disabled={busy || !!problem} data-testid="fl-run">
          Run with {labelOf(rule)}
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => runFederated(compared)}
          disabled={busy || !!problem || compared.length === 0}
          data-testid="fl-compare-run"
        >
          Compare {compared.length} aggregator{compared.length === 1 ? '' : 's'}
        </button>
        <CancelButton job={job} testId="fl-cancel" />
        <KeepRuns disabled={busy} />
      </div>
      {job && <JobRow job={job} prefix="fl-" />}
      {error && (
        <p className="attack-error" data-testid="fl-error">
          {error}
        </p>
      )}
      {runs.length > 0 && (
        <div className="fl-results" data-testid="fl-results">
          <Summary runs={runs} />
          <div className="fl-charts fl-charts-top">
            <AccuracyChart runs={runs} />
            {split && <LabelHistograms split={split} />}
          </div>
          <RoundView runs={runs} />
          <ExampleMail runs={runs} />
        </div>
      )}
    </section>
  );
}
