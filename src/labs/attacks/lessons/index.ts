/** The attacks lab's lessons, in order (the runner, src/ui/lessons/, collects them through src/labs/lessons.ts). */
import { checkLessons } from '../../../core/lessons/lesson';
import { adversarialTrainingLesson } from './adversarial-training';
import { blackBoxLesson } from './black-box';
import { cifarPhotoLesson } from './cifar-photo';
import { fgsmLesson } from './fgsm';
import { minimalLesson } from './minimal';
import { pgdLesson } from './pgd';
import { threatMap } from './threat-map';
import type { AttackLesson } from './view';

export type { AttackLesson, AttackLessonView } from './view';
export const ATTACK_LESSONS: readonly AttackLesson[] = [
  threatMap,
  fgsmLesson,
  pgdLesson,
  minimalLesson,
  blackBoxLesson,
  adversarialTrainingLesson,
  cifarPhotoLesson,
];
checkLessons(ATTACK_LESSONS);
