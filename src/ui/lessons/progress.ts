/**
 * Lesson progress, kept in this browser (localStorage, one JSON value): per lesson, the step the student
 * was on and the steps done (a step is done when its task was seen done in the lab, its question
 * answered, or, with neither, when the student moved past it). Unreadable stored progress is dropped,
 * never fatal.
 */
export interface LessonProgress {
  step: number;
  done: number[];
}

const KEY = 'rlab.lessons.v1';

export function readProgress(): Record<string, LessonProgress> {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return {};
    const v = JSON.parse(raw) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
    const out: Record<string, LessonProgress> = {};
    for (const [id, p] of Object.entries(v as Record<string, unknown>)) {
      const q = p as { step?: unknown; done?: unknown };
      if (typeof q.step !== 'number' || !Array.isArray(q.done)) continue;
      out[id] = { step: Math.max(0, Math.floor(q.step)), done: q.done.filter((d): d is number => Number.isInteger(d) && d >= 0) };
    }
    return out;
  } catch {
    return {};
  }
}

function write(all: Record<string, LessonProgress>): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(all));
  } catch {
    // storage full or refused: progress is not kept, the lesson still works
  }
}

export function saveStep(id: string, step: number): void {
  const all = readProgress();
  all[id] = { step, done: all[id]?.done ?? [] };
  write(all);
}

export function markDone(id: string, step: number): void {
  const all = readProgress();
  const p = all[id] ?? { step, done: [] };
  if (!p.done.includes(step)) p.done = [...p.done, step].sort((a, b) => a - b);
  all[id] = p;
  write(all);
}

export function resetProgress(id: string): void {
  const all = readProgress();
  delete all[id];
  write(all);
}
