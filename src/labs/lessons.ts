/**
 * The labs' lessons, by lab, in the order the lesson list shows them (browser only, like panels.ts).
 * A lab adds its lessons here, one line, from its public entry; the runner (src/ui/lessons/) reads
 * only this list. Each lab's checks read the part of the shell's state its own view interface
 * declares: the assignment below fails to compile when the shell's state stops satisfying one.
 * A lab whose results live in its panels' own stores also names here the state those panels publish
 * for its lessons (`LabLessonStates`, one line; src/ui/lessons/lab-states.ts keeps it).
 */
import type { Lesson } from '../core/lessons/lesson';
import { checkLessons } from '../core/lessons/lesson';
import type { LabState } from '../ui/store';
import { ATTACK_LESSONS } from './attacks/index';
import { FEDERATED_LESSONS, type FederatedLessonState } from './federated/index';
import { PRIVACY_LESSONS, type PrivacyLessonState } from './privacy/index';

/** What the labs' panels publish for their lessons, by lab id (absent until the lab's panels have loaded). */
export interface LabLessonStates {
  federated?: FederatedLessonState;
  privacy?: PrivacyLessonState;
}

/** What a lesson's checks read: the shell's state and what the labs' panels published. */
export type LessonView = LabState & { labs: LabLessonStates };

export const LAB_LESSONS: readonly { id: string; lessons: readonly Lesson<LessonView>[] }[] = [
  { id: 'attacks', lessons: ATTACK_LESSONS },
  { id: 'federated', lessons: FEDERATED_LESSONS },
  { id: 'privacy', lessons: PRIVACY_LESSONS },
];

/** Every lesson, lab by lab. */
export const ALL_LESSONS: readonly Lesson<LessonView>[] = LAB_LESSONS.flatMap((l) => [...l.lessons].sort((a, b) => a.order - b.order));
checkLessons(ALL_LESSONS);
