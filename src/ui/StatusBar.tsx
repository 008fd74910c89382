import type { BackendChoice } from '../labs/experiment';
import { selectBackend } from './controller';
import { SpeedMeter } from './SpeedMeter';
import { bytes, count } from './format';
import { useLab } from './store';

const CHOICES: { value: BackendChoice; label: string }[] = [
  { value: 'auto', label: 'Auto (best available)' },
  { value: 'webgpu', label: 'WebGPU' },
  { value: 'webgl', label: 'WebGL' },
  { value: 'wasm', label: 'WASM' },
];

/**
 * Compute backend with its switch and the speed meter; the adapter and TensorFlow.js memory (for
 * whoever wants them) folded under "Details".
 */
export function StatusBar() {
  const backend = useLab((s) => s.backend);
  const memory = useLab((s) => s.memory);
  const requested = useLab((s) => s.experiment.backend);
  return (
    <div className="status-bar" data-testid="status-bar">
      <label className="status-item">
        <span className="status-key">Backend</span>
        <select
          value={requested}
          onChange={(e) => selectBackend(e.target.value as BackendChoice)}
          data-testid="backend-select"
          aria-label="Compute backend"
        >
          {CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </label>
      <div className="status-item">
        <span className="status-key">Running on</span>
        <strong data-testid="backend-name">{backend?.name ?? '…'}</strong>
      </div>
      <details className="status-details">
        <summary className="status-key">Details</summary>
        <div
          className="status-item adapter"
          title={
            [
              ...(backend?.probe ?? []).map(
                (t) =>
                  `speed probe ${t.name}: ${t.ms === null ? 'not timed' : `${t.ms.toFixed(1)} ms per step`}, first kernel ${Math.round(t.firstKernelMs)} ms (probe took ${Math.round(t.probeMs)} ms)`,
              ),
              ...(backend?.skipped ?? []).map((s) => `${s.name}: ${s.reason}`),
            ].join('\n') || undefined
          }
          data-testid="backend-probe"
          data-probe={backend?.probe ? JSON.stringify(backend.probe) : undefined}
        >
          <span className="status-key">Adapter</span>
          <span data-testid="backend-adapter">{backend?.adapter ?? '…'}</span>
        </div>
        <div className="status-item">
          <span className="status-key">Tensors</span>
          <span data-testid="memory-tensors">{memory ? count(memory.numTensors) : '…'}</span>
        </div>
        <div className="status-item">
          <span className="status-key">Tensor memory</span>
          <span data-testid="memory-bytes">{memory ? bytes(memory.numBytes) : '…'}</span>
        </div>
      </details>
      <SpeedMeter />
    </div>
  );
}
