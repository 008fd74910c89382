import { useState } from 'react';
import { useLab } from './store';

/** Copy the link of the current view; says what a link cannot carry (your picture, your own model). */
export function ShareLink() {
  const custom = useLab((s) => s.custom);
  const own = useLab((s) => s.ownModel);
  const model = useLab((s) => s.experiment.model);
  const sample = useLab((s) => s.experiment.sample);
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    const url = location.href;
    try {
      await navigator.clipboard.writeText(url);
      setCopied('Link copied.');
    } catch {
      setCopied(`Copy this link: ${url}`);
    }
  };
  const caveats = [
    custom ? `your picture is not in the link (it never leaves this browser): whoever opens it sees test image ${sample}` : null,
    own && own.id === model ? 'your own model is not in the link: whoever opens it gets a zoo model' : null,
  ].filter(Boolean);
  return (
    <div className="share" data-testid="share">
      <button type="button" className="secondary" onClick={() => void copy()} data-testid="share-copy">
        Copy link
      </button>
      {caveats.length > 0 && (
        <span className="small muted" data-testid="share-caveat">
          The link holds the data set, model and attack settings; {caveats.join('; ')}.
        </span>
      )}
      {copied && (
        <span className="small" role="status" data-testid="share-status">
          {copied}
        </span>
      )}
    </div>
  );
}
