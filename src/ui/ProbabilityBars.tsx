interface Props {
  probs: number[];
  classNames: readonly string[];
  predicted: number;
  label: number;
  testId: string;
}

/** Softmax probabilities as horizontal bars; the predicted class and the true class are marked. */
export function ProbabilityBars({ probs, classNames, predicted, label, testId }: Props) {
  return (
    <ol className="prob-bars" data-testid={testId} aria-label="Class probabilities">
      {probs.map((p, k) => (
        <li
          key={k}
          className={`prob-row ${k === predicted ? 'predicted' : ''} ${k === label ? 'truth' : ''}`}
          data-testid={`${testId}-${k}`}
          data-prob={p.toFixed(6)}
        >
          <span className="prob-name">{classNames[k] ?? String(k)}</span>
          <span className="prob-track" aria-hidden="true">
            <span className="prob-fill" style={{ width: `${(p * 100).toFixed(2)}%` }} />
          </span>
          <span className="prob-value">{(p * 100).toFixed(1)}%</span>
        </li>
      ))}
    </ol>
  );
}
