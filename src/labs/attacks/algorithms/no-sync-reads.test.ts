import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The attacks, the evaluation, predict and the training loop read tensor values only with an
 * awaited `data()` / `array()`. A synchronous read on the WebGPU backend goes through an
 * OffscreenCanvas hack that loses the device on headless Chromium (SwiftShader) and stalls real
 * GPUs, and a synchronous loop keeps a cancel message from arriving between steps.
 */
const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, '..', '..', '..');
const core = join(src, 'core');
const sources = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => join(dir, f));
const FILES = [
  ...sources(here),
  ...sources(join(core, 'adversarial')),
  ...sources(join(core, 'eval')),
  join(src, 'labs', 'attacks', 'jobs.ts'),
  join(core, 'models', 'classifier.ts'),
  join(core, 'train', 'train.ts'),
];
const FORBIDDEN = ['dataSync(', 'arraySync(', 'bufferSync('];

describe('no synchronous tensor reads', () => {
  it('covers the attack sources, evaluate, classifier and train', () => {
    const names = FILES.map((f) => relative(src, f).replace(/\\/g, '/'));
    for (const f of [
      'labs/attacks/algorithms/iterative.ts',
      'labs/attacks/algorithms/square.ts',
      'labs/attacks/jobs.ts',
      'core/adversarial/common.ts',
      'core/eval/evaluate.ts',
      'core/eval/sweep.ts',
      'core/models/classifier.ts',
      'core/train/train.ts',
    ])
      expect(names).toContain(f);
  });

  it('none of them calls dataSync, arraySync or bufferSync', () => {
    const hits: string[] = [];
    for (const file of FILES) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const f of FORBIDDEN) if (line.includes(f)) hits.push(`${relative(core, file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(hits).toEqual([]);
  });
});
