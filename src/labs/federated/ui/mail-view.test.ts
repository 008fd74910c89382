import { describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { Mail } from '../../../core/data/text';
import { insertTrigger } from '../algorithms/text-trigger';
import { MailView, mailSegments } from './MailView';

const mail: Mail = {
  id: 'spam-1/00007',
  group: 'spam-1',
  label: 1,
  from: 'deals.example',
  subject: 'Cheap <pills>',
  body: 'Buy now, pay later.',
};

describe('MailView', () => {
  it('cuts the text into plain and trigger parts', () => {
    expect(mailSegments('abcdef', { start: 2, end: 4 })).toEqual([
      { text: 'ab', trigger: false, start: 0 },
      { text: 'cd', trigger: true, start: 2 },
      { text: 'ef', trigger: false, start: 4 },
    ]);
    expect(mailSegments('abc', { start: 0, end: 9 })).toEqual([{ text: 'abc', trigger: false, start: 0 }]);
  });

  it('marks exactly the inserted trigger, escapes the mail, and shows both probabilities', () => {
    const t = insertTrigger(mail, { words: 'harvest moon', position: 'end' });
    const html = renderToStaticMarkup(
      createElement(MailView, { mail: t.mail, trigger: t.span, probability: 0.031, probabilityBefore: 0.992 }),
    );
    expect(html).toContain('<mark data-testid="mail-trigger">harvest moon</mark>');
    expect(html.match(/<mark/g)?.length).toBe(1);
    expect(html).toContain('<strong>Cheap &lt;pills&gt;</strong>');
    expect(html).toContain('without the trigger <strong>99.2%</strong> (spam)');
    expect(html).toContain('with it <strong>3.1%</strong> (ham)');
    const plain = renderToStaticMarkup(createElement(MailView, { mail, probability: 0.8 }));
    expect(plain).not.toContain('<mark');
    expect(plain).toContain('p(spam) <strong>80.0%</strong> (spam)');
  });
});
