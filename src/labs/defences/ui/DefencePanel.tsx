/**
 * The defence control: input transformations in front of the model (the experiment's `def.t`), how
 * attacks differentiate them (`def.adapt`: none, BPDA, EOT) and EOT's draws (`def.eot`). The studio
 * and the batch check of the attacks lab attack the defended model whenever a transform is set; the
 * link carries the settings.
 */
import { useState } from 'react';
import { fieldOf, fieldText, parseFieldValue } from '../../experiment';
import { patchExperiment, useLab } from '../../../ui/store';
import { DefenceExplain } from './explain';

const PRESETS = ['bit-depth:1', 'median:2', 'jpeg:75', 'gaussian:0.3', 'bit-depth:1,median:2'];

const MODES: { value: 'none' | 'bpda' | 'eot'; label: string; help: string }[] = [
  { value: 'none', label: 'naive', help: 'the gradient TensorFlow.js computes through the defence (zero through rounding)' },
  { value: 'bpda', label: 'BPDA', help: 'Athalye et al. 2018: the defence is the identity on the backward pass' },
  { value: 'eot', label: 'EOT', help: 'the gradient averaged over random draws of a randomised defence (Gaussian noise)' },
];

export function DefencePanel() {
  const e = useLab((s) => s.experiment);
  const d = e.defence;
  const text = fieldText(e, 'defence.transforms');
  const [draft, setDraft] = useState<{ base: string; text: string; error: string | null } | null>(null);
  const shown = draft && draft.base === text ? draft : { text, error: null };
  const setTransforms = (raw: string) => {
    const r = parseFieldValue(fieldOf('defence.transforms'), raw, e);
    if ('error' in r) {
      setDraft({ base: text, text: raw, error: r.error });
      return;
    }
    setDraft({ base: String(r.value), text: raw, error: null });
    patchExperiment({ defence: { ...d, transforms: String(r.value) } });
  };
  const samples = (raw: string) => {
    const r = parseFieldValue(fieldOf('defence.eotSamples'), raw, e);
    if (!('error' in r)) patchExperiment({ defence: { ...d, eotSamples: r.value as number } });
  };
  const randomised = d.transforms.includes('gaussian');
  return (
    <section className="panel defence-panel" aria-labelledby="defence-title" data-testid="defence-panel">
      <h2 id="defence-title">Defence</h2>
      <DefenceExplain panel="defence" />
      <p className="small muted">
        Input transformations in front of the model, applied in order. The attack studio and the batch check attack the defended model;
        compare the naive attack with BPDA (and EOT for noise) to see whether the defence holds.
      </p>
      <div className="studio-form">
        <div className="param">
          <label className="param-label" htmlFor="defence-transforms">
            transformations (bit-depth:B, median:K, jpeg:Q, gaussian:S)
          </label>
          <input
            id="defence-transforms"
            type="text"
            size={28}
            placeholder="none"
            value={shown.text}
            onChange={(ev) => setTransforms(ev.target.value)}
            onBlur={() => setDraft(null)}
            aria-invalid={shown.error ? true : undefined}
            title={shown.error ?? undefined}
            data-testid="defence-transforms"
          />
          {shown.error && (
            <span className="small attack-error" data-testid="defence-error">
              {shown.error}
            </span>
          )}
          <span className="defence-presets" role="group" aria-label="Defence presets">
            {PRESETS.map((p) => (
              <button
                key={p}
                type="button"
                className="secondary small"
                onClick={() => setTransforms(p)}
                data-testid={`defence-preset-${p}`}
              >
                {p}
              </button>
            ))}
            <button type="button" className="secondary small" onClick={() => setTransforms('')} data-testid="defence-clear">
              none
            </button>
          </span>
        </div>
        <fieldset className="param" disabled={d.transforms === ''}>
          <legend className="param-label">attack gradients</legend>
          {MODES.map((m) => (
            <label key={m.value} className="small" title={m.help}>
              <input
                type="radio"
                name="defence-adaptive"
                checked={d.adaptive === m.value}
                disabled={m.value === 'eot' && !randomised}
                onChange={() => patchExperiment({ defence: { ...d, adaptive: m.value } })}
                data-testid={`defence-adaptive-${m.value}`}
              />{' '}
              {m.label}
            </label>
          ))}
        </fieldset>
        {d.adaptive === 'eot' && (
          <div className="param">
            <label className="param-label" htmlFor="defence-eot">
              EOT draws per gradient
            </label>
            <input
              id="defence-eot"
              type="number"
              min={1}
              max={1000}
              value={d.eotSamples}
              onChange={(ev) => samples(ev.target.value)}
              data-testid="defence-eot-samples"
            />
          </div>
        )}
      </div>
      {d.adaptive === 'eot' && !randomised && d.transforms !== '' && (
        <p className="small attack-error">
          EOT averages over random draws: add a randomised transform (gaussian:S) or choose naive / BPDA.
        </p>
      )}
    </section>
  );
}
