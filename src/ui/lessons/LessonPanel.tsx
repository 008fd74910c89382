/**
 * The open lesson, above the lab's panels: the step's text (math set by KaTeX), its task checked from
 * the lab's live state, its question checked against the number the lab computed, and the figures it
 * is about (the lab's own panels, outlined and scrolled into view). Also the list of lessons.
 */
import { useEffect, useState } from 'react';
import { answerMatches, type LessonQuestion, type LessonStep } from '../../core/lessons/lesson';
import { LABS } from '../../labs/index';
import { LAB_LESSONS, type LessonView } from '../../labs/lessons';
import { patchExperiment, useLab } from '../store';
import { useLabLessonStates, useLessonView } from './lab-states';
import { LessonText } from './LessonText';
import { markDone, readProgress, resetProgress } from './progress';
import { closeLesson, goToStep, lessonById, openLesson } from './runner';
import { useView } from './view';

const goTab = (lab: string) => {
  if (LABS.some((l) => l.id === lab)) patchExperiment({ lab });
};

function formatAnswer(a: number | string): string {
  if (typeof a === 'string') return a;
  if (Number.isInteger(a)) return a.toLocaleString('en-US');
  return Number(a.toPrecision(4)).toString();
}

function Question({ q, onRight, lessonKey }: { q: LessonQuestion<LessonView>; onRight: () => void; lessonKey: string }) {
  const answer = useLessonView((v) => q.answer(v));
  const [given, setGiven] = useState('');
  const [verdict, setVerdict] = useState<{ key: string; right: boolean; tries: number } | null>(null);
  const [reveal, setReveal] = useState<string | null>(null);
  const v = verdict && verdict.key === lessonKey ? verdict : null;
  const check = (text: string) => {
    if (answer === null) return;
    const right = answerMatches(answer, text, q.tolerance);
    setVerdict({ key: lessonKey, right, tries: (v?.tries ?? 0) + 1 });
    if (right) onRight();
  };
  return (
    <div className="lesson-question" data-testid="lesson-question">
      <p>
        <strong>Question.</strong> {q.prompt}
      </p>
      {answer === null ? (
        <p className="muted small" data-testid="lesson-question-pending">
          {q.pending}
        </p>
      ) : q.choices ? (
        <div className="lesson-choices" role="group" aria-label="Answers">
          {q.choices.map((c) => (
            <button key={c} type="button" className="secondary" onClick={() => check(c)} data-testid={`lesson-choice-${c}`}>
              {c}
            </button>
          ))}
        </div>
      ) : (
        <form
          className="lesson-answer"
          onSubmit={(ev) => {
            ev.preventDefault();
            check(given);
          }}
        >
          <label htmlFor="lesson-answer-input" className="small">
            Your answer
          </label>
          <input
            id="lesson-answer-input"
            type="text"
            inputMode="decimal"
            value={given}
            onChange={(ev) => setGiven(ev.target.value)}
            data-testid="lesson-answer-input"
            size={10}
          />
          <button type="submit" className="secondary" data-testid="lesson-answer-check">
            Check
          </button>
        </form>
      )}
      {v && (
        <p className={v.right ? 'lesson-right' : 'lesson-wrong'} role="status" data-testid="lesson-verdict" data-right={v.right}>
          {v.right
            ? `Right: the lab computed ${formatAnswer(answer!)}.${q.explain ? ` ${q.explain}` : ''}`
            : 'Not that: look at the result again (the numbers under the images).'}
        </p>
      )}
      {v && !v.right && v.tries >= 2 && answer !== null && (
        <button type="button" className="link-button small" onClick={() => setReveal(formatAnswer(answer))} data-testid="lesson-reveal">
          Show the lab’s answer
        </button>
      )}
      {reveal && v && !v.right && <p className="small">The lab computed {reveal}.</p>}
    </div>
  );
}

