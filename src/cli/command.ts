/**
 * A command of `rlab`: its name, one line of what it does, its flags (each with a line of help), and
 * its run. `rlab help` and `rlab <command> --help` are written from these, so a command's help is
 * never a second table to keep in step. Labs contribute commands (src/labs/cli.ts); the app's own are
 * in src/cli/rlab.ts.
 */
export interface Flag {
  name: string;
  /** What the value is ('e', 'k', 'linf|l2'); absent for a switch. */
  value?: string;
  help: string;
  /** Required flags are written without brackets. */
  required?: boolean;
}

export interface Command {
  name: string;
  summary: string;
  flags: readonly Flag[];
  /** Lines after the flags (examples, conventions). */
  notes?: readonly string[];
  run(args: string[]): Promise<number>;
}

/** The usage line and the flag list of a command. */
export function commandHelp(c: Command): string {
  const width = Math.min(34, Math.max(...c.flags.map((f) => flagText(f).length), 0) + 2);
  const required = c.flags.filter((f) => f.required).map(usageText);
  const optional = c.flags.length > required.length ? ['[flags]'] : [];
  const lines = [`rlab ${c.name}: ${c.summary}`, '', `usage: rlab ${c.name} ${[...required, ...optional].join(' ')}`.trimEnd()];
  if (c.flags.length > 0) lines.push('', 'flags:');
  for (const f of c.flags) {
    const text = flagText(f);
    if (text.length + 2 > width) lines.push(`  ${text}`, `  ${' '.repeat(width)}${f.help}`);
    else lines.push(`  ${text.padEnd(width)}${f.help}`);
  }
  if (c.notes && c.notes.length > 0) lines.push('', ...c.notes);
  return lines.join('\n');
}

/** `rlab help`: every command with its summary. */
export function overviewHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'usage: rlab <command> [flags]     (rlab <command> --help for its flags)',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
  ].join('\n');
}

const flagText = (f: Flag) => `--${f.name}${f.value ? ` <${f.value}>` : ''}`;
const usageText = (f: Flag) => (f.required ? flagText(f) : `[${flagText(f)}]`);

/** True when the arguments ask for help. */
export const wantsHelp = (args: readonly string[]) => args.includes('--help') || args.includes('-h');
