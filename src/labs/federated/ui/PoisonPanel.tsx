/**
 * Data poisoning of one model (BadNets, Gu et al. 2017): the trigger editor (size, position, a white,
 * checkerboard or drawn pattern, alpha), the poison rate, target and label change, training on the
 * poisoned images in the worker with live progress, then clean accuracy and the attack success rate,
 * triggered test images with the clean and triggered predictions and the saliency of the attack's logit,
 * and the data-poisoning defence's precision/recall with the figures after retraining. Every setting is a
 * field of the lab's slice (fl.* in the link, the flags of `rlab poison`).
 */
import { ChartData } from '../../../ui/ChartData';
import { useState } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { DATASETS } from '../../../core/data/datasets';
import { parseFieldValue, type Field } from '../../../core/experiment/fields';
import { CancelButton } from '../../../ui/CancelButton';
import { magnitudeRgba, maxAbs } from '../../../ui/colormap';
import { percent } from '../../../ui/format';
import { JobRow } from '../../../ui/JobsTray';
import { PixelCanvas } from '../../../ui/PixelCanvas';
import { jobOfKind, patchExperiment, useLab } from '../../../ui/store';
import { parseTrigger, withTrigger } from '../algorithms/trigger';
import { FEDERATION_FIELDS } from '../experiment/federation';
import { POISON_FIELDS, type PoisonPart } from '../experiment/poison';
import type { PoisonOutcome } from '../poison-job';
import { poisonBusy, runPoison, usePoison } from './poison-actions';
import { editorOf, resized, textOf, toggled, type TriggerEditor } from './trigger-editor';

const POISON_DATASETS = ['mnist', 'fashion-mnist'];
type AnyField = Field<PoisonPart>;
const SEED_FIELD = FEDERATION_FIELDS.find((f) => f.path === 'federation.seed')!;

/** The value of a field of the poison part (or the lab's seed). */
function useFieldValue(field: AnyField): [unknown, (v: unknown) => void] {
  const e = useLab((s) => s.experiment);
  const [part, key] = field.path.split('.') as ['poison' | 'federation', string];
  const value = (e[part] as unknown as Record<string, unknown>)[key];
  return [value, (v) => patchExperiment({ [part]: { ...e[part], [key]: v } } as never)];
}

