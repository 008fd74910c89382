import { useEffect, useMemo, useRef, useState } from 'react';
import type { SliderRange } from '../../../core/experiment/fields';
import { ATTACK_PARAM_FIELDS, ATTACKS, isAttackName, nextMoveAfterFooling, paramKey, type AttackInfo, type ParamField } from '../index';
import { DATASETS } from '../../../core/data/datasets';
import { effectiveNorm, maxEps, parseFieldValue, type AttackName, type AttackParams, type Experiment } from '../../experiment';
import {
  amplification,
  DIVERGING_MAPS,
  divergingGradient,
  magnitudeRgba,
  perturbationRgba,
  perturbationRgbRgba,
} from '../../../ui/colormap';
import { useSettings } from '../../../ui/settings';
import { DownloadLink } from '../../../ui/DownloadLink';
import { attackJson } from './export';
import { selectCompareModel, selectModel } from '../../../ui/controller';
import { CancelButton } from '../../../ui/CancelButton';
import { canStep, pauseAttack, playAttack, resetStepper, runAttack, stepAttack } from './actions';
import type { AttackOutcome } from '../../../worker/protocol';
import { PixelCanvas } from '../../../ui/PixelCanvas';
import { epsIn255, epsText, parseEpsText } from '../../../ui/format';
import { attackPreset } from '../presets';
import { ProbabilityBars } from '../../../ui/ProbabilityBars';
import { StepIcon } from './StepIcon';
import { jobOfKind, patchAttack, studioBusy, useLab } from '../../../ui/store';
import { JobRow } from '../../../ui/JobsTray';
import { TraceChart } from './TraceChart';
import { useControl, useView } from '../../../ui/lessons/view';
import { ESSENTIAL_PATHS, foldedChanges, readFoldOpen, writeFoldOpen } from './studio-fold';
import { create } from 'zustand';
import { AttackExplain } from './explain';

/** The studio's numeric controls: every numeric attack parameter the chosen attack reads, from the field tables. */
function numericFields(info: AttackInfo): ParamField[] {
  return ATTACK_PARAM_FIELDS.filter((f) => {
    const k = paramKey(f);
    return info.params.includes(k) && (f.type.kind === 'int' || f.type.kind === 'float') && k !== 'target';
  });
}

/** The "More settings" fold: open or closed, the reader's choice kept in this tab (studio-fold.ts). */
const useFold = create<{ open: boolean }>(() => ({ open: readFoldOpen() }));
function setFold(open: boolean): void {
  useFold.setState({ open });
  writeFoldOpen(open);
}

/** A parameter's slider range: the attack's own where it declares one (C&W's steps), else the field's. */
function sliderOf(f: ParamField, info: AttackInfo | null, e: Experiment): SliderRange | null {
  return info?.sliders?.[paramKey(f)] ?? f.slider?.(e) ?? null;
}

