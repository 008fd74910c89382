/**
 * One mail of the text set as the spam filter reads it (Subject line, then the body), with the backdoor
 * trigger marked (<mark>) and the model's spam probability, before and after the trigger when both are
 * given. Presentational only: the caller computes the probabilities (textProbabilities in
 * src/core/train/train-text.ts, in the worker) and the trigger's span (insertTrigger's `span`).
 */
import type { Mail } from '../../../core/data/text';

export interface MailViewProps {
  mail: Mail;
  /** The trigger's place in `${subject}\n${body}`, [start, end). */
  trigger?: { start: number; end: number };
  /** p(spam) of the mail as shown (with the trigger when there is one). */
  probability?: number;
  /** p(spam) of the same mail without the trigger. */
  probabilityBefore?: number;
  /** Characters of the body shown (the rest is summarised). */
  maxChars?: number;
}

export interface Segment {
  text: string;
  trigger: boolean;
  /** Where the part starts in the text. */
  start: number;
}

/** `text` cut into plain and trigger parts (an empty or out-of-range span marks nothing). */
export function mailSegments(text: string, span?: { start: number; end: number }): Segment[] {
  if (!span || !(span.start >= 0 && span.end > span.start && span.end <= text.length)) return [{ text, trigger: false, start: 0 }];
  return [
    { text: text.slice(0, span.start), trigger: false, start: 0 },
    { text: text.slice(span.start, span.end), trigger: true, start: span.start },
    { text: text.slice(span.end), trigger: false, start: span.end },
  ].filter((s) => s.text.length > 0);
}

const pct = (p: number) => `${(100 * p).toFixed(1)}%`;
const verdict = (p: number) => (p > 0.5 ? 'spam' : 'ham');

export function MailView({ mail, trigger, probability, probabilityBefore, maxChars = 4000 }: MailViewProps) {
  const text = `${mail.subject}\n${mail.body}`;
  // keep the trigger visible when the body is cut
  const end = Math.max(Math.min(text.length, mail.subject.length + 1 + maxChars), trigger ? Math.min(text.length, trigger.end + 200) : 0);
  const shown = text.slice(0, end);
  const segments = mailSegments(shown, trigger && trigger.end <= end ? trigger : undefined);
  const subjectEnd = mail.subject.length;
  return (
    <article className="mail-view" data-testid="mail-view" aria-label={`mail ${mail.id}`}>
      <header className="muted small">
        {mail.id} · {mail.label === 1 ? 'spam' : 'ham'} · from {mail.from || 'unknown sender'}
      </header>
      <pre className="mail-text" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', maxHeight: '20em', overflow: 'auto' }}>
        {segments.map((s, i) => {
          const content =
            s.start < subjectEnd ? (
              <>
                <strong>{s.text.slice(0, subjectEnd - s.start)}</strong>
                {s.text.slice(subjectEnd - s.start)}
              </>
            ) : (
              s.text
            );
          return s.trigger ? (
            <mark key={i} data-testid="mail-trigger">
              {content}
            </mark>
          ) : (
            <span key={i}>{content}</span>
          );
        })}
        {end < text.length ? `\n… (${text.length - end} more characters)` : ''}
      </pre>
      {probability !== undefined && (
        <p data-testid="mail-probability">
          {probabilityBefore !== undefined && (
            <>
              p(spam) without the trigger <strong>{pct(probabilityBefore)}</strong> ({verdict(probabilityBefore)}),{' '}
            </>
          )}
          {probabilityBefore !== undefined ? 'with it' : 'p(spam)'} <strong>{pct(probability)}</strong> ({verdict(probability)})
        </p>
      )}
    </article>
  );
}
