import { describe, expect, it } from 'vitest';
import { ATTACK_NAMES, ATTACK_PARAM_FIELDS } from '../labs/attacks/index';
import { EVAL_OPTIONS, evalCommand } from '../labs/attacks/cli/eval';
import { commandHelp, overviewHelp } from './command';
import { COMMANDS } from './rlab-commands';

describe('rlab help is written from the commands and the field tables', () => {
  it('rlab eval --help lists every attack parameter flag, which attacks read it, and every attack', () => {
    const help = commandHelp(evalCommand);
    for (const f of ATTACK_PARAM_FIELDS) {
      expect(help).toContain(`--${f.cli}`);
      expect(Object.keys(EVAL_OPTIONS)).toContain(f.cli);
    }
    expect(help).toMatch(/--momentum <0\.\.100>\s+decay factor mu .*\(mifgsm\)/);
    expect(help).toMatch(/--queries .*\(square\)/);
    for (const n of ATTACK_NAMES) expect(help).toContain(n);
  });
  it('rlab help names every command once, labs included', () => {
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['train', 'eval', 'zoo-table', 'bench', 'check-card']));
    const help = overviewHelp(COMMANDS);
    for (const c of COMMANDS) expect(help).toContain(`  ${c.name}`);
  });
});
