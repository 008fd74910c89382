import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { rlab, writeLinearMnistModel } from './test-utils';

let modelPath = '';

describe('rlab eval', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    modelPath = await writeLinearMnistModel('rlab-', 'softmax');
  });

  it('prints exactly one JSON object with the documented fields for any LayersModel', async () => {
    const r = await rlab(
      'eval',
      '--model',
      modelPath,
      '--dataset',
      'mnist',
      '--attack',
      'pgd',
      '--eps',
      '0.1',
      '--steps',
      '3',
      '--step-size',
      '0.05',
      '--random-start',
      '--n',
      '20',
      '--seed',
      '4',
      '--json',
    );
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]);
    expect(Object.keys(out).sort()).toEqual(
      ['adaptive', 'attack', 'backend', 'clean_accuracy', 'dataset', 'defence', 'model', 'n', 'robust_accuracy', 'seconds'].sort(),
    );
    // an undefended model: no transformation, the attack differentiates the model itself
    expect(out.defence).toBeNull();
    expect(out.adaptive).toBeNull();
    expect(out.attack).toEqual({
      name: 'pgd',
      norm: 'linf',
      eps: 0.1,
      steps: 3,
      step_size: 0.05,
      random_start: true,
      restarts: 1,
      seed: 4,
    });
    expect(out.n).toBe(20);
    expect(out.robust_accuracy).toBeLessThanOrEqual(out.clean_accuracy);
    expect(out.backend).toBe('wasm');
  });

  for (const [why, args, message] of [
    ['unknown attack', ['--attack', 'magic', '--eps', '0.1'], /unknown attack "magic"/],
    ['eps out of range', ['--attack', 'fgsm', '--eps', '3'], /--eps "3" is not an eps in \[0, 1\]/],
    ['missing eps', ['--attack', 'fgsm'], /needs --eps/],
    ['unknown flag', ['--attack', 'none', '--bogus', '1'], /Unknown option '--bogus'/],
    ['bad n', ['--attack', 'none', '--n', '0'], /--n "0"/],
  ] as const) {
    it(`fails with a one-line message on ${why}`, async () => {
      const r = await rlab('eval', '--model', modelPath, '--dataset', 'mnist', ...args);
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }

  it('fails with a one-line message on a missing or malformed model file', async () => {
    const missing = await rlab('eval', '--model', '/nonexistent/model.json', '--dataset', 'mnist');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/^rlab: no model/);
    const dir = mkdtempSync(join(tmpdir(), 'rlab-bad-'));
    writeFileSync(join(dir, 'model.json'), '{"modelTopology": {"nonsense": true}, "weightsManifest": []}');
    const bad = await rlab('eval', '--model', join(dir, 'model.json'), '--dataset', 'mnist');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^rlab: /);
  });
});
