/**
 * The header's teaching tools: the lesson list, the classroom link maker, the lab notebook, present
 * mode. Each opens a drawer below the header; present mode is left with its button or Escape.
 */
import { useEffect, useState } from 'react';
import { Notebook } from '../notebook/Notebook';
import { ClassroomMaker } from './ClassroomMaker';
import { LessonList } from './LessonPanel';
import { useView } from './view';

type Drawer = 'lessons' | 'classroom' | 'notebook' | null;

export function TeachingToolbar() {
  const [open, setOpen] = useState<Drawer>(null);
  const present = useView((v) => v.present);
  const teacherLocks = useView((v) => v.origin === 'link');
  const locked = useView((v) => Object.keys(v.locked).length);
  useEffect(() => {
    if (!present) return;
    const onKey = (ev: KeyboardEvent) => {
      if (ev.key === 'Escape') useView.setState({ present: false });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [present]);
  const toggle = (d: Exclude<Drawer, null>) => setOpen((o) => (o === d ? null : d));
  const button = (d: Exclude<Drawer, null>, label: string) => (
    <button
      type="button"
      className={open === d ? 'secondary active' : 'secondary'}
      aria-expanded={open === d}
      aria-controls="teaching-drawer"
      onClick={() => toggle(d)}
      data-testid={`open-${d}`}
    >
      {label}
    </button>
  );
  return (
    <div className="teaching" data-testid="teaching-toolbar">
      <div className="teaching-buttons">
        {button('lessons', 'Lessons')}
        {!teacherLocks && button('classroom', 'Classroom link')}
        {button('notebook', 'Notebook')}
        <button
          type="button"
          className={present ? 'primary' : 'secondary'}
          aria-pressed={present}
          onClick={() => useView.setState({ present: !present })}
          data-testid="present-toggle"
          title="Large images and text for a projector (Escape leaves)"
        >
          {present ? 'Leave present mode' : 'Present'}
        </button>
        {locked > 0 && (
          <span className="badge small" data-testid="classroom-badge" title="Some settings are locked by the link you opened">
            {teacherLocks ? 'classroom link' : 'lesson'}: {locked} setting{locked === 1 ? '' : 's'} locked
          </span>
        )}
      </div>
      {open && (
        <div id="teaching-drawer" className="teaching-drawer panel" data-testid={`drawer-${open}`}>
          {open === 'lessons' && <LessonList onOpen={() => setOpen(null)} />}
          {open === 'classroom' && <ClassroomMaker />}
          {open === 'notebook' && <Notebook />}
        </div>
      )}
    </div>
  );
}
