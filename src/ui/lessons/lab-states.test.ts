/** What labs publish for their lessons: merged per lab, read with the shell's state, and what a lesson's checks then see. */
import { describe, expect, it } from 'vitest';
import { ALL_LESSONS } from '../../labs/lessons';
import { lessonView, publishedLessonState, publishLessonState, useLabLessonStates } from './lab-states';

describe('lab lesson states', () => {
  it("merge each lab's parts, keep other labs', and reach a lesson's checks through the view", () => {
    useLabLessonStates.setState({}, true);
    const lesson = ALL_LESSONS.find((l) => l.id === 'gradient-photo')!;
    const task = lesson.steps[1].task!;
    expect(task.done(lessonView())).toBe(false);
    const run = {
      settings: { method: 'idlg', index: 3, batch: 1, iterations: 20, noise: 0, prune: 0, clip: 0 },
      mse: 1e-8,
      psnr: 80,
      labelCorrect: true,
    };
    publishLessonState('privacy', { leakRuns: [run] });
    publishLessonState('privacy', { mia: { status: 'running', outcome: null } });
    publishLessonState('federated', { runs: [] });
    expect(publishedLessonState('privacy')?.leakRuns).toEqual([run]);
    expect(publishedLessonState('privacy')?.mia?.status).toBe('running');
    expect(publishedLessonState('federated')?.runs).toEqual([]);
    expect(task.done(lessonView())).toBe(true);
    expect(lessonView().experiment).toBeDefined();
  });
});
