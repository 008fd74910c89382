import { useState } from 'react';
import { DATASETS } from '../core/data/datasets';
import { FIELDS, parseFieldValue, type AttackName, type AttackParams } from '../core/experiment';
import { runAttack } from './controller';
import { PixelCanvas } from './PixelCanvas';
import { ProbabilityBars } from './ProbabilityBars';
import { patchAttack, useLab } from './store';

type NumericKey = 'eps' | 'steps' | 'stepSize' | 'restarts' | 'seed';

/** A number input that accepts only values the experiment schema accepts (the same table as the URL). */
function NumberField({
  k,
  label,
  step,
  testId,
  disabled,
}: {
  k: NumericKey;
  label: string;
  step: number;
  testId: string;
  disabled?: boolean;
}) {
  const value = useLab((s) => s.experiment.attack[k]);
  const [draft, setDraft] = useState<{ value: number; text: string; error: string | null } | null>(null);
  const field = FIELDS.find((f) => f.path === `attack.${k}`)!;
  const shown = draft && draft.value === value ? draft : { text: String(value), error: null };
  const onChange = (text: string) => {
    const r = parseFieldValue(field, text);
    if ('error' in r) {
      setDraft({ value, text, error: r.error });
    } else {
      setDraft({ value: r.value as number, text, error: null });
      patchAttack({ [k]: r.value } as Partial<AttackParams>);
    }
  };
  return (
    <label className="field compact">
      <span>{label}</span>
      <input
        type="number"
        step={step}
        value={shown.text}
        onChange={(e) => onChange(e.target.value)}
        onBlur={() => setDraft(null)}
        aria-invalid={shown.error ? true : undefined}
        title={shown.error ?? undefined}
        data-testid={testId}
        disabled={disabled}
      />
    </label>
  );
}

function AttackResultView() {
  const outcome = useLab((s) => s.attack);
  const strip = useLab((s) => s.strip);
  const e = useLab((s) => s.experiment);
  const error = useLab((s) => s.attackError);
  if (error) {
    return (
      <p className="attack-error" data-testid="attack-status" data-status="error" role="alert">
        {error}
      </p>
    );
  }
  if (!outcome) return null;
  if (outcome.status === 'cancelled') {
    return (
      <p className="muted" data-testid="attack-status" data-status="cancelled">
        Cancelled after {outcome.stepsRun} step{outcome.stepsRun === 1 ? '' : 's'} ({outcome.seconds.toFixed(1)} s).
      </p>
    );
  }
  const adv = outcome.adversarial!;
  const info = DATASETS[e.dataset];
  const size = info.shape[0] * info.shape[1] * info.shape[2];
  const at = strip && strip.dataset === e.dataset ? outcome.sample - strip.start : -1;
  let perturbation: Float32Array | null = null;
  if (strip && at >= 0 && at < strip.labels.length && outcome.attack.eps > 0) {
    // perturbation mapped to 0..1: grey = unchanged, white = +eps, black = -eps
    perturbation = new Float32Array(size);
    for (let i = 0; i < size; i++) perturbation[i] = 0.5 + (adv.pixels[i] - strip.pixels[at * size + i] / 255) / (2 * outcome.attack.eps);
  }
  return (
    <div className="attack-result" data-testid="attack-status" data-status="done">
      <div className="attack-images">
        <figure>
          <PixelCanvas
            pixels={adv.pixels}
            shape={info.shape}
            size={140}
            label={`Adversarial version of test image ${outcome.sample}`}
            testId="adv-canvas"
          />
          <figcaption>adversarial</figcaption>
        </figure>
        {perturbation && (
          <figure>
            <PixelCanvas pixels={perturbation} shape={info.shape} size={140} label="Perturbation (grey: unchanged)" />
            <figcaption>perturbation (±ε)</figcaption>
          </figure>
        )}
      </div>
      <div className="attack-summary">
        <p>
          <span className="status-key">Adversarial prediction</span>{' '}
          <strong data-testid="adv-predicted" data-class={adv.predicted}>
            {info.classNames[adv.predicted]}
          </strong>{' '}
          <span className={`badge ${adv.success ? 'bad' : 'good'}`} data-testid="adv-verdict">
            {adv.success ? 'fooled' : 'robust here'}
          </span>
        </p>
        <p className="small muted">
          {outcome.attack.name.toUpperCase()}, ε = {outcome.attack.eps}, {outcome.stepsRun} step{outcome.stepsRun === 1 ? '' : 's'} in{' '}
          {outcome.seconds.toFixed(1)} s; largest pixel change {adv.linf.toFixed(4)}
        </p>
        <ProbabilityBars probs={adv.probs} classNames={info.classNames} predicted={adv.predicted} label={outcome.label} testId="adv-prob" />
      </div>
    </div>
  );
}

/** A small robustness check: one attack on the current image, with streamed progress and Cancel. */
export function AttackPanel() {
  const a = useLab((s) => s.experiment.attack);
  const job = useLab((s) => s.job);
  const model = useLab((s) => s.model);
  const dataset = useLab((s) => s.experiment.dataset);
  const ready = !!model && model.dataset === dataset && !job;
  const pgdOnly = a.name !== 'pgd';
  return (
    <section className="panel attack-panel" aria-labelledby="attack-title">
      <h2 id="attack-title">Robustness check</h2>
      <div className="attack-form">
        <label className="field compact">
          <span>Attack</span>
          <select
            value={a.name}
            onChange={(e) => patchAttack({ name: e.target.value as AttackName })}
            data-testid="attack-name"
            aria-label="Attack"
          >
            <option value="none">none</option>
            <option value="fgsm">FGSM</option>
            <option value="pgd">PGD</option>
          </select>
        </label>
        <NumberField k="eps" label="ε (L∞)" step={0.01} testId="attack-eps" />
        <NumberField k="steps" label="Steps" step={1} testId="attack-steps" disabled={pgdOnly} />
        <NumberField k="stepSize" label="Step size" step={0.005} testId="attack-step-size" disabled={pgdOnly} />
        <NumberField k="restarts" label="Restarts" step={1} testId="attack-restarts" disabled={pgdOnly} />
        <NumberField k="seed" label="Seed" step={1} testId="attack-seed" />
        <label className="field compact checkbox">
          <input
            type="checkbox"
            checked={a.randomStart}
            onChange={(e) => patchAttack({ randomStart: e.target.checked })}
            data-testid="attack-random-start"
          />
          <span>Random start</span>
        </label>
        <button type="button" className="primary" onClick={runAttack} disabled={!ready || a.name === 'none'} data-testid="attack-run">
          Run attack
        </button>
      </div>
      <AttackResultView />
    </section>
  );
}
