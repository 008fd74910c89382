/**
 * What the labs' panels publish for their lessons, by lab id (the `labs` part of a lesson's view). A lab
 * whose results live in its panels' own stores (the federated runs, a membership-inference outcome)
 * publishes here the part its lessons read; the runner hands lessons the shell's state with it, and
 * re-checks a step when either changes. The shape of each lab's part is declared by the lab
 * (src/labs/<lab>/lessons/view.ts) and listed in src/labs/lessons.ts; nothing here names a lab.
 */
import { create } from 'zustand';
import type { LabLessonStates, LessonView } from '../../labs/lessons';
import { useLab } from '../store';

export const useLabLessonStates = create<LabLessonStates>(() => ({}));

/** Merge `part` into the lab's published state (shallow: each key replaces the one before). */
export function publishLessonState<K extends keyof LabLessonStates>(lab: K, part: Partial<NonNullable<LabLessonStates[K]>>): void {
  useLabLessonStates.setState((s) => ({ [lab]: { ...s[lab], ...part } }) as Partial<LabLessonStates>);
}

/** The lab's published state (for a panel that appends to it, e.g. a history of runs). */
export function publishedLessonState<K extends keyof LabLessonStates>(lab: K): LabLessonStates[K] {
  return useLabLessonStates.getState()[lab];
}

/** The view a lesson reads, now: the shell's state and what the labs published. */
export function lessonView(): LessonView {
  return { ...useLab.getState(), labs: useLabLessonStates.getState() };
}

/** A value read from the lesson view, kept up to date (`read` must return a primitive or a stable object). */
export function useLessonView<T>(read: (v: LessonView) => T): T {
  const labs = useLabLessonStates();
  return useLab((s) => read({ ...s, labs }));
}
