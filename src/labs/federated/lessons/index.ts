/** The federated lab's lessons, in order (the runner, src/ui/lessons/, collects them through src/labs/lessons.ts). */
import { checkLessons } from '../../../core/lessons/lesson';
import { backdoorLesson } from './backdoor';
import { secaggVsRobustLesson } from './secagg-vs-robust';
import type { FederatedLesson } from './view';

export type { FederatedLesson, FederatedLessonState, FederatedLessonView, FlRunView, PoisonRunView } from './view';
export const FEDERATED_LESSONS: readonly FederatedLesson[] = [secaggVsRobustLesson, backdoorLesson];
checkLessons(FEDERATED_LESSONS);