/** A slider with a number box beside it; both accept only values the experiment schema (the URL table) accepts. */
function ParamControl({ field }: { field: ParamField }) {
  const k = paramKey(field);
  const experiment = useLab((s) => s.experiment);
  const a = experiment.attack;
  const info = isAttackName(a.name) ? ATTACKS[a.name] : null;
  const control = useControl(field.path);
  const busy = useLab(studioBusy) || control === 'locked';
  const channels = useLab((s) => DATASETS[s.experiment.dataset]?.shape[2] ?? 1);
  const value = a[k] as number;
  // a refused text is checked against the norm and data set of its time: when they change, the box shows the value in force
  const ctx = `${effectiveNorm(a)}|${experiment.dataset}`;
  const [draft, setDraft] = useState<{ value: number; ctx: string; text: string; error: string | null } | null>(null);
  // colour images under L-inf: eps and step size are typed and shown in /255 (the value stays a fraction)
  const in255 = (k === 'eps' || k === 'stepSize') && epsIn255(channels, a.norm);
  const display = (v: number) => (in255 ? String(Number((v * 255).toFixed(4))) : String(v));
  const shown = draft && draft.value === value && draft.ctx === ctx ? draft : { text: display(value), error: null };
  const set = (text: string) => {
    let raw = text;
    if (in255) {
      const v = parseEpsText(text, true);
      if (v === null) return setDraft({ value, ctx, text, error: `"${text.slice(0, 20)}" is not a number of 255ths` });
      raw = String(v);
    }
    const r = parseFieldValue(field, raw, experiment);
    if ('error' in r) {
      setDraft({ value, ctx, text, error: r.error });
    } else {
      setDraft({ value: r.value as number, ctx, text, error: null });
      patchAttack({ [k]: r.value });
    }
  };
  const range = sliderOf(field, info, experiment);
  const testId = `attack-${k === 'stepSize' ? 'step-size' : k}`;
  if (control === 'hidden') return null;
  const label = field.short ?? field.label;
  return (
    <div className={control === 'locked' ? 'param control-locked' : 'param'} data-locked={control === 'locked' || undefined}>
      <label className="param-label" htmlFor={testId} title={field.help}>
        {label}
        {control === 'locked' && <span className="muted small"> (locked)</span>}
        {k === 'eps' && (
          <span className="muted small" data-testid="eps-units">
            {' '}
            {in255
              ? `in /255: ${epsText(value, true)} = ${value.toFixed(4)}`
              : a.norm === 'linf'
                ? '(L∞, pixels from 0 to 1)'
                : `(L2, at most ${Number(maxEps('l2', experiment.dataset).toFixed(2))})`}
          </span>
        )}
        {k === 'stepSize' && in255 && <span className="muted small"> in /255: {epsText(value, true)}</span>}
      </label>
      <div className="param-inputs">
        {range && (
          <input
            type="range"
            min={range.min}
            max={range.max}
            step={range.step}
            value={Math.max(range.min, Math.min(range.max, value))}
            onChange={(e) =>
              set(
                in255
                  ? String(Math.round(Number(e.target.value) * 255))
                  : k === 'eps' && a.norm === 'linf'
                    ? String(Number(e.target.value).toFixed(4))
                    : e.target.value,
              )
            }
            disabled={busy}
            aria-label={`${label} slider`}
            data-testid={`${testId}-slider`}
          />
        )}
        <input
          id={testId}
          type={in255 ? 'text' : 'number'}
          inputMode={in255 ? 'decimal' : undefined}
          step={in255 ? undefined : (range?.step ?? 'any')}
          value={shown.text}
          onChange={(e) => set(e.target.value)}
          onBlur={() => setDraft(null)}
          aria-invalid={shown.error ? true : undefined}
          title={shown.error ?? undefined}
          data-testid={testId}
          disabled={busy}
        />
      </div>
    </div>
  );
}

