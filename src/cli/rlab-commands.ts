/**
 * Every command of `rlab`: the app's own, then each lab's (src/labs/cli.ts). `rlab help` and each
 * command's --help are written from this list (command.ts).
 */
import { parseArgs } from 'node:util';
import { LAB_COMMANDS } from '../labs/cli';
import type { Command } from './command';
import { runBench } from './commands/bench';
import { runBenchAttacks } from './commands/bench-attacks';
import { runBenchBrowser } from './commands/bench-browser';
import { runCheckCard } from './commands/check-card';
import { runTrain } from './commands/train';
import { prepareAll } from './prepare';

/** The app's own commands (the labs add theirs from src/labs/cli.ts). */
const APP_COMMANDS: Command[] = [
  {
    name: 'train',
    summary: 'train a zoo model from its recipe; Ctrl-C saves and stops, the same command resumes',
    flags: [
      { name: 'recipe', value: 'id', help: 'a recipe of src/core/train/recipes.ts (images) or train-text.ts (spam-bow)', required: true },
      { name: 'seed', value: 's', help: "the recipe's seed unless given" },
      { name: 'epochs', value: 'e', help: "the recipe's epochs unless given" },
      { name: 'out', value: 'dir', help: 'where the model goes (models/<id>/)' },
      { name: 'data-dir', value: 'dir', help: 'CIFAR-10 binary batches' },
      { name: 'fresh', help: 'start over instead of resuming a saved run' },
      { name: 'stop-after-epoch', value: 'n', help: 'stop cleanly after epoch n' },
      { name: 'save-every', value: 'minutes', help: 'save within epochs this often (10; 0: at epochs’ ends only)' },
      { name: 'skip-eval', help: 'skip the test-set figures of the card' },
    ],
    run: runTrain,
  },
  {
    name: 'bench',
    summary: 'Node engine throughput: training, input-gradient and inference img/s of the MNIST CNN',
    flags: [
      { name: 'backend', value: 'wasm|cpu', help: 'TensorFlow.js backend (wasm)' },
      { name: 'batch-size', value: 'b', help: 'images per batch (128)' },
    ],
    run: runBench,
  },
  {
    name: 'bench-attacks',
    summary: 'PGD-40 throughput (image-steps/s) in Node',
    flags: [
      { name: 'model', value: 'zoo-id | model.json', help: 'the model (mnist-cnn)' },
      { name: 'n', value: 'N', help: 'images' },
      { name: 'steps', value: 'k', help: 'PGD steps' },
      { name: 'batch-size', value: 'b', help: 'images per batch' },
      { name: 'full', help: 'every attack, not only PGD' },
      { name: 'backend', value: 'wasm|cpu', help: 'TensorFlow.js backend (wasm)' },
      { name: 'json', help: 'print JSON' },
    ],
    run: runBenchAttacks,
  },
  {
    name: 'bench-browser',
    summary: 'the same job in headless Chromium, per backend (WebGPU, WebGL, WASM)',
    flags: [
      { name: 'backends', value: 'webgpu,webgl,wasm', help: 'backends to measure' },
      { name: 'model', value: 'id', help: 'zoo model (mnist-cnn)' },
      { name: 'batch-size', value: 'b', help: 'images (16)' },
      { name: 'warmup', value: 'k', help: 'warm-up runs (1)' },
      { name: 'reps', value: 'k', help: 'timed runs (3)' },
      { name: 'pgd-steps', value: 'k', help: 'PGD steps (40)' },
      { name: 'pgd-reps', value: 'k', help: 'timed PGD runs (1)' },
      { name: 'certify-samples', value: 'n', help: "also time the defences lab's certification of one image (n0 100 + n noisy samples)" },
      { name: 'build', help: 'build dist/ first' },
      { name: 'json', help: 'print JSON' },
    ],
    run: runBenchBrowser,
  },
  {
    name: 'check-card',
    summary: "re-measure every figure of a zoo model's card",
    flags: [
      { name: 'model', value: 'zoo-id', help: 'the model', required: true },
      { name: 'tolerance', value: 'points', help: 'largest accepted difference in percentage points (0.5)' },
      { name: 'data-dir', value: 'dir', help: 'CIFAR-10 binary batches' },
    ],
    run: runCheckCard,
  },
  {
    name: 'prepare',
    summary: 'prepare the data sets and the model zoo for the browser (public/)',
    flags: [],
    run: async (args) => {
      parseArgs({ args, options: {}, strict: true });
      await prepareAll();
      return 0;
    },
  },
];

export const COMMANDS: readonly Command[] = [...APP_COMMANDS, ...Object.values(LAB_COMMANDS).flat()];
