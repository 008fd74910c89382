import { describe, expect, it } from 'vitest';
import { answerMatches, checkLessons } from './lesson';

describe('answerMatches', () => {
  it('numbers within the relative tolerance, with an absolute floor; 255ths read as fractions', () => {
    expect(answerMatches(0.1, '0.1')).toBe(true);
    expect(answerMatches(0.1, '0.101')).toBe(true);
    expect(answerMatches(0.1, '0.11')).toBe(false);
    expect(answerMatches(1.85, '1.9', 0.05)).toBe(true);
    expect(answerMatches(0, '0.0005')).toBe(true);
    expect(answerMatches(0.0313725, '8/255')).toBe(true);
    expect(answerMatches(40, '')).toBe(false);
    expect(answerMatches(40, 'forty')).toBe(false);
  });
  it('choices exactly, case and spaces aside', () => {
    expect(answerMatches('evasion', ' Evasion ')).toBe(true);
    expect(answerMatches('evasion', 'poisoning')).toBe(false);
  });
});

describe('checkLessons', () => {
  const step = { title: 't', text: 'x' };
  const lesson = { id: 'a', lab: 'attacks', order: 1, title: 'A', summary: '', link: '', steps: [step] };
  it('refuses duplicate ids, bad ids and empty lessons', () => {
    expect(() => checkLessons([lesson, lesson])).toThrow(/twice/);
    expect(() => checkLessons([{ ...lesson, id: 'A b' }])).toThrow(/lower-case/);
    expect(() => checkLessons([{ ...lesson, steps: [] }])).toThrow(/no steps/);
    expect(() => checkLessons([lesson])).not.toThrow();
  });
});