/** A choice among named values (C&W's optimiser), from the field's enum. */
function EnumControl({ field }: { field: ParamField }) {
  const k = paramKey(field);
  const value = useLab((s) => String(s.experiment.attack[k]));
  const control = useControl(field.path);
  const busy = useLab(studioBusy) || control === 'locked';
  const values = field.type.kind === 'enum' ? field.type.values : [];
  const testId = `attack-${field.cli}`;
  if (control === 'hidden') return null;
  return (
    <div className="param">
      <label className="param-label" htmlFor={testId} title={field.help}>
        {field.short ?? field.label}
      </label>
      <select id={testId} value={value} onChange={(e) => patchAttack({ [k]: e.target.value })} disabled={busy} data-testid={testId}>
        {values.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    </div>
  );
}

function TargetField({ info }: { info: AttackInfo }) {
  const a = useLab((s) => s.experiment.attack);
  const dataset = useLab((s) => s.experiment.dataset);
  const busy = useLab(studioBusy);
  const names = DATASETS[dataset]?.classNames ?? [];
  const control = useControl('attack.targeted');
  const targetControl = useControl('attack.target');
  if (!info.targeted || control === 'hidden' || targetControl === 'hidden') return null;
  return (
    <div className="param">
      <label className="param-label" htmlFor="attack-target" title={ATTACK_PARAM_FIELDS.find((f) => f.path === 'attack.target')?.help}>
        Target
      </label>
      <select
        id="attack-target"
        value={a.targeted ? String(a.target) : 'none'}
        onChange={(e) =>
          e.target.value === 'none' ? patchAttack({ targeted: false }) : patchAttack({ targeted: true, target: Number(e.target.value) })
        }
        disabled={busy || control === 'locked' || targetControl === 'locked'}
        data-testid="attack-target"
      >
        <option value="none">untargeted</option>
        <option value="-1">least-likely class</option>
        {names.map((n, k) => (
          <option key={k} value={k}>
            class {n}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A second zoo model of the same data set to attack with the same settings, shown side by side. */
function CompareField() {
  const compareModel = useLab((s) => s.compareModel);
  const catalog = useLab((s) => s.catalog);
  const model = useLab((s) => s.model);
  const dataset = useLab((s) => s.experiment.dataset);
  const busy = useLab(studioBusy);
  const others = catalog?.models.filter((m) => m.dataset === dataset && m.id !== model?.id) ?? [];
  if (others.length === 0) return null;
  return (
    <div className="param">
      <label
        className="param-label"
        htmlFor="attack-compare"
        title="attack a second model of this data set with the same settings and show both results side by side"
      >
        Compare with
      </label>
      <select
        id="attack-compare"
        value={compareModel ?? ''}
        onChange={(e) => selectCompareModel(e.target.value || null)}
        disabled={busy}
        data-testid="attack-compare"
      >
        <option value="">no second model</option>
        {others.map((m) => (
          <option key={m.id} value={m.id}>
            {m.id}
          </option>
        ))}
      </select>
    </div>
  );
}

function chooseAttack(name: AttackName): void {
  if (name === 'none') return patchAttack({ name });
  const info = ATTACKS[name];
  const { attack: a, dataset } = useLab.getState().experiment;
  const norm = info.norms.includes(a.norm) ? a.norm : info.norms[0];
  // each paper's defaults for this budget and data set (CIFAR-10's PGD step is 2/255), declared beside the algorithm
  patchAttack({ name, norm, ...attackPreset(name, { ...a, norm }, dataset), ...(info.targeted ? {} : { targeted: false }) });
}

/**
 * The studio's settings beyond the essential ones, folded under "More settings" (studio-fold.ts): a
 * disclosure button (aria-expanded) that counts the folded settings off their default. It opens by
 * itself when a link, a lesson step or a notebook entry sets one of them, or while a lesson runs.
 */
function MoreSettings({ info }: { info: AttackInfo | null }) {
  const a = useLab((s) => s.experiment.attack);
  // a string: a selector must return a stable value
  const changed = useLab((s) => foldedChanges(s.experiment, info, s.compareModel).join(', '));
  const linkSeq = useLab((s) => s.linkSeq);
  const open = useFold((s) => s.open);
  const startControl = useControl('attack.randomStart');
  const busy = useLab(studioBusy);
  const numeric = info ? numericFields(info).filter((f) => !ESSENTIAL_PATHS.includes(f.path)) : [];
  // a setting the link (or the lesson) set is never hidden behind the fold
  useEffect(() => {
    if (linkSeq === 0) return;
    const s = useLab.getState();
    const name = s.experiment.attack.name;
    const now = foldedChanges(s.experiment, isAttackName(name) ? ATTACKS[name] : null, s.compareModel);
    if (now.length > 0 || useView.getState().lesson) setFold(true);
  }, [linkSeq]);
  const count = changed === '' ? 0 : changed.split(', ').length;
  return (
    <div className="studio-more">
      <button
        type="button"
        className="disclosure"
        aria-expanded={open}
        aria-controls="studio-more-body"
        onClick={() => setFold(!open)}
        data-testid="attack-more"
        title="step size, restarts, seed, random start, target, a second model, and the attack's own parameters"
      >
        <span aria-hidden="true">{open ? '▾' : '▸'}</span> More settings
        {count > 0 && (
          <span className="muted small" data-testid="attack-more-changed" data-count={count}>
            {' '}
            ({count} changed: {changed})
          </span>
        )}
      </button>
      <div id="studio-more-body" className="studio-more-body" hidden={!open} data-testid="attack-more-body">
        {info &&
          ATTACK_PARAM_FIELDS.filter((f) => f.type.kind === 'enum' && info.params.includes(paramKey(f))).map((f) => (
            <EnumControl key={f.path} field={f} />
          ))}
        {numeric.map((f) => (
          <ParamControl key={f.path} field={f} />
        ))}
        {info && info.params.includes('randomStart') && startControl !== 'hidden' && (
          <label className="param checkbox" title={ATTACK_PARAM_FIELDS.find((f) => f.path === 'attack.randomStart')?.help}>
            <input
              type="checkbox"
              checked={a.randomStart}
              onChange={(e) => patchAttack({ randomStart: e.target.checked })}
              disabled={busy || startControl === 'locked'}
              data-testid="attack-random-start"
            />
            <span>Random start</span>
          </label>
        )}
        {info && <TargetField info={info} />}
        <CompareField />
      </div>
    </div>
  );
}

function AttackForm() {
  const a = useLab((s) => s.experiment.attack);
  // the studio's own job (an attack or its comparison); a batch check may run meanwhile
  const job = useLab((s) => jobOfKind(s, 'attack'));
  const busy = useLab(studioBusy);
  const model = useLab((s) => s.model);
  const dataset = useLab((s) => s.experiment.dataset);
  const custom = useLab((s) => s.custom);
  const missing = useLab((s) => s.dataset?.id === dataset && s.dataset.missing === true);
  const ready = !!model && model.dataset === dataset && !busy && (!!custom || !missing);
  const info = isAttackName(a.name) ? ATTACKS[a.name] : null;
  const whiteBox = Object.values(ATTACKS).filter((x) => !x.blackBox);
  const blackBox = Object.values(ATTACKS).filter((x) => x.blackBox);
  const numeric = info ? numericFields(info) : [];
  const nameControl = useControl('attack.name');
  const normControl = useControl('attack.norm');
  return (
    <div className="studio-form">
      <div className="param" hidden={nameControl === 'hidden'} data-locked={nameControl === 'locked' || undefined}>
        <label className="param-label" htmlFor="attack-name">
          Attack{nameControl === 'locked' && <span className="muted small"> (locked)</span>}
        </label>
        <select
          id="attack-name"
          value={a.name}
          onChange={(e) => chooseAttack(e.target.value as AttackName)}
          data-testid="attack-name"
          disabled={busy || nameControl === 'locked'}
        >
          {a.name === 'none' && <option value="none">choose an attack…</option>}
          <optgroup label="White-box (gradients)">
            {whiteBox.map((x) => (
              <option key={x.name} value={x.name}>
                {x.label}
              </option>
            ))}
          </optgroup>
          <optgroup label="Black-box (queries only)">
            {blackBox.map((x) => (
              <option key={x.name} value={x.name}>
                {x.label}
              </option>
            ))}
          </optgroup>
        </select>
        {info && (
          <span className="muted small" data-testid="attack-reference">
            {info.reference} · {info.kind === 'bounded' ? 'bounded by ε' : 'minimises the perturbation'}
          </span>
        )}
      </div>
      {info && <AttackExplain name={a.name} />}
      {info && normControl !== 'hidden' && (
        <div className="param" data-locked={normControl === 'locked' || undefined}>
          <label className="param-label" htmlFor="attack-norm">
            Norm{normControl === 'locked' && <span className="muted small"> (locked)</span>}
          </label>
          {info.norms.length > 1 ? (
            <select
              id="attack-norm"
              value={a.norm}
              onChange={(e) => patchAttack({ norm: e.target.value as AttackParams['norm'] })}
              disabled={busy || normControl === 'locked'}
              data-testid="attack-norm"
            >
              {info.norms.map((n) => (
                <option key={n} value={n}>
                  {n === 'linf' ? 'L∞' : 'L2'}
                </option>
              ))}
            </select>
          ) : (
            <span data-testid="attack-norm">{info.norms[0] === 'linf' ? 'L∞' : 'L2'}</span>
          )}
        </div>
      )}
      {numeric
        .filter((f) => ESSENTIAL_PATHS.includes(f.path))
        .map((f) => (
          <ParamControl key={f.path} field={f} />
        ))}
      <div className="studio-actions">
        <button type="button" className="primary" onClick={runAttack} disabled={!ready || !info} data-testid="attack-run">
          Run attack
        </button>
        <CancelButton job={job} testId="attack-cancel" />
      </div>
      {job && <JobRow job={job} prefix="attack-" cancel={false} />}
      <MoreSettings info={info} />
      {info && canStep(a) && <Stepper />}
    </div>
  );
}

/** Step-by-step: every step replays the attack from its start with the same seed, so iterate k is exact. */
function Stepper() {
  const a = useLab((s) => s.experiment.attack);
  const stepper = useLab((s) => s.stepper);
  const busy = useLab(studioBusy);
  const model = useLab((s) => s.model);
  const dataset = useLab((s) => s.experiment.dataset);
  const k = stepper?.k ?? 0;
  const playing = stepper?.playing ?? false;
  const usable = !!model && model.dataset === dataset;
  return (
    <div className="stepper" role="group" aria-label="Step through the attack">
      <button type="button" className="secondary" onClick={resetStepper} disabled={busy || !stepper} data-testid="attack-reset">
        <StepIcon name="reset" />
        Reset
      </button>
      {playing ? (
        <button type="button" className="secondary" onClick={pauseAttack} data-testid="attack-pause">
          <StepIcon name="pause" />
          Pause
        </button>
      ) : (
        <button type="button" className="secondary" onClick={playAttack} disabled={busy || !usable} data-testid="attack-play">
          <StepIcon name="play" />
          Play
        </button>
      )}
      <button type="button" className="secondary" onClick={stepAttack} disabled={busy || !usable || k >= a.steps} data-testid="attack-step">
        Step
        <StepIcon name="step" />
      </button>
      <span className="small muted" data-testid="stepper-k" data-k={stepper ? k : undefined}>
        {stepper
          ? `step ${k} of ${a.steps} (the chart also shows the start, iterate 0)`
          : 'step by step: same seed, replayed from the start'}
      </span>
    </div>
  );
}

function Legend({ scale }: { scale: number }) {
  const map = useSettings((s) => s.colourMap);
  return (
    <div className="legend" aria-hidden="true">
      <span>−{scale.toPrecision(2)}</span>
      <span className="legend-bar" style={{ background: divergingGradient(map) }} />
      <span>+{scale.toPrecision(2)}</span>
    </div>
  );
}

/** The finished attack as JSON: exact pixels, norms, predictions and the link that reproduces it. */
function AttackDownload({ outcome, testId }: { outcome: AttackOutcome; testId: string }) {
  const e = useLab((s) => s.experiment);
  const text = useMemo(() => attackJson(outcome, e, DATASETS[e.dataset]?.shape ?? [], new Date().toISOString()), [outcome, e]);
  const filename = `${outcome.model}-${outcome.attack.name}-image${outcome.sample}-seed${outcome.attack.seed}.json`;
  return (
    <DownloadLink text={text} type="application/json" filename={filename} testId={testId}>
      Download adversarial (JSON)
    </DownloadLink>
  );
}

/**
 * After a bounded attack fooled the model: the next move, from the catalogue (src/labs/attacks/next-move.ts).
 * A model of the data set whose card records more robustness at this budget: try it with the same attack;
 * else find the smallest budget that still fools the image, or measure the test set with the batch check.
 */
function NextMoveAfterFooling({ outcome }: { outcome: AttackOutcome }) {
  const models = useLab((s) => s.catalog?.models ?? []);
  const dataset = useLab((s) => s.experiment.dataset);
  const busy = useLab(studioBusy);
  const modelControl = useControl('model');
  const in255 = epsIn255(DATASETS[dataset]?.shape[2] ?? 1, outcome.attack.norm);
  const move = nextMoveAfterFooling(models, outcome.model, dataset, outcome.attack);
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  if (move.kind === 'smaller-budget') {
    return (
      <p className="small muted next-move" data-testid="attack-next-move" data-next="smaller-budget">
        Next: lower ε and run again to find the smallest budget that still fools this image, or run the batch check below to see how many
        test images fall at this budget.
      </p>
    );
  }
  const { model, recorded, current } = move;
  return (
    <p className="small next-move" data-testid="attack-next-move" data-next="robust-model" data-model={model.id}>
      Next: pick <strong>{model.id}</strong> in Setup and run the same attack. Its card records {pct(recorded.accuracy)} of{' '}
      {recorded.n.toLocaleString('en-US')} test images resisting {recorded.attack.toUpperCase()} at ε {epsText(recorded.eps, in255)}
      {current ? ` (${outcome.model}: ${pct(current.accuracy)})` : ''}.{' '}
      {modelControl === 'free' && (
        <button type="button" className="secondary" onClick={() => selectModel(model.id)} disabled={busy} data-testid="attack-next-model">
          Use {model.id}
        </button>
      )}
    </p>
  );
}

/** One attack outcome. `prefix` keeps the test ids of a second (comparison) view apart. */
function AttackResultView({ outcome, error, prefix }: { outcome: AttackOutcome | null; error: string | null; prefix: string }) {
  const e = useLab((s) => s.experiment);
  const map = useSettings((s) => s.colourMap);
  const [scaleMode, setScaleMode] = useState<'max' | 'eps'>('max');
  const tid = (t: string) => `${prefix}${t}`;
  if (error) {
    return (
      <p className="attack-error" data-testid={tid('attack-status')} data-status="error" role="alert" tabIndex={-1}>
        {error}
      </p>
    );
  }
  if (!outcome) return null;
  if (outcome.status === 'cancelled') {
    return (
      <p className="muted" data-testid={tid('attack-status')} data-status="cancelled">
        Cancelled after {outcome.stepsRun} step{outcome.stepsRun === 1 ? '' : 's'} ({outcome.seconds.toFixed(1)} s).
      </p>
    );
  }
  const adv = outcome.adversarial!;
  const info = DATASETS[e.dataset];
  const names = info.classNames;
  const attackInfo = outcome.attack.name === 'none' ? null : ATTACKS[outcome.attack.name];
  const bounded = attackInfo?.kind === 'bounded';
  const mode = bounded ? scaleMode : 'max';
  // max |δ| is the L-inf norm the worker measured
  const scale = mode === 'eps' ? outcome.attack.eps : adv.norms.linf;
  const colour = info.shape[2] === 3;
  // grey: one diverging map; colour: the change per channel as RGB around mid grey, and a heat map of max over channels |δ|
  const rgba = colour ? perturbationRgbRgba(adv.delta, info.shape, scale) : perturbationRgba(adv.delta, info.shape, scale, map);
  const heat = colour ? magnitudeRgba(adv.delta, info.shape, scale) : null;
  const amp = colour ? amplification(scale) / 2 : amplification(scale);
  const in255 = epsIn255(info.shape[2], outcome.attack.norm);
  const what = outcome.custom ? 'your picture' : `test image ${outcome.sample}`;
  const truth = outcome.custom ? -1 : outcome.label;
  const defence = adv.defence;
  const size = colour || defence ? 128 : 196;
  // a test image the model got wrong before any perturbation: the attack fooled nothing
  const alreadyWrong = !outcome.custom && adv.cleanPredicted !== outcome.label;
  return (
    <div className="attack-result" data-testid={tid('attack-status')} data-status="done" data-model={outcome.model} tabIndex={-1}>
      {prefix && (
        <h3 className="compare-title">
          Same attack against <span data-testid={tid('model')}>{outcome.model}</span>
        </h3>
      )}
      <div className={`studio-images ${colour || defence ? 'four' : ''}`}>
        <figure>
          <PixelCanvas
            pixels={adv.original}
            shape={info.shape}
            size={size}
            label={outcome.custom ? 'Your picture' : `Test image ${outcome.sample}`}
            testId={tid('orig-canvas')}
          />
          <figcaption>
            original · <strong>{names[adv.cleanPredicted]}</strong> ({(adv.cleanProbs[adv.cleanPredicted] * 100).toFixed(1)}%)
          </figcaption>
        </figure>
        <figure>
          <PixelCanvas
            pixels={adv.delta}
            rgba={rgba}
            shape={info.shape}
            size={size}
            label={
              colour
                ? 'Perturbation per colour channel, amplified: mid grey unchanged, brighter or darker per channel'
                : `Perturbation: ${DIVERGING_MAPS[map].positive} brighter, ${DIVERGING_MAPS[map].negative} darker, white unchanged`
            }
            testId={tid('pert-canvas')}
          />
          <figcaption>
            {colour ? 'perturbation δ (RGB, grey = 0)' : 'perturbation δ'} ·{' '}
            <span data-testid={tid('pert-amplification')} data-value={amp.toFixed(3)}>
              ×{amp.toFixed(1)} amplified
            </span>
            {!colour && <Legend scale={scale} />}
            {bounded && (
              <span className="scale-toggle" role="group" aria-label="Colour scale">
                <label>
                  <input type="radio" checked={mode === 'max'} onChange={() => setScaleMode('max')} data-testid={tid('scale-max')} /> max
                  |δ|
                </label>
                <label>
                  <input type="radio" checked={mode === 'eps'} onChange={() => setScaleMode('eps')} data-testid={tid('scale-eps')} /> ε
                </label>
              </span>
            )}
          </figcaption>
        </figure>
        {heat && (
          <figure>
            <PixelCanvas
              pixels={adv.delta}
              rgba={heat}
              shape={info.shape}
              size={size}
              label="Per-pixel size of the perturbation: black unchanged, white the largest change"
              testId={tid('pert-heat-canvas')}
            />
            <figcaption>|δ| per pixel (max over R, G, B) · white = {epsText(scale, in255)}</figcaption>
          </figure>
        )}
        <figure>
          <PixelCanvas
            pixels={adv.pixels}
            shape={info.shape}
            size={size}
            label={`Adversarial version of ${what}`}
            testId={tid('adv-canvas')}
          />
          <figcaption>
            adversarial ·{' '}
            <strong data-testid={tid('adv-predicted')} data-class={adv.predicted}>
              {names[adv.predicted]}
            </strong>{' '}
            ({(adv.probs[adv.predicted] * 100).toFixed(1)}%)
          </figcaption>
        </figure>
        {defence && (
          <figure data-testid={tid('defence-view')} data-spec={defence.spec} data-adaptive={defence.adaptive}>
            <PixelCanvas
              pixels={defence.transformed}
              shape={info.shape}
              size={size}
              label={`What the defence ${defence.spec} made of the adversarial image`}
              testId={tid('defended-canvas')}
            />
            <figcaption>
              after the defence <code>{defence.spec}</code> (what the model saw
              {defence.spec.includes('gaussian') ? ', one draw' : ''})
            </figcaption>
          </figure>
        )}
      </div>
      {defence && (
        <p className="small muted" data-testid={tid('defence-note')}>
          Defended model: <code>{defence.spec}</code>, attack gradients{' '}
          {defence.adaptive === 'none'
            ? defence.attackedUndefended
              ? 'from the undefended model (the defence has no gradient), its result passed through the defence'
              : 'as TensorFlow.js computes them through the defence (naive)'
            : defence.adaptive === 'bpda'
              ? 'by BPDA (the defence is the identity on the backward pass)'
              : `by EOT over ${defence.eotSamples} draws of the defence`}
          ; the predictions shown are the defended model's.
        </p>
      )}
      <div className="studio-summary">
        <p>
          <span className={`badge ${adv.success ? 'bad' : 'good'}`} data-testid={tid('adv-verdict')} data-success={adv.success}>
            {alreadyWrong
              ? 'wrong before the attack'
              : adv.success
                ? adv.target !== null
                  ? `fooled into ${names[adv.target]}`
                  : 'fooled'
                : 'robust here'}
          </span>{' '}
          <span className="small muted">
            {attackInfo?.label}
            {bounded ? (
              <>
                , ε = <span data-testid={tid('attack-eps-shown')}>{epsText(outcome.attack.eps, in255)}</span>
              </>
            ) : (
              ''
            )}{' '}
            on {what} against {outcome.model}, {outcome.stepsRun} iterate{outcome.stepsRun === 1 ? '' : 's'} in {outcome.seconds.toFixed(1)}{' '}
            s
          </span>
        </p>
        {alreadyWrong && (
          <p className="small muted" data-testid={tid('already-wrong-note')}>
            The model already predicted {names[adv.cleanPredicted]} for this {names[outcome.label]} before the attack: pick an image it gets
            right to see what the attack does.
          </p>
        )}
        {!alreadyWrong && adv.success && bounded && !prefix && <NextMoveAfterFooling outcome={outcome} />}
        {!alreadyWrong && !adv.success && bounded && !prefix && (
          <p className="small muted" data-testid="attack-next-move" data-next="bigger-budget">
            Not fooled at this budget. Next: raise ε or the number of steps and run again; a stronger attack may still succeed.
          </p>
        )}
        {outcome.custom && (
          <p className="small muted" data-testid={tid('attack-custom-note')}>
            Your picture has no true label: the attack is untargeted against the model's own clean prediction (
            {names[outcome.label] ?? outcome.label}); “fooled” means the prediction moved away from it.
          </p>
        )}
        <dl className="norms" data-testid={tid('adv-norms')}>
          <dt>L0</dt>
          <dd data-testid={tid('norm-l0')}>{adv.norms.l0}</dd>
          <dt>L2</dt>
          <dd data-testid={tid('norm-l2')}>{adv.norms.l2.toFixed(4)}</dd>
          <dt>L∞</dt>
          <dd data-testid={tid('norm-linf')}>
            {adv.norms.linf.toFixed(4)}
            {colour ? ` (${(adv.norms.linf * 255).toFixed(1)}/255)` : ''}
          </dd>
          <dt>{attackInfo?.blackBox ? 'Queries' : 'Forward passes'}</dt>
          <dd data-testid={tid('adv-queries')}>{adv.queries}</dd>
          {!attackInfo?.blackBox && (
            <>
              <dt>Gradients</dt>
              <dd>{adv.gradientEvaluations}</dd>
            </>
          )}
          {adv.stages && (
            <>
              <dt>Stages</dt>
              <dd data-testid={tid('adv-stages')}>
                {adv.stages.map((st) => `${st.stage} ${st.fooled > 0 ? 'fooled it' : 'failed'} (${st.seconds.toFixed(1)} s)`).join(' → ')}
              </dd>
            </>
          )}
        </dl>
        <AttackDownload outcome={outcome} testId={tid('attack-json')} />
        <div className="before-after">
          <div>
            <h3>Before</h3>
            <ProbabilityBars
              probs={adv.cleanProbs}
              classNames={names}
              predicted={adv.cleanPredicted}
              label={truth}
              testId={tid('clean-prob')}
            />
          </div>
          <div>
            <h3>After</h3>
            <ProbabilityBars probs={adv.probs} classNames={names} predicted={adv.predicted} label={truth} testId={tid('adv-prob')} />
          </div>
        </div>
      </div>
    </div>
  );
}

/** Attack Studio: any attack of the library on the current image, with a live trace of its iterations. */
export function AttackPanel() {
  const trace = useLab((s) => s.liveTrace);
  const running = useLab((s) => jobOfKind(s, 'attack') !== null);
  const dataset = useLab((s) => s.experiment.dataset);
  const outcome = useLab((s) => s.attack);
  const error = useLab((s) => s.attackError);
  const compare = useLab((s) => s.compare);
  const compareError = useLab((s) => s.compareError);
  const results = useRef<HTMLDivElement>(null);
  // the Run button is disabled while the attack runs, which drops the keyboard focus: when the run ends
  // with the focus nowhere (or on a disabled control), it goes to the result, read out from its verdict
  useEffect(() => {
    if (running || (!outcome && !error)) return;
    const active = document.activeElement;
    const lost = !active || active === document.body || (active instanceof HTMLButtonElement && active.disabled);
    if (!lost) return;
    const target = results.current?.querySelector<HTMLElement>('[data-testid="attack-status"]');
    target?.focus({ preventScroll: false });
  }, [running, outcome, error]);
  return (
    <section className="panel attack-panel" aria-labelledby="attack-title" id="attack-studio" tabIndex={-1}>
      <h2 id="attack-title">Attack studio</h2>
      <AttackForm />
      <div ref={results} className={compare || compareError ? 'compare-results' : undefined} data-testid="studio-results">
        <AttackResultView outcome={outcome} error={error} prefix="" />
        {(compare || compareError) && <AttackResultView outcome={compare} error={compareError} prefix="cmp-" />}
      </div>
      {(running || trace.length > 0) && (
        <TraceChart
          trace={trace}
          classNames={DATASETS[dataset]?.classNames ?? []}
          running={running}
          model={outcome?.model ?? null}
          custom={outcome?.custom ?? false}
        />
      )}
    </section>
  );
}