function FieldInput({ field, hidden }: { field: AnyField; hidden?: boolean }) {
  const e = useLab((s) => s.experiment);
  const [value, set] = useFieldValue(field);
  const text = String(value);
  const [draft, setDraft] = useState<{ base: string; text: string; error: string | null } | null>(null);
  const shown = draft && draft.base === text ? draft : { text, error: null };
  const busy = useLab(poisonBusy);
  if (hidden) return null;
  const change = (raw: string) => {
    const r = parseFieldValue(field, raw, e);
    if ('error' in r) setDraft({ base: text, text: raw, error: r.error });
    else {
      setDraft({ base: String(r.value), text: raw, error: null });
      set(r.value);
    }
  };
  const id = `poison-${field.url}`;
  const t = field.type;
  return (
    <div className="param">
      <label className="param-label" htmlFor={id} title={field.help}>
        {field.label}
      </label>
      {t.kind === 'enum' ? (
        <select id={id} value={text} onChange={(ev) => change(ev.target.value)} disabled={busy} data-testid={`${id}-input`}>
          {t.values.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          type={t.kind === 'text' ? 'text' : 'number'}
          value={shown.text}
          step={t.kind === 'float' ? 0.01 : 1}
          onChange={(ev) => change(ev.target.value)}
          onBlur={() => setDraft(null)}
          aria-invalid={shown.error ? true : undefined}
          title={shown.error ?? field.help}
          disabled={busy}
          data-testid={`${id}-input`}
          size={t.kind === 'text' ? 22 : 7}
        />
      )}
      {shown.error && <span className="small attack-error">{shown.error}</span>}
    </div>
  );
}

const CORNERS = [
  ['br', 'bottom right'],
  ['bl', 'bottom left'],
  ['tr', 'top right'],
  ['tl', 'top left'],
] as const;

/** The trigger editor: its controls write the trigger spec (fl.trig). */
function TriggerEditorView() {
  const e = useLab((s) => s.experiment);
  const strip = useLab((s) => s.strip);
  const busy = useLab(poisonBusy);
  const ds = DATASETS[e.dataset];
  const shape = (ds?.shape ?? [28, 28, 1]) as [number, number, number];
  const ed = editorOf(e.poison.trigger, shape);
  if (!ed) return <p className="small attack-error">The trigger spec is not valid: edit it in the field below.</p>;
  const set = (next: TriggerEditor) => patchExperiment({ poison: { ...e.poison, trigger: textOf(next) } });
  const maxSize = Math.min(8, shape[0] - 2);
  // the preview: the trigger on the strip's first image (a blank image before one is loaded)
  const per = shape[0] * shape[1] * shape[2];
  const base =
    strip && strip.dataset === e.dataset && strip.pixels.length >= per ? strip.pixels.slice(0, per) : new Uint8Array(per).fill(0);
  const preview = withTrigger({ n: 1, shape, pixels: base, labels: new Uint8Array(1) }, parseTrigger(e.poison.trigger, shape)).pixels;
  return (
    <fieldset className="trigger-editor" data-testid="poison-trigger-editor" disabled={busy}>
      <legend>Trigger</legend>
      <div className="studio-form">
        <div className="param">
          <label className="param-label" htmlFor="poison-tsize">
            size
          </label>
          <input
            id="poison-tsize"
            type="number"
            min={1}
            max={maxSize}
            value={ed.size}
            data-testid="poison-tsize"
            onChange={(ev) => {
              const v = Number(ev.target.value);
              if (Number.isInteger(v) && v >= 1 && v <= maxSize) set(resized(ed, v));
            }}
          />
        </div>
        <div className="param">
          <label className="param-label" htmlFor="poison-tpos">
            position
          </label>
          <select
            id="poison-tpos"
            value={typeof ed.at === 'object' ? 'xy' : ed.at}
            data-testid="poison-tpos"
            onChange={(ev) => set({ ...ed, at: ev.target.value as TriggerEditor['at'] })}
          >
            {CORNERS.map(([v, name]) => (
              <option key={v} value={v}>
                {name}
              </option>
            ))}
            {typeof ed.at === 'object' && <option value="xy">{`x ${ed.at.x}, y ${ed.at.y}`}</option>}
          </select>
        </div>
        <div className="param">
          <label className="param-label" htmlFor="poison-tpattern">
            pattern
          </label>
          <select
            id="poison-tpattern"
            value={ed.pattern}
            data-testid="poison-tpattern"
            onChange={(ev) => {
              const p = ev.target.value as TriggerEditor['pattern'];
              set(p === 'drawn' ? { ...ed, pattern: 'drawn' } : resized({ ...ed, pattern: p }, ed.size));
            }}
          >
            <option value="white">white</option>
            <option value="checker">checkerboard</option>
            <option value="drawn">drawn</option>
          </select>
        </div>
        <div className="param">
          <label className="param-label" htmlFor="poison-talpha">
            alpha
          </label>
          <input
            id="poison-talpha"
            type="number"
            min={0.05}
            max={1}
            step={0.05}
            value={ed.alpha}
            data-testid="poison-talpha"
            onChange={(ev) => {
              const v = Number(ev.target.value);
              if (v > 0 && v <= 1) set({ ...ed, alpha: v });
            }}
          />
        </div>
      </div>
      <div className="trigger-draw">
        <div
          className="trigger-grid"
          role="group"
          aria-label="trigger pattern: click a cell to draw"
          data-testid="poison-grid"
          style={{ gridTemplateColumns: `repeat(${ed.size}, 1.5rem)` }}
        >
          {ed.mask.map((on, i) => (
            <button
              key={i}
              type="button"
              className={on ? 'cell on' : 'cell'}
              aria-pressed={on}
              aria-label={`row ${Math.floor(i / ed.size) + 1}, column ${(i % ed.size) + 1}`}
              data-testid={`poison-cell-${i}`}
              onClick={() => set(toggled(ed, i))}
            />
          ))}
        </div>
        <PixelCanvas pixels={preview} shape={shape} size={84} label="the trigger on an image" testId="poison-preview" />
        <span className="small muted">Click cells to draw the pattern; the preview stamps it on an image.</span>
      </div>
    </fieldset>
  );
}

function LossChart() {
  const live = usePoison((s) => s.live);
  const phases = ['poisoned', 'retrain'] as const;
  if (live.length === 0) return null;
  const data = live.map((p, i) => ({ i: i + 1, [p.phase]: p.loss }));
  return (
    <figure className="batch-curve" data-testid="poison-loss" data-points={live.length}>
      <div className="chart-box" style={{ maxWidth: 420 }}>
        <ResponsiveContainer width="100%" height={180}>
          <LineChart data={data} margin={{ top: 8, right: 12, bottom: 16, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ec" />
            <XAxis dataKey="i" tick={{ fontSize: 11 }} label={{ value: 'batch', position: 'insideBottom', offset: -8, fontSize: 12 }} />
            <YAxis
              tick={{ fontSize: 11 }}
              width={52}
              label={{ value: 'loss', angle: -90, position: 'insideLeft', offset: 10, fontSize: 12 }}
            />
            <Tooltip />
            {phases.map((ph, k) => (
              <Line
                key={ph}
                dataKey={ph}
                stroke={k === 0 ? '#c8372d' : '#1f8a4c'}
                strokeDasharray={k === 0 ? undefined : '6 3'}
                dot={false}
                isAnimationActive={false}
                connectNulls
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="small muted">
        Training loss per batch (red, solid: the poisoned model; green, dashed: retrained after the defence).
      </figcaption>
      <ChartData
        caption="Training loss per batch"
        rows={live.map((p, i) => ({ ...p, batch: i + 1 }))}
        columns={[
          { label: 'batch', value: (r) => r.batch },
          { label: 'model', value: (r) => (r.phase === 'poisoned' ? 'poisoned' : 'retrained') },
          { label: 'loss', value: (r) => r.loss.toFixed(4) },
        ]}
      />
    </figure>
  );
}

function Result({ outcome }: { outcome: PoisonOutcome }) {
  const names = DATASETS[outcome.dataset]?.classNames ?? [];
  const name = (k: number | null) => (k === null ? '–' : (names[k] ?? String(k)));
  const s = outcome.settings;
  const d = outcome.defence;
  const heatShape: [number, number, number] = [outcome.shape[0], outcome.shape[1], 1];
  return (
    <div className="poison-result" data-testid="poison-result">
      <p>
        {outcome.poisoned.toLocaleString('en-US')} of {outcome.trainImages.toLocaleString('en-US')} training images carried the trigger (
        {s.mode === 'all-to-one' ? `relabelled ${name(s.target)}` : 'label y → y + 1'}). On {outcome.testImages.toLocaleString('en-US')}{' '}
        test images the poisoned model's clean accuracy is{' '}
        <strong data-testid="poison-clean" data-value={outcome.cleanAccuracy}>
          {percent(outcome.cleanAccuracy, 2)}
        </strong>
        ; with the trigger,{' '}
        <strong data-testid="poison-asr" data-value={outcome.asr}>
          {percent(outcome.asr, 2)}
        </strong>{' '}
        of the {outcome.asrImages.toLocaleString('en-US')} {s.mode === 'all-to-one' ? 'images of the other classes' : 'images'} go to the
        attack's label (attack success rate).
      </p>
      <div className="poison-samples" data-testid="poison-samples" data-count={outcome.samples.length}>
        {outcome.samples.map((x) => {
          const scale = maxAbs(x.saliency);
          return (
            <figure key={x.index} className="poison-sample" data-testid="poison-sample">
              <div className="poison-sample-images">
                <PixelCanvas pixels={x.clean} shape={outcome.shape} size={56} label={`test image ${x.index}`} />
                <PixelCanvas pixels={x.triggered} shape={outcome.shape} size={56} label={`test image ${x.index} with the trigger`} />
                <PixelCanvas
                  pixels={x.saliency}
                  rgba={magnitudeRgba(x.saliency, heatShape, scale)}
                  shape={heatShape}
                  size={56}
                  label={`saliency of class ${x.attackLabel} on the triggered image`}
                  testId="poison-saliency"
                />
              </div>
              <figcaption className="small">
                label {name(x.label)}: clean → <span data-testid="poison-pred-clean">{name(x.cleanPrediction)}</span>, triggered →{' '}
                <strong className={x.triggeredPrediction === x.attackLabel ? 'attack-error' : undefined} data-testid="poison-pred-trig">
                  {name(x.triggeredPrediction)}
                </strong>
                {x.defendedPrediction !== null && <>, defended → {name(x.defendedPrediction)}</>}
              </figcaption>
            </figure>
          );
        })}
      </div>
      <p className="small muted" data-testid="poison-saliency-share" data-value={outcome.saliencyInTrigger}>
        Each sample: the test image, with the trigger, and the saliency of the attack's logit (|∂ logit / ∂ pixel| on the triggered image,
        brighter = more). {percent(outcome.saliencyInTrigger, 1)} of the saliency falls in the {outcome.triggerBox.size}×
        {outcome.triggerBox.size} trigger ({((100 * outcome.triggerBox.size ** 2) / (outcome.shape[0] * outcome.shape[1])).toFixed(1)}% of
        the pixels).
      </p>
      {d && (
        <table className="small" data-testid="poison-defence">
          <caption>
            {d.method === 'activation-clustering'
              ? 'Activation clustering (Chen et al. 2018, as ART): 2-means per class on the last hidden layer reduced to 10 dimensions; the smaller cluster is flagged when it holds under 35% of its class'
              : 'Spectral signatures (Tran et al. 2018): per class, the images of largest squared projection on the top singular vector of the centred last hidden layer, floor(1.5 × 0.33 × class size) of them (ART’s expected poison share 0.33)'}
          </caption>
          <tbody>
            <tr>
              <th>flagged</th>
              <td data-testid="poison-flagged">{d.flagged.toLocaleString('en-US')}</td>
              <th>precision</th>
              <td data-testid="poison-precision">{percent(d.precision, 1)}</td>
              <th>recall</th>
              <td data-testid="poison-recall">{percent(d.recall, 1)}</td>
            </tr>
            <tr>
              <th colSpan={2}>retrained on {d.trainImages.toLocaleString('en-US')} images</th>
              <th>clean accuracy</th>
              <td data-testid="poison-def-clean">{percent(d.cleanAccuracy, 2)}</td>
              <th>attack success</th>
              <td data-testid="poison-def-asr">{percent(d.asr, 2)}</td>
            </tr>
          </tbody>
        </table>
      )}
      <p className="small muted">
        {outcome.seconds.toFixed(1)} s on {outcome.backend}. The same run headless:{' '}
        <code data-testid="poison-command">
          rlab poison --dataset {outcome.dataset} --trigger {s.trigger} --rate {s.rate} --target {s.target} --mode {s.mode} --epochs{' '}
          {s.epochs}
          {s.trainImages ? ` --train-images ${s.trainImages}` : ''}
          {s.testImages ? ` --test-images ${s.testImages}` : ''}
          {s.defence !== 'none' ? ` --defence ${s.defence}` : ''} --seed {outcome.seed} --json
        </code>
      </p>
    </div>
  );
}

export function PoisonPanel() {
  const dataset = useLab((s) => s.experiment.dataset);
  const loaded = useLab((s) => s.dataset);
  const busy = useLab(poisonBusy);
  const job = useLab((s) => jobOfKind(s, 'poison'));
  const { outcome, error } = usePoison();
  const supported = POISON_DATASETS.includes(dataset);
  const ready = supported && !!loaded && loaded.id === dataset && !loaded.missing && !busy;
  const mode = useLab((s) => s.experiment.poison.mode);
  return (
    <section className="panel poison-panel" aria-labelledby="poison-title">
      <h2 id="poison-title">Data poisoning (BadNets)</h2>
      <p className="small muted">
        A compromised data source stamps a small trigger on a share of the training images and relabels them (Gu et al. 2017). The model
        trained on them keeps its clean accuracy, so a test set never shows the backdoor; the trigger sends inputs to the attacker&apos;s
        class. A defence looks for the poisoned images in the model&apos;s activations, removes them, and the model is trained again.
      </p>
      <TriggerEditorView />
      <div className="studio-form">
        {POISON_FIELDS.map((f) => (
          <FieldInput key={f.path} field={f} hidden={f.path === 'poison.target' && mode === 'all-to-all'} />
        ))}
        <FieldInput field={SEED_FIELD as unknown as AnyField} />
      </div>
      {!supported && <p className="small attack-error">Data poisoning trains on MNIST or Fashion-MNIST: choose one in Setup.</p>}
      <div className="studio-actions">
        <button type="button" onClick={runPoison} disabled={!ready} data-testid="poison-run">
          Train poisoned model
        </button>
        <CancelButton job={job} testId="poison-cancel" />
      </div>
      {job && <JobRow job={job} prefix="poison-" />}
      <LossChart />
      {error && (
        <p className="attack-error" data-testid="poison-error">
          {error}
        </p>
      )}
      {outcome && <Result outcome={outcome} />}
    </section>
  );
}
