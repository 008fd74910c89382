import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../../core/engine/node-backend';
import { ATTACK_NAMES, ATTACKS, AttackCancelled, resolveSpec, runAttack, sweepEpsilons, type AttackSpec } from './registry';
import { tinyTask, type TinyTask } from '../../../core/adversarial/testing';

/** A small, quick configuration of every attack (and every norm it supports). */
const SPECS: AttackSpec[] = [
  { name: 'fgsm', eps: 0.1, randomStart: true, seed: 3 },
  { name: 'bim', eps: 0.08, steps: 4, stepSize: 0.03 },
  { name: 'pgd', eps: 0.1, steps: 4, stepSize: 0.03, restarts: 2, seed: 3 },
  { name: 'pgd', norm: 'l2', eps: 0.6, steps: 4, restarts: 2, seed: 3 },
  { name: 'mifgsm', eps: 0.1, steps: 4 },
  { name: 'mifgsm', norm: 'l2', eps: 0.6, steps: 4, target: 'least-likely' },
  { name: 'apgd-ce', eps: 0.1, steps: 6, restarts: 2, seed: 3 },
  { name: 'apgd-ce', norm: 'l2', eps: 0.6, steps: 6, seed: 3, target: 2 },
  { name: 'cw', steps: 8, binarySearchSteps: 2, c0: 1 },
  { name: 'deepfool', steps: 10 },
  { name: 'square', eps: 0.1, queries: 30, seed: 3 },
];

