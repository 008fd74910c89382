/**
 * The teacher's form for a classroom link: for each setting of the shared setup and the lab on screen,
 * shown, locked (shown, cannot be changed) or hidden; optionally present mode. The link is the lab's
 * state as it is now plus `lock=` / `hide=` (URL keys, as in TensorFlow Playground's `_hide`); opening
 * it locks those settings at these values (src/ui/lessons/view.ts says how it is enforced).
 */
import { useMemo, useState } from 'react';
import { coreSlice } from '../../core/experiment/core-settings';
import { LABS } from '../../labs/index';
import { encodeExperiment, type Experiment } from '../../labs/experiment';
import { useLab } from '../store';
import { controlState, leaveClassroom, PATH_TO_KEY, setClassroom, useView, viewLinkSuffix } from './view';

type Choice = 'free' | 'locked' | 'hidden';

export function ClassroomMaker() {
  const e = useLab((s) => s.experiment);
  const view = useView();
  const lab = LABS.find((l) => l.id === e.lab) ?? LABS[0];
  const fields = useMemo(
    () =>
      [...coreSlice<Experiment>().fields, ...(lab.slice.fields as readonly { path: string; label: string; help?: string }[])].filter(
        (f) => f.path !== 'backend',
      ),
    [lab],
  );
  const [choice, setChoice] = useState<Record<string, Choice>>(() =>
    Object.fromEntries(fields.map((f) => [f.path, controlState(view, f.path)])),
  );
  const [present, setPresent] = useState(view.present);
  const [copied, setCopied] = useState<string | null>(null);
  const keysOf = (c: Choice) =>
    fields
      .filter((f) => (choice[f.path] ?? 'free') === c)
      .map((f) => PATH_TO_KEY.get(f.path))
      .filter((k): k is string => !!k);
  const lockKeys = keysOf('locked');
  const hideKeys = keysOf('hidden');
  const suffix = viewLinkSuffix({
    lesson: null,
    step: 0,
    fresh: false,
    origin: 'link',
    present,
    compare: view.compare,
    locked: Object.fromEntries(fields.filter((f) => choice[f.path] === 'locked').map((f) => [f.path, 0])),
    hidden: fields.filter((f) => choice[f.path] === 'hidden').map((f) => f.path),
    lessonLocked: [],
    lessonHidden: [],
    lessonOf: null,
  });
  const link = `${location.origin}${location.pathname}#${encodeExperiment(e)}${suffix}`;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setCopied('Link copied.');
    } catch {
      setCopied('Copy the link from the box.');
    }
  };
  return (
    <div className="classroom-maker" data-testid="classroom-maker">
      <p className="small">
        The link opens the lab as it is now. Locked settings are shown but cannot be changed (not by the page, nor by editing the link in
        the same tab); hidden ones are not shown.
      </p>
      <table className="classroom-table">
        <thead>
          <tr>
            <th scope="col">Setting</th>
            <th scope="col">In the link</th>
          </tr>
        </thead>
        <tbody>
          {fields.map((f) => (
            <tr key={f.path}>
              <th scope="row" title={f.help}>
                {f.label} <span className="muted small">{PATH_TO_KEY.get(f.path)}</span>
              </th>
              <td>
                <select
                  value={choice[f.path] ?? 'free'}
                  onChange={(ev) => setChoice((c) => ({ ...c, [f.path]: ev.target.value as Choice }))}
                  aria-label={`${f.label}: shown, locked or hidden`}
                  data-testid={`classroom-${PATH_TO_KEY.get(f.path)}`}
                >
                  <option value="free">shown</option>
                  <option value="locked">locked</option>
                  <option value="hidden">hidden</option>
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <label className="param checkbox">
        <input type="checkbox" checked={present} onChange={(ev) => setPresent(ev.target.checked)} data-testid="classroom-present" />
        <span>open in present mode</span>
      </label>
      <label className="small" htmlFor="classroom-link">
        Classroom link
      </label>
      <input id="classroom-link" className="classroom-link" type="text" readOnly value={link} data-testid="classroom-link" />
      <div className="studio-actions">
        <button type="button" className="primary" onClick={() => void copy()} data-testid="classroom-copy">
          Copy link
        </button>
        <button
          type="button"
          className="secondary"
          onClick={() => {
            setClassroom(e, lockKeys, hideKeys);
            useView.setState({ present });
          }}
          data-testid="classroom-apply"
        >
          Apply in this tab
        </button>
        {(Object.keys(view.locked).length > 0 || view.hidden.length > 0) && (
          <button type="button" className="secondary" onClick={leaveClassroom} data-testid="classroom-leave">
            Leave classroom mode
          </button>
        )}
        {copied && (
          <span className="small" role="status">
            {copied}
          </span>
        )}
      </div>
    </div>
  );
}
