/**
 * The labs' lessons, by lab, in the order the lesson list shows them (browser only, like panels.ts).
 * A lab adds its lessons here, one line, from its public entry; the runner (src/ui/lessons/) reads
 * only this list. Each lab's checks read the part of the shell's state its own view interface
 * declares: the assignment below fails to compile when the shell's state stops satisfying one.
 */
import type { Lesson } from '../core/lessons/lesson';
import { checkLessons } from '../core/lessons/lesson';
import type { LabState } from '../ui/store';
import { ATTACK_LESSONS } from './attacks/index';

export const LAB_LESSONS: readonly { id: string; lessons: readonly Lesson<LabState>[] }[] = [{ id: 'attacks', lessons: ATTACK_LESSONS }];

/** Every lesson, lab by lab. */
export const ALL_LESSONS: readonly Lesson<LabState>[] = LAB_LESSONS.flatMap((l) => [...l.lessons].sort((a, b) => a.order - b.order));
checkLessons(ALL_LESSONS);
