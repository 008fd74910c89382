import { useRef, useState } from 'react';
import { DATASETS } from '../core/data/datasets';
import { selectSample } from './controller';
import { useControl } from './lessons/view';
import { GoToImport } from './DataImport';
import { PictureInput, PictureView } from './PictureInput';
import { PixelCanvas } from './PixelCanvas';
import { PngButton } from './PngButton';
import { useLab } from './store';

/** The chosen test image, large, with navigation and a strip of its neighbours. */
export function ImagePanel() {
  const sample = useLab((s) => s.experiment.sample);
  const datasetId = useLab((s) => s.experiment.dataset);
  const loaded = useLab((s) => s.dataset);
  const strip = useLab((s) => s.strip);
  const [draft, setDraft] = useState<{ sample: number; text: string } | null>(null);
  const imageRef = useRef<HTMLDivElement>(null);
  const info = DATASETS[datasetId];
  const n = loaded?.id === datasetId ? loaded.n : (info?.sizes.test ?? 1);
  const shape = info?.shape ?? ([28, 28, 1] as const);
  const size = shape[0] * shape[1] * shape[2];
  const usable = strip && strip.dataset === datasetId;
  const at = usable ? sample - strip.start : -1;
  const inStrip = usable && at >= 0 && at < strip.labels.length;
  const text = draft && draft.sample === sample ? draft.text : String(sample);
  const custom = useLab((s) => s.custom);
  const missing = loaded?.id === datasetId && loaded.missing === true;
  const fixed = useControl('sample') !== 'free';

  const onType = (value: string) => {
    setDraft({ sample, text: value });
    const v = Number(value);
    if (value.trim() !== '' && Number.isInteger(v) && v >= 0 && v < n) selectSample(v);
  };

  if (custom || missing) {
    return (
      <section className="panel image-panel" aria-labelledby="image-title">
        <h2 id="image-title">{custom ? 'Your picture' : 'Test image'}</h2>
        {custom ? (
          <PictureView />
        ) : (
          <div data-testid="images-not-imported">
            <p>
              The {info.name} test images are not in this browser yet. Import them in Setup (<em>Import {info.name}…</em>), or try the model
              on a picture of your own.
            </p>
            <GoToImport />
          </div>
        )}
        <PictureInput />
      </section>
    );
  }

  return (
    <section className="panel image-panel" aria-labelledby="image-title">
      <h2 id="image-title">Test image</h2>
      <div className="image-nav">
        <button
          type="button"
          onClick={() => selectSample(sample - 1)}
          disabled={sample <= 0 || fixed}
          data-testid="sample-prev"
          aria-label="Prev: previous test image"
        >
          ‹ Prev
        </button>
        <label className="inline-field">
          <span>Index</span>
          <input
            type="number"
            min={0}
            max={n - 1}
            step={1}
            value={text}
            onChange={(e) => onType(e.target.value)}
            onBlur={() => setDraft(null)}
            disabled={fixed}
            data-testid="sample-input"
            aria-label="Test image index"
          />
        </label>
        <span className="muted small">of {n.toLocaleString('en-US')}</span>
        <button
          type="button"
          onClick={() => selectSample(sample + 1)}
          disabled={sample >= n - 1 || fixed}
          data-testid="sample-next"
          aria-label="Next: next test image"
        >
          Next ›
        </button>
      </div>
      <div className="image-main" ref={imageRef}>
        {inStrip ? (
          <PixelCanvas
            pixels={strip.pixels.subarray(at * size, (at + 1) * size)}
            shape={shape}
            size={252}
            label={`Test image ${sample}`}
            testId="image-canvas"
            className="large"
          />
        ) : null}
        {inStrip ? (
          <PngButton container={imageRef} filename={`${datasetId}-test-${sample}.png`} what="test image" testId="image-png" />
        ) : (
          <div className="image-placeholder" style={{ width: 252, height: 252 }}>
            Loading…
          </div>
        )}
        <div className="true-label">
          <span className="status-key">True label</span>
          <strong data-testid="true-label" data-class={inStrip ? strip.labels[at] : undefined} data-sample={inStrip ? sample : undefined}>
            {inStrip ? info.classNames[strip.labels[at]] : '…'}
          </strong>
        </div>
      </div>
      {usable && (
        <div className="strip" data-testid="sample-strip" role="group" aria-label="Nearby test images">
          {strip.labels.map((label, k) => {
            const index = strip.start + k;
            return (
              <button
                type="button"
                key={index}
                className={`thumb ${index === sample ? 'current' : ''}`}
                onClick={() => selectSample(index)}
                disabled={fixed && index !== sample}
                aria-pressed={index === sample}
                aria-label={`Test image ${index}, label ${info.classNames[label]}`}
                data-testid={`strip-item-${index}`}
              >
                <PixelCanvas pixels={strip.pixels.subarray(k * size, (k + 1) * size)} shape={shape} size={44} label="" />
                <span className="thumb-index">{index}</span>
              </button>
            );
          })}
        </div>
      )}
      <PictureInput />
    </section>
  );
}
