/**
 * The lesson runner's actions: open a lesson (its experiment link, its locks, the step the student was
 * on), move between steps (a step's link is read on top of the lab's state), close it. Lessons come
 * from every lab through src/labs/lessons.ts; nothing here names a lab or a lesson.
 */
import type { Lesson } from '../../core/lessons/lesson';
import { ALL_LESSONS, type LessonView } from '../../labs/lessons';
import type { Experiment } from '../../labs/experiment';
import { lessonExperiment as experimentOfLesson, readLessonLink } from '../../labs/lesson-experiment';
import { applyExperiment } from '../controller';
import { addNotice, useLab } from '../store';
import { readProgress, saveStep } from './progress';
import { clearLessonControls, setLessonControls, useView } from './view';

export function lessonById(id: string | null): Lesson<LessonView> | null {
  return ALL_LESSONS.find((l) => l.id === id) ?? null;
}

/** The experiment of a lesson at a step (src/labs/lesson-experiment.ts); its notices become the page's. */
export function lessonExperiment(lesson: Lesson<LessonView>, step: number): Experiment {
  return experimentOfLesson(lesson, step, (where, n) => addNotice('warning', `Lesson ${where}: ${n}`));
}

/** Open a lesson at a step (default: where the student left it), with the lab in that step's state. */
export function openLesson(id: string, step?: number): void {
  const lesson = lessonById(id);
  if (!lesson) {
    addNotice('warning', `There is no lesson "${id.slice(0, 40)}"; the lab opened without it.`);
    useView.setState({ lesson: null, step: 0 });
    return;
  }
  const at = Math.min(lesson.steps.length - 1, Math.max(0, step ?? readProgress()[id]?.step ?? 0));
  const e = lessonExperiment(lesson, at);
  useView.setState({ lesson: id, step: at });
  // under a teacher's classroom link, the teacher's locks stay (a lesson cannot lift them) and the lesson's go on top
  setLessonControls(e, lesson.id, lesson.lock ?? [], lesson.hide ?? []);
  applyExperiment(e);
  saveStep(id, at);
}

/** Go to a step of the open lesson; its link (if any) is read on top of the lab's state. */
export function goToStep(step: number): void {
  const { lesson: id } = useView.getState();
  const lesson = lessonById(id);
  if (!lesson) return;
  const at = Math.min(lesson.steps.length - 1, Math.max(0, step));
  const link = lesson.steps[at].link;
  useView.setState({ step: at });
  if (link)
    applyExperiment(
      readLessonLink(link, useLab.getState().experiment, (n) => addNotice('warning', `Lesson ${lesson.id}, step ${at + 1}: ${n}`)),
    );
  saveStep(lesson.id, at);
}

export function closeLesson(): void {
  useView.setState({ lesson: null, step: 0 });
  clearLessonControls();
}
