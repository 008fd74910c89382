import { useEffect, useRef, useState, type PointerEvent } from 'react';
import { DATASETS } from '../core/data/datasets';
import { clearPicture, choosePicture } from './controller';
import { DropZone } from './DropZone';
import { PixelCanvas } from './PixelCanvas';
import { studioBusy, useLab } from './store';

const hasCamera = () => typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getUserMedia === 'function';

/** The camera, opened only when the user asks; one frame is taken as a picture. */
function Camera() {
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [error, setError] = useState<string | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (!stream || !video.current) return;
    video.current.srcObject = stream;
    void video.current.play().catch(() => {});
    return () => stream.getTracks().forEach((t) => t.stop());
  }, [stream]);
  const open = async () => {
    setError(null);
    try {
      setStream(await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false }));
    } catch (e) {
      const name = e instanceof Error ? e.name : '';
      setError(
        name === 'NotAllowedError'
          ? 'The camera was not allowed; allow it in the browser, or upload a picture instead.'
          : name === 'NotFoundError'
            ? 'No camera was found.'
            : `The camera could not be opened (${e instanceof Error ? e.message : String(e)}).`,
      );
    }
  };
  const take = () => {
    const v = video.current;
    if (!v || !v.videoWidth) return;
    const canvas = document.createElement('canvas');
    canvas.width = v.videoWidth;
    canvas.height = v.videoHeight;
    canvas.getContext('2d')?.drawImage(v, 0, 0);
    canvas.toBlob((blob) => {
      if (blob) choosePicture(blob, 'camera picture', 'camera');
      setStream(null);
    }, 'image/png');
  };
  if (!hasCamera()) return null;
  return (
    <div className="camera">
      {stream ? (
        <>
          <video ref={video} muted playsInline className="camera-video" data-testid="camera-video" />
          <div className="studio-actions">
            <button type="button" className="primary" onClick={take} data-testid="camera-take">
              Take picture
            </button>
            <button type="button" className="secondary" onClick={() => setStream(null)}>
              Close camera
            </button>
          </div>
        </>
      ) : (
        <button type="button" className="secondary" onClick={() => void open()} data-testid="camera-open">
          Use the camera…
        </button>
      )}
      {error && (
        <p className="attack-error small" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** A pad to draw a digit with the mouse, a pen or a finger (light strokes on black, as MNIST). */
function DrawPad() {
  const ref = useRef<HTMLCanvasElement>(null);
  const last = useRef<{ x: number; y: number } | null>(null);
  const [drawn, setDrawn] = useState(false);
  const clear = () => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, 280, 280);
    setDrawn(false);
  };
  useEffect(clear, []);
  const at = (e: PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * 280) / r.width, y: ((e.clientY - r.top) * 280) / r.height };
  };
  const stroke = (to: { x: number; y: number }) => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const from = last.current ?? to;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 22;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x + 0.01, to.y);
    ctx.stroke();
    last.current = to;
    setDrawn(true);
  };
  const use = () => ref.current?.toBlob((blob) => blob && choosePicture(blob, 'your drawing', 'drawing'), 'image/png');
  return (
    <div className="draw-pad">
      <canvas
        ref={ref}
        width={280}
        height={280}
        className="draw-canvas"
        aria-label="Drawing pad: draw a digit"
        data-testid="draw-pad"
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture(e.pointerId);
          last.current = null;
          stroke(at(e));
        }}
        onPointerMove={(e) => {
          if (e.buttons & 1) stroke(at(e));
        }}
        onPointerUp={() => (last.current = null)}
      />
      <div className="studio-actions">
        <button type="button" className="secondary" onClick={use} disabled={!drawn} data-testid="draw-use">
          Classify drawing
        </button>
        <button type="button" className="secondary" onClick={clear} data-testid="draw-clear">
          Clear
        </button>
      </div>
    </div>
  );
}

/** Your own picture in place of a test image: upload or drop, the camera, or (grey data sets) a drawing. */
export function PictureInput() {
  const dataset = useLab((s) => s.experiment.dataset);
  const error = useLab((s) => s.customError);
  const busy = useLab(studioBusy);
  const shape = DATASETS[dataset]?.shape ?? [28, 28, 1];
  const pick = (files: File[]) => {
    if (files[0]) choosePicture(files[0], files[0].name, 'photo');
  };
  return (
    <details className="picture-input" open={shape[2] === 3}>
      <summary>Your own picture</summary>
      <DropZone
        label="Upload a picture…"
        accept="image/png,image/jpeg,image/webp,image/gif"
        disabled={busy}
        onFiles={pick}
        dropTestId="picture-drop"
        inputTestId="picture-input"
        hint={
          <>
            or drop a PNG or JPEG here (up to 20 MB). Its centred square is resized to {shape[0]}x{shape[1]}
            {shape[2] === 1 ? ' grey (dark strokes on a light ground are inverted to look like MNIST)' : ' RGB'}; it stays in this browser.
          </>
        }
      />
      <Camera />
      {shape[2] === 1 && <DrawPad />}
      {error && (
        <p className="attack-error" role="alert" data-testid="picture-error">
          {error}
        </p>
      )}
    </details>
  );
}

/** The picture as the model sees it (upscaled without smoothing), in place of the test image. */
export function PictureView() {
  const custom = useLab((s) => s.custom);
  if (!custom) return null;
  const [h, w, c] = custom.image.shape;
  return (
    <div className="image-main" data-testid="picture-view" data-custom-id={custom.id}>
      <figure>
        <PixelCanvas
          pixels={custom.image.pixels}
          shape={custom.image.shape}
          size={252}
          label={`What the model sees of ${custom.name}`}
          testId="picture-preview"
          className="large"
        />
        <figcaption className="small">
          What the model sees: <span data-testid="picture-size">{`${h}x${w} ${c === 3 ? 'RGB' : 'grey'}`}</span>, the centred square of{' '}
          {custom.name} ({custom.image.sourceWidth}x{custom.image.sourceHeight}){custom.image.inverted ? ', inverted to light on dark' : ''}
          .
        </figcaption>
      </figure>
      <div className="true-label">
        <span className="status-key">True label</span>
        <strong data-testid="picture-no-label">none (your picture)</strong>
        <p className="muted small">
          Attacks are untargeted against the model's own clean prediction. Links carry the data set, model and attack settings, not your
          picture: it never leaves this browser.
        </p>
        <button type="button" className="secondary" onClick={clearPicture} data-testid="picture-clear">
          Back to test images
        </button>
      </div>
    </div>
  );
}
