/**
 * The experiment of a lesson at a step, as the runner opens it and the labs' lesson tests check it: the
 * lesson's link read on the default experiment, then each step's link up to that step read on top
 * (links in lessons are format 2 without the `v=`). Shared by src/ui/lessons/runner.ts and the tests.
 */
import type { Lesson } from '../core/lessons/lesson';
import { decodeExperiment, type Experiment } from './experiment';

/** A lesson's or step's link read on top of an experiment; its notices go to `onNotice`. */
export function readLessonLink(link: string, base: Experiment, onNotice: (notice: string) => void = () => {}): Experiment {
  const d = decodeExperiment(`v=2&${link}`, base);
  for (const n of d.notices) onNotice(n);
  return d.experiment;
}

/** `onNotice` gets each decoding notice with where it came from ("<lesson id>" or "<lesson id>, step k"). */
export function lessonExperiment<V>(
  lesson: Pick<Lesson<V>, 'id' | 'link' | 'steps'>,
  step: number,
  onNotice: (where: string, notice: string) => void = () => {},
): Experiment {
  const read = (link: string, base: Experiment, where: string) => readLessonLink(link, base, (n) => onNotice(where, n));
  let e = read(lesson.link, decodeExperiment('').experiment, lesson.id);
  for (let k = 0; k <= step && k < lesson.steps.length; k++) {
    const l = lesson.steps[k].link;
    if (l) e = read(l, e, `${lesson.id}, step ${k + 1}`);
  }
  return e;
}
