/**
 * What a lesson is (data, no React, no DOM): an experiment link that opens the lab's state, the controls
 * it locks or hides, and steps of text with math. A step may ask the student to do something in the live
 * lab and check it from the lab's computed state (`task.done`), or ask a question whose answer the lab
 * computed (`question.answer`). Lessons live in each lab's folder (src/labs/<lab>/lessons/) and reach the
 * shell's runner (src/ui/lessons/) through src/labs/lessons.ts, the way panels do through panels.ts.
 *
 * `V` is the state a lab's checks read: each lab declares the part of the shell's state it needs as its
 * own interface (the attacks lab: the experiment, the studio's last result, the prediction), so a lab's
 * lessons need nothing from the shell; the shell's state satisfies every such interface. A lab whose
 * results live in its panels' own stores (the federated and privacy labs) publishes the part its lessons
 * read under `labs.<lab id>` of the view (src/ui/lessons/lab-states.ts; its type in src/labs/lessons.ts).
 *
 * Text: paragraphs separated by blank lines; `$...$` inline math and `$$...$$` display math (TeX, set by
 * KaTeX in the browser); `**bold**`; `[words](tab:<lab>)` switches the lab tab; `[words](https://...)`
 * an outside reference (a paper, a standard).
 */

/** Something the student does in the lab; the runner marks the step done when `done` holds. */
export interface LessonTask<V> {
  /** What to do, in one sentence. */
  prompt: string;
  /** True once the lab's state shows the task done (the studio's last result, the settings). */
  done: (view: V) => boolean;
  /** A nudge computed from the state while the task is not done (null: none). */
  hint?: (view: V) => string | null;
}

/** A question whose answer the lab computed (a number read from a result, or one of given choices). */
export interface LessonQuestion<V> {
  prompt: string;
  /** The lab's answer, or null while the lab has not computed it yet (then `pending` says what to run). */
  answer: (view: V) => number | string | null;
  /** Choices for a multiple-choice question (the answer is one of them); absent: a number. */
  choices?: readonly string[];
  /** Relative tolerance of a numeric answer (default 0.02, with an absolute floor of 1e-3). */
  tolerance?: number;
  /** Shown while `answer` is null. */
  pending: string;
  /** Shown once answered correctly. */
  explain?: string;
}

/** A number the lab computed, shown beside a step's text (a row of its live table). */
export interface LessonNumber {
  label: string;
  value: string;
}

export interface LessonStep<V> {
  title: string;
  text: string;
  /**
   * A live table of numbers the lab computed (a model card's epsilons, an accountant's values, the runs
   * so far), recomputed as the state changes; null or empty: none shown. Keep it cheap (it runs on every
   * state change) or memoise it.
   */
  numbers?: (view: V) => readonly LessonNumber[] | null;
  /** A link fragment (`atk.name=pgd&atk.steps=40`) read on top of the lab's state when the step opens. */
  link?: string;
  /** Panels of the live lab the step is about (their CSS class, e.g. 'attack-panel'): highlighted and scrolled into view. */
  figures?: readonly string[];
  task?: LessonTask<V>;
  question?: LessonQuestion<V>;
}

export interface Lesson<V> {
  /** Unique over every lab's lessons; the link's `view.lesson=` key. */
  id: string;
  /** The lab it belongs to (src/labs/index.ts id). */
  lab: string;
  /** Order within the lab's list. */
  order: number;
  title: string;
  /** One sentence for the lesson list. */
  summary: string;
  /** The experiment the lesson opens (a link hash without '#', format 2). */
  link: string;
  /** URL keys of the controls the lesson locks at the link's values ('ds', 'model', 'atk.name'). */
  lock?: readonly string[];
  /** URL keys of the controls the lesson hides. */
  hide?: readonly string[];
  steps: readonly LessonStep<V>[];
}

/** Is a student's answer right? Numbers within the tolerance (relative, with an absolute floor), choices exactly. */
export function answerMatches(expected: number | string, given: string, tolerance = 0.02): boolean {
  if (typeof expected === 'string') return given.trim().toLowerCase() === expected.trim().toLowerCase();
  const v = Number(given.trim().replace(/\/255$/, ''));
  const x = /\/255\s*$/.test(given) ? v / 255 : v;
  if (given.trim() === '' || !Number.isFinite(x)) return false;
  return Math.abs(x - expected) <= Math.max(1e-3, tolerance * Math.abs(expected));
}

/** Lessons checked for what the runner relies on: unique ids, at least one step. Throws one-line errors. */
export function checkLessons<V>(lessons: readonly Lesson<V>[]): void {
  const ids = new Set<string>();
  for (const l of lessons) {
    if (!/^[a-z0-9-]+$/.test(l.id)) throw new Error(`lesson id "${l.id}" must be lower-case letters, digits and dashes`);
    if (ids.has(l.id)) throw new Error(`lesson id "${l.id}" is declared twice`);
    ids.add(l.id);
    if (l.steps.length === 0) throw new Error(`lesson "${l.id}" has no steps`);
    for (const s of l.steps)
      if (s.question?.choices && s.question.choices.length < 2) throw new Error(`lesson "${l.id}": a choice question needs two choices`);
  }
}
