import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { ATTACK_NAMES } from '../index';
import { ATTACK_LESSONS } from '../lessons/index';
import { ATTACK_EXPLANATIONS } from './explanations';

const tex = (s: string) => katex.renderToString(s, { throwOnError: true, strict: 'ignore' });

describe('explanations in place and lesson texts', () => {
  it('every attack of the registry is explained, with its paper; every formula is valid TeX', () => {
    for (const name of ATTACK_NAMES) {
      const x = ATTACK_EXPLANATIONS[name];
      expect(x, name).toBeDefined();
      expect(x.what.length, name).toBeGreaterThan(40);
      expect(x.paper?.cite, name).toBeTruthy();
      if (x.formula) expect(() => tex(x.formula!), name).not.toThrow();
    }
  });

  it('every math span of every lesson step is valid TeX', () => {
    let n = 0;
    for (const l of ATTACK_LESSONS)
      for (const s of l.steps) {
        const display = [...s.text.matchAll(/\$\$([\s\S]+?)\$\$/g)].map((m) => m[1]);
        const inline = [...s.text.replace(/\$\$[\s\S]+?\$\$/g, '').matchAll(/\$([^$]+)\$/g)].map((m) => m[1]);
        for (const t of [...display, ...inline]) {
          expect(() => tex(t), `${l.id}: ${t}`).not.toThrow();
          n++;
        }
      }
    expect(n).toBeGreaterThan(30);
  });
});