/** A step's live table of numbers the lab computed (re-read on every change of the state; hidden while empty). */
function LessonNumbers({ step }: { step: LessonStep<LessonView> }) {
  const st = useLab();
  const labs = useLabLessonStates();
  const rows = step.numbers?.({ ...st, labs }) ?? null;
  if (!rows || rows.length === 0) return null;
  return (
    <table className="lesson-numbers small" data-testid="lesson-numbers">
      <caption className="muted">Computed by the lab</caption>
      <tbody>
        {rows.map((r, k) => (
          <tr key={k}>
            <th scope="row">{r.label}</th>
            <td data-testid="lesson-number">{r.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Outline the panels a step is about and bring the first into view (they may appear later: a tab switch, a result). */
function useFigures(figures: readonly string[] | undefined, key: string): void {
  const lab = useLab((s) => s.experiment.lab);
  useEffect(() => {
    if (!figures || figures.length === 0) return;
    const marked: Element[] = [];
    const mark = () => {
      for (const f of figures)
        for (const el of document.querySelectorAll(`.lab-grid .${CSS.escape(f)}`))
          if (!marked.includes(el)) {
            el.classList.add('lesson-figure');
            marked.push(el);
          }
    };
    mark();
    const timer = setInterval(mark, 700);
    return () => {
      clearInterval(timer);
      for (const el of marked) el.classList.remove('lesson-figure');
    };
  }, [figures, key, lab]);
}

export function LessonPanel() {
  const { lesson: id, step, fresh } = useView();
  const catalog = useLab((s) => s.catalog);
  const lesson = lessonById(id);
  const at = lesson ? Math.min(Math.max(0, step), lesson.steps.length - 1) : 0;
  const s = lesson?.steps[at];
  const taskDone = useLessonView((v) => (s?.task ? s.task.done(v) : false));
  const hint = useLessonView((v) => (s?.task?.hint && !s.task.done(v) ? s.task.hint(v) : null));
  const [answered, setAnswered] = useState<string | null>(null);
  const key = `${id}:${at}`;
  useFigures(s?.figures, key);

  // a link naming only a lesson opens it (its own link, where the student left it) once the catalogue is read
  useEffect(() => {
    if (fresh && id && catalog) {
      useView.setState({ fresh: false });
      openLesson(id, step < 0 ? undefined : step);
    }
  }, [fresh, id, catalog, step]);
  useEffect(() => {
    if (lesson && s?.task && taskDone && !s.question) markDone(lesson.id, at);
  }, [lesson, s, taskDone, at]);

  if (!lesson || !s) return null;
  const questionRight = answered === key;
  const stepDone = (!s.task || taskDone) && (!s.question || questionRight);
  const last = at === lesson.steps.length - 1;
  const next = () => {
    if (!s.task && !s.question) markDone(lesson.id, at);
    if (!last) goToStep(at + 1);
  };
  return (
    <section
      className="panel lesson-panel"
      aria-labelledby="lesson-title"
      data-testid="lesson-panel"
      data-lesson={lesson.id}
      data-step={at}
    >
      <div className="lesson-head">
        <h2 id="lesson-title">
          {lesson.title}{' '}
          <span className="muted small">
            step {at + 1} of {lesson.steps.length}
          </span>
        </h2>
        <button type="button" className="secondary" onClick={closeLesson} data-testid="lesson-close">
          Close lesson
        </button>
      </div>
      <ol className="lesson-steps" aria-label="Steps">
        {lesson.steps.map((x, k) => (
          <li key={k}>
            <button
              type="button"
              className={k === at ? 'lesson-step-dot current' : 'lesson-step-dot'}
              aria-current={k === at ? 'step' : undefined}
              onClick={() => goToStep(k)}
              title={x.title}
              aria-label={`Step ${k + 1}: ${x.title}`}
            >
              {k + 1}
            </button>
          </li>
        ))}
      </ol>
      <h3 data-testid="lesson-step-title">{s.title}</h3>
      <div className="lesson-text">
        <LessonText text={s.text} onTab={goTab} />
      </div>
      {s.numbers && <LessonNumbers step={s} />}
      {s.task && (
        <p className={taskDone ? 'lesson-task done' : 'lesson-task'} data-testid="lesson-task" data-done={taskDone} role="status">
          <span aria-hidden="true">{taskDone ? '✓ ' : '→ '}</span>
          <strong>{taskDone ? 'Done: ' : 'Your turn: '}</strong>
          {s.task.prompt}
          {!taskDone && hint && <span className="muted small"> {hint}</span>}
        </p>
      )}
      {s.question && (
        <Question
          key={key}
          q={s.question}
          lessonKey={key}
          onRight={() => {
            setAnswered(key);
            markDone(lesson.id, at);
          }}
        />
      )}
      <div className="lesson-nav">
        <button type="button" className="secondary" onClick={() => goToStep(at - 1)} disabled={at === 0} data-testid="lesson-prev">
          Previous step
        </button>
        {last ? (
          <span className="small" data-testid="lesson-end">
            {stepDone ? 'Lesson complete.' : 'Last step.'}
          </span>
        ) : (
          <button type="button" className={stepDone ? 'primary' : 'secondary'} onClick={next} data-testid="lesson-next">
            Next step{stepDone ? '' : ' (skip)'}
          </button>
        )}
      </div>
    </section>
  );
}

/** The lessons of every lab, with the student's progress; opening one sets the lab to its link. */
export function LessonList({ onOpen }: { onOpen: () => void }) {
  const progress = readProgress();
  return (
    <div className="lesson-list" data-testid="lesson-list">
      {LAB_LESSONS.map(({ id, lessons }) => (
        <div key={id}>
          <h2 className="drawer-heading">{LABS.find((l) => l.id === id)?.title ?? id}</h2>
          <ol>
            {[...lessons]
              .sort((a, b) => a.order - b.order)
              .map((l) => {
                const p = progress[l.id];
                const done = p?.done.length ?? 0;
                return (
                  <li key={l.id}>
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => {
                        openLesson(l.id);
                        onOpen();
                      }}
                      data-testid={`lesson-open-${l.id}`}
                    >
                      {l.title}
                    </button>{' '}
                    <span className="muted small">
                      {l.summary} {p ? `(${done} of ${l.steps.length} steps done)` : ''}
                    </span>
                    {p && (
                      <button type="button" className="link-button small" onClick={() => resetProgress(l.id)}>
                        start over
                      </button>
                    )}
                  </li>
                );
              })}
          </ol>
        </div>
      ))}
    </div>
  );
}