describe('attack registry and runAttack', () => {
  let task: TinyTask;
  let x: tf.Tensor4D;
  let y: Int32Array;
  beforeAll(async () => {
    await initNodeBackend('wasm');
    task = await tinyTask(6);
    x = tf.slice(task.x, [0, 0, 0, 0], [6, -1, -1, -1]);
    y = task.y.slice(0, 6);
  });
  afterAll(() => {
    x.dispose();
    task.dispose();
  });

  it('lists every attack once, with consistent metadata', () => {
    expect([...ATTACK_NAMES].sort()).toEqual([
      'apgd-ce',
      'apgd-dlr',
      'apgd-t',
      'autoattack',
      'bim',
      'cw',
      'deepfool',
      'fab-t',
      'fgsm',
      'mifgsm',
      'pgd',
      'square',
    ]);
    for (const n of ATTACK_NAMES) expect(ATTACKS[n].name).toBe(n);
    expect(ATTACKS.square.blackBox).toBe(true);
    expect(ATTACKS.cw.kind).toBe('minimisation');
    expect(ATTACKS.deepfool.targeted).toBe(false);
  });

  it('refuses options that do not apply to the attack, and bad values, with one-line errors', () => {
    expect(() => resolveSpec({ name: 'deepfool', eps: 0.1 } as unknown as AttackSpec)).toThrow(/eps does not apply to deepfool/);
    expect(() => resolveSpec({ name: 'square', eps: 0.1, steps: 3 } as unknown as AttackSpec)).toThrow(/steps does not apply/);
    expect(() => resolveSpec({ name: 'magic' } as unknown as AttackSpec)).toThrow(/unknown attack "magic"/);
    expect(() => resolveSpec({ name: 'cw', norm: 'linf' } as unknown as AttackSpec)).toThrow(/L2/);
    expect(() => resolveSpec({ name: 'square', eps: 0.1, queries: 0 })).toThrow(/queries/);
    expect(() => resolveSpec({ name: 'pgd', eps: 0.1, stepSize: 0 })).toThrow(/step size/);
  });

  for (const spec of SPECS) {
    const label = `${spec.name}${'norm' in spec && spec.norm ? ' ' + spec.norm : ''}${spec.target !== undefined ? ' targeted' : ''}`;
    it(`${label}: box/ball, consistent outcome, exact repeat for a seed, no tensor leak`, async () => {
      const run = () => runAttack(task.clf, x, y, spec);
      (await run()).adversarial.dispose(); // warm-up: backend caches
      const before = tf.memory().numTensors;
      const a = await run();
      const b = await run();
      expect(tf.memory().numTensors).toBe(before + 2); // the two adversarial batches
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a.adversarial, b.adversarial))).dataSync()[0]);
      expect(diff).toBe(0);
      expect(Array.from(a.success)).toEqual(Array.from(b.success));
      const [lo, hi] = tf.tidy(() => [tf.min(a.adversarial).dataSync()[0], tf.max(a.adversarial).dataSync()[0]]);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
      if ('eps' in spec) {
        const size = 'norm' in spec && spec.norm === 'l2' ? a.norms.l2 : a.norms.linf;
        for (const v of size) expect(v).toBeLessThanOrEqual((spec.eps as number) * (1 + 1e-5) + 1e-6);
      }
      const pred = tf.tidy(() => tf.argMax(task.clf.logits(a.adversarial), 1).dataSync());
      for (let i = 0; i < 6; i++) {
        expect(a.predictions[i]).toBe(pred[i]);
        expect(a.fooled[i]).toBe(pred[i] !== y[i] ? 1 : 0);
        if (a.targets === null && spec.name !== 'cw') expect(a.success[i]).toBe(a.fooled[i]);
        if (a.targets !== null && a.success[i]) expect(pred[i]).toBe(a.targets[i]);
      }
      expect(a.trace.length).toBeGreaterThan(0);
      for (const r of a.trace) expect(r.loss).toHaveLength(6);
      expect(a.trace.map((r) => r.step)).toEqual(a.trace.map((_, i) => i));
      if (ATTACKS[spec.name].blackBox) expect(a.gradientEvaluations).toBe(0);
      else expect(a.gradientEvaluations).toBeGreaterThan(0);
      tf.dispose([a.adversarial, b.adversarial]);
    });

    it(`${label}: cancelling stops within one step, throws AttackCancelled and frees every tensor`, async () => {
      const before = tf.memory().numTensors;
      const ctl = new AbortController();
      let after = -1;
      await expect(
        runAttack(task.clf, x, y, spec, {
          signal: ctl.signal,
          onStep: (r) => {
            if (after >= 0) after++;
            if (r.step === 0) {
              ctl.abort();
              after = 0;
            }
          },
        }),
      ).rejects.toThrow(AttackCancelled);
      expect(after).toBe(0); // no record after the abort
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  // the worker's situation: the abort arrives as a message, a task of its own, while the attack runs
  for (const spec of [
    { name: 'pgd', eps: 0.1, steps: 400, stepSize: 0.01 },
    { name: 'apgd-ce', eps: 0.1, steps: 400 },
    { name: 'cw', steps: 400, binarySearchSteps: 2, abortEarly: false },
    { name: 'square', eps: 0.001, queries: 5000 },
  ] as AttackSpec[]) {
    it(`${spec.name}: an abort sent as a message lands between steps (the loop yields to the event loop)`, async () => {
      const before = tf.memory().numTensors;
      const ctl = new AbortController();
      const channel = new MessageChannel();
      channel.port1.onmessage = () => ctl.abort();
      let sent = -1;
      let records = 0;
      try {
        await expect(
          runAttack(task.clf, x, y, spec, {
            signal: ctl.signal,
            keepTrace: false,
            onStep: () => {
              records++;
              if (sent < 0) {
                channel.port2.postMessage('cancel');
                sent = records;
              }
            },
          }),
        ).rejects.toThrow(AttackCancelled);
      } finally {
        channel.port1.close();
      }
      expect(records - sent).toBeLessThanOrEqual(3);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('sweepEpsilons: bounded attacks run per eps and robust accuracy falls with eps; minimisation attacks run once', async () => {
    const before = tf.memory().numTensors;
    const eps = [0, 0.05, 0.1, 0.3];
    const p = await sweepEpsilons(task.clf, task.x, task.y, { name: 'pgd', eps: 0, steps: 5, stepSize: 0.02, seed: 1 }, eps);
    expect(p.runs).toBe(4);
    expect(p.robustAccuracy[0]).toBe(1);
    for (let j = 1; j < 4; j++) expect(p.robustAccuracy[j]).toBeLessThanOrEqual(p.robustAccuracy[j - 1]);
    expect(p.robustAccuracy[3]).toBeLessThan(1);
    const l2eps = [0, 0.2, 0.5, 1, 5];
    const d = await sweepEpsilons(task.clf, task.x, task.y, { name: 'deepfool' }, l2eps);
    expect(d.runs).toBe(1);
    const df = await runAttack(task.clf, task.x, task.y, { name: 'deepfool' });
    l2eps.forEach((e, j) => {
      const expected = Array.from(df.fooled).filter((f, i) => !f || df.norms.l2[i] > e).length / task.y.length;
      expect(d.robustAccuracy[j]).toBeCloseTo(expected, 10);
    });
    expect(d.robustAccuracy[0]).toBe(1);
    df.adversarial.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('every attack resolves its own resolved spec again (the studio, the CLI and evaluation resolve twice)', () => {
    for (const name of ATTACK_NAMES) {
      const def = ATTACKS[name];
      const spec = { name, ...(def.kind === 'bounded' ? { eps: 0.1 } : {}) } as AttackSpec;
      const once = resolveSpec(spec);
      expect(resolveSpec(once), name).toEqual(once);
    }
  });
});
