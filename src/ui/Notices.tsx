import { dismissNotice, useLab } from './store';

/**
 * Link problems, load errors and backend fallbacks, as plain text. A list of notices; each item's text
 * sits in a live region (role on the span, not the item: a list holds only list items).
 */
export function Notices() {
  const notices = useLab((s) => s.notices);
  if (notices.length === 0) return null;
  return (
    <ul className="notices" data-testid="notices" aria-label="Notices">
      {notices.map((n) => (
        <li key={n.id} className={`notice ${n.kind}`} data-testid="notice" data-kind={n.kind}>
          <span role={n.kind === 'error' ? 'alert' : 'status'}>{n.text}</span>
          <button type="button" className="dismiss" onClick={() => dismissNotice(n.id)} aria-label="Dismiss notice">
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
