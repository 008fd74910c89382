/** Helpers for the CLI's tests: run rlab as a separate process, and write a small model to disk. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { serializeLayersModel } from '../core/models/io';
import { linearModel } from '../core/test-utils';
import { projectRoot } from './paths';

const run = promisify(execFile);

export async function rlab(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const root = projectRoot();
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', join(root, 'src/cli/rlab.ts'), ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** A linear MNIST model (ending in softmax or in logits) saved as model.json + weights.bin; returns the model.json path. */
export async function writeLinearMnistModel(prefix: string, activation: 'softmax' | 'linear'): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const { modelJson, weights } = await serializeLayersModel(linearModel([28, 28, 1], 10, 3, activation));
  writeFileSync(join(dir, 'model.json'), modelJson);
  writeFileSync(join(dir, 'weights.bin'), weights);
  return join(dir, 'model.json');
}
