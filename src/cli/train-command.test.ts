import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from './paths';
import { fileCheckpointStore } from './run-state';

// a seed no shipped model uses, so that its state and log under runs/mnist-cnn/ are this test's own
const seed = '4242';
const runDir = join(projectRoot(), 'runs', 'mnist-cnn');
const out = mkdtempSync(join(tmpdir(), 'rlab-train-'));

/** `rlab train` as a separate process, sent SIGINT once its log has a line matching `when`. */
function trainUntil(when: RegExp): Promise<{ code: number | null; log: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(projectRoot(), 'src/cli/rlab.ts'), 'train', '--recipe', 'mnist-cnn', '--seed', seed, '--out', out],
      { cwd: projectRoot(), env: { ...process.env, RLAB_THREADS: '1' } },
    );
    let log = '';
    let sent = false;
    child.stderr.on('data', (d: Buffer) => {
      log += d.toString();
      if (!sent && when.test(log)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, log }));
  });
}

describe('rlab train', () => {
  afterAll(() => {
    rmSync(join(runDir, `state-seed${seed}`), { recursive: true, force: true });
    rmSync(join(runDir, `train-seed${seed}.log`), { force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('saves the run where Ctrl-C stops it, and resumes from that batch', { timeout: 120_000 }, async () => {
    rmSync(join(runDir, `state-seed${seed}`), { recursive: true, force: true });
    const store = fileCheckpointStore(join(runDir, `state-seed${seed}`));
    const first = await trainUntil(/% \(0\/\d+ steps\)/);
    expect(first.code).toBe(130);
    const stopped = /stopped in epoch 1 after batch (\d+), saved/.exec(first.log);
    expect(stopped).not.toBeNull();
    const a = await store.load();
    expect(a).not.toBeNull();
    expect(a!.epochsDone).toBe(0);
    expect(a!.partial?.batches).toBe(Number(stopped![1]));
    expect(a!.step).toBe(a!.partial!.batches);
    expect(a!.partial!.batches).toBeGreaterThan(0);

    const second = await trainUntil(/resuming the saved run[\s\S]*% \(\d+\/\d+ steps\)/);
    expect(second.code).toBe(130);
    // it went on from the saved batch: a run started over would log step 0 first
    expect(second.log).not.toContain('(0/');
    const b = await store.load();
    expect(b!.partial!.batches).toBeGreaterThan(a!.partial!.batches);
    expect(b!.partial!.epochRng).toBe(a!.partial!.epochRng);
    expect(b!.partial!.seconds).toBeGreaterThan(a!.partial!.seconds);
  });
});
