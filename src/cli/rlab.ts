/**
 * rlab: Robustness Lab's command line, over the same compute core as the browser.
 *
 *   npm run --silent rlab -- train --recipe mnist-cnn [--seed 1]
 *   npm run --silent rlab -- eval --model mnist-cnn --dataset mnist --attack pgd --eps 0.3 --steps 40 \
 *       --step-size 0.01 --random-start [--restarts 1] [--n 1000] [--seed 0] [--json]
 *   npm run --silent rlab -- bench
 *   npm run --silent rlab -- prepare
 */
import { parseArgs } from 'node:util';
import { runEval } from './commands/eval';
import { runTrain } from './commands/train';
import { runBench } from './commands/bench';
import { runBenchAttacks } from './commands/bench-attacks';
import { runBenchBrowser } from './commands/bench-browser';
import { runCheckCard } from './commands/check-card';
import { runZooTable } from './commands/zoo-table';
import { prepareAll } from './prepare';
import { UsageError } from './args';

const HELP = `usage: rlab <command> [options]
commands:
  train --recipe <id> [--seed s] [--epochs e] [--out dir] [--data-dir dir] [--fresh] [--stop-after-epoch n]
        [--save-every minutes (10; 0: at epochs' ends only)] [--skip-eval]   Ctrl-C saves and stops; rerun to resume
  eval  --model <zoo-id | model.json> --dataset <mnist|fashion-mnist>
        --attack <none|fgsm|bim|pgd|mifgsm|apgd-ce|cw|deepfool|square>
        [--norm linf|l2] [--eps e | --epsilons e1,e2,...] [--steps k] [--step-size a] [--random-start]
        [--restarts r] [--targeted] [--target <class|least-likely>] [--momentum mu] [--overshoot o]
        [--binary-search b] [--c c0] [--confidence kappa] [--lr lr] [--queries q] [--p-init p]
        [--n N] [--seed s] [--batch-size b] [--backend wasm|cpu] [--json]
  bench [--backend wasm|cpu] [--batch-size b]
  bench-attacks [--model <zoo-id | model.json>] [--n N] [--steps k] [--batch-size b] [--full] [--backend wasm|cpu] [--json]
  bench-browser [--backends webgpu,webgl,wasm] [--model mnist-cnn] [--batch-size 16] [--warmup 1] [--reps 3]
        [--pgd-steps 40] [--pgd-reps 1] [--build] [--json]   the same job in headless Chromium, per backend
  check-card --model <zoo-id> [--tolerance 0.5]   re-measure every figure of a model card
  zoo-table [--n 500] [--out models/ROBUSTNESS.md] [--models a,b] [--zoo dir] [--data-dir dir] [--batch-size b] [--json]
        every zoo model under every attack at standard budgets, as a markdown table
  prepare`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'train':
      return runTrain(rest);
    case 'eval':
      return runEval(rest);
    case 'bench':
      return runBench(rest);
    case 'bench-attacks':
      return runBenchAttacks(rest);
    case 'bench-browser':
      return runBenchBrowser(rest);
    case 'check-card':
      return runCheckCard(rest);
    case 'zoo-table':
      return runZooTable(rest);
    case 'prepare':
      parseArgs({ args: rest, options: {}, strict: true });
      prepareAll();
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(HELP);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}" (see rlab help)`);
  }
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
