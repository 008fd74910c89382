/**
 * rlab: Robustness Lab's command line, over the same compute core as the browser.
 *
 *   npm run --silent rlab -- train --recipe mnist-cnn [--seed 1]
 *   npm run --silent rlab -- eval --model mnist-cnn --dataset mnist --attack pgd --eps 0.3 --steps 40 \
 *       --step-size 0.01 --random-start [--restarts 1] [--n 1000] [--seed 0] [--json]
 *   npm run --silent rlab -- bench
 *   npm run --silent rlab -- prepare
 */
import { silenceTfjsNodeBanner } from '../core/engine/quiet-node';
import { UsageError } from './args';
import { commandHelp, overviewHelp, wantsHelp } from './command';
import { COMMANDS } from './rlab-commands';

silenceTfjsNodeBanner();

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const about = name === 'help' && rest[0] ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    console.log(about ? commandHelp(about) : overviewHelp(COMMANDS));
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command "${name}" (see rlab help)`);
  if (wantsHelp(rest)) {
    console.log(commandHelp(command));
    return 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const err = e as Error;
    const msg = (err?.message ?? String(e)).split('\n')[0];
    console.error(`rlab: ${msg}`);
    if (process.env.RLAB_DEBUG) console.error(err?.stack);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
