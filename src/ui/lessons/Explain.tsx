/**
 * A panel's explanation in place, folded by default: what it does, its formula (KaTeX), its paper,
 * and what each parameter means (the field tables' help texts, the same ones the controls show as
 * tooltips and `rlab --help` prints). Labs keep the texts beside their panels; this only lays them out.
 */
import { TeX } from './LessonText';

export interface Explanation {
  what: string;
  /** TeX of the formula. */
  formula?: string;
  paper?: { cite: string; url?: string };
  /** Parameter label and meaning (from the field tables). */
  params?: readonly { label: string; help: string }[];
}

export function Explain({ title, x, testId }: { title: string; x: Explanation; testId: string }) {
  return (
    <details className="explain" data-testid={testId}>
      <summary>What is {title}?</summary>
      <p>{x.what}</p>
      {x.formula && <TeX tex={x.formula} display />}
      {x.paper && (
        <p className="small">
          Paper:{' '}
          {x.paper.url ? (
            <a href={x.paper.url} target="_blank" rel="noreferrer noopener">
              {x.paper.cite}
            </a>
          ) : (
            x.paper.cite
          )}
        </p>
      )}
      {x.params && x.params.length > 0 && (
        <dl className="small">
          {x.params.map((p) => (
            <div key={p.label} style={{ display: 'contents' }}>
              <dt>{p.label}</dt>
              <dd>{p.help}</dd>
            </div>
          ))}
        </dl>
      )}
    </details>
  );
}
