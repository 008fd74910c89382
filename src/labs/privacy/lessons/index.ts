/** The privacy lab's lessons, in order (the runner, src/ui/lessons/, collects them through src/labs/lessons.ts). */
import { checkLessons } from '../../../core/lessons/lesson';
import { dpSgdLesson } from './dp-sgd';
import { gradientPhotoLesson } from './gradient-photo';
import type { PrivacyLesson } from './view';

export type { LeakRunView, MiaRunView, PrivacyLesson, PrivacyLessonState, PrivacyLessonView } from './view';
export const PRIVACY_LESSONS: readonly PrivacyLesson[] = [dpSgdLesson, gradientPhotoLesson];
checkLessons(PRIVACY_LESSONS);
