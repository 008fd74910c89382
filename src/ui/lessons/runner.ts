/**
 * The lesson runner's actions: open a lesson (its experiment link, its locks, the step the student was
 * on), move between steps (a step's link is read on top of the lab's state), close it. Lessons come
 * from every lab through src/labs/lessons.ts; nothing here names a lab or a lesson.
 */
import type { Lesson } from '../../core/lessons/lesson';
import { ALL_LESSONS, type LessonView } from '../../labs/lessons';
import { decodeExperiment, type Experiment } from '../../labs/experiment';
import { applyExperiment } from '../controller';
import { addNotice, useLab } from '../store';
import { readProgress, saveStep } from './progress';
import { leaveClassroom, setClassroom, useView } from './view';

export function lessonById(id: string | null): Lesson<LessonView> | null {
  return ALL_LESSONS.find((l) => l.id === id) ?? null;
}

/** A lesson or step link read on top of an experiment (links in lessons are format 2 without the `v=`). */
function readLink(link: string, base: Experiment, where: string): Experiment {
  const d = decodeExperiment(`v=2&${link}`, base);
  for (const n of d.notices) addNotice('warning', `Lesson ${where}: ${n}`);
  return d.experiment;
}

/** The experiment of a lesson at a step: its link, then each step's link up to that step. */
export function lessonExperiment(lesson: Lesson<LessonView>, step: number): Experiment {
  let e = readLink(lesson.link, decodeExperiment('').experiment, lesson.id);
  for (let k = 0; k <= step && k < lesson.steps.length; k++) {
    const l = lesson.steps[k].link;
    if (l) e = readLink(l, e, `${lesson.id}, step ${k + 1}`);
  }
  return e;
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
  // under a teacher's classroom link, the teacher's locks stay (a lesson cannot lift them)
  if (useView.getState().origin !== 'link') setClassroom(e, lesson.lock ?? [], lesson.hide ?? [], 'lesson');
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
  if (link) applyExperiment(readLink(link, useLab.getState().experiment, `${lesson.id}, step ${at + 1}`));
  saveStep(lesson.id, at);
}

export function closeLesson(): void {
  useView.setState({ lesson: null, step: 0 });
  if (useView.getState().origin === 'lesson') leaveClassroom();
}
