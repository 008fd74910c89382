import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT } from '../../experiment';
import type { BatchOutcome } from '../../../worker/protocol';
import { amplification, diverging, maxAbs, perturbationRgba } from '../../../ui/colormap';
import { attackJson, batchCsv, batchJson, csvField } from './export';
import type { AttackOutcome } from '../../../worker/protocol';
import { attackPreset } from '../presets';
import { followBudget, resolveSpec } from '../index';

describe('diverging colour map', () => {
  it('is white at zero, red for positive, blue for negative, clipped beyond the scale', () => {
    expect(diverging(0)).toEqual([255, 255, 255]);
    expect(diverging(1)).toEqual([255, 0, 0]);
    expect(diverging(-1)).toEqual([0, 0, 255]);
    expect(diverging(5)).toEqual([255, 0, 0]);
    expect(diverging(0.5)).toEqual([255, 128, 128]);
    expect(diverging(Number.NaN)).toEqual([255, 255, 255]);
  });

  it('maps a perturbation to RGBA with the chosen scale and reports the amplification', () => {
    const delta = [0.1, -0.05, 0, 0.2];
    expect(maxAbs(delta)).toBeCloseTo(0.2);
    const rgba = perturbationRgba(delta, [2, 2, 1], 0.1);
    expect(Array.from(rgba.slice(0, 4))).toEqual([255, 0, 0, 255]);
    expect(Array.from(rgba.slice(4, 8))).toEqual([128, 128, 255, 255]);
    expect(Array.from(rgba.slice(8, 12))).toEqual([255, 255, 255, 255]);
    expect(Array.from(rgba.slice(12, 16))).toEqual([255, 0, 0, 255]);
    expect(amplification(0.1)).toBeCloseTo(10);
    expect(amplification(0)).toBe(1);
  });
});

const outcome: BatchOutcome = {
  status: 'done',
  jobId: 3,
  dataset: 'mnist',
  model: 'mnist-cnn',
  attack: { ...DEFAULT_EXPERIMENT.attack, name: 'fgsm', eps: 0.2, seed: 7 },
  start: 0,
  n: 2,
  cleanAccuracy: 1,
  robustAccuracy: 0.5,
  epsilons: [0, 0.2],
  curves: [{ model: 'mnist-cnn', cleanAccuracy: 1, robustAccuracy: [1, 0.5] }],
  rows: [
    { index: 0, label: 7, cleanPredicted: 7, advPredicted: 3, fooled: true, l0: 700, l2: 4.1234567, linf: 0.2, queries: 2 },
    { index: 1, label: 2, cleanPredicted: 2, advPredicted: 2, fooled: false, l0: 690, l2: 4, linf: 0.2, queries: 2 },
  ],
  examples: [{ index: 0, label: 7, predicted: 3, pixels: new Float32Array(4) }],
  seconds: 1.5,
  memory: { numTensors: 10, numBytes: 100 },
};

describe('batch export', () => {
  it('quotes CSV fields only when needed', () => {
    expect(csvField('T-shirt/top')).toBe('T-shirt/top');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(true)).toBe('1');
  });

  it('writes a header and one row per image', () => {
    const lines = batchCsv(outcome, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(
      'index,label,label_name,clean_prediction,adversarial_prediction,adversarial_name,clean_correct,fooled,l0,l2,linf,queries',
    );
    expect(lines[1]).toBe('0,7,7,7,3,3,1,1,700,4.123457,0.2,2');
    expect(lines[2]).toBe('1,2,2,2,2,2,1,0,690,4,0.2,2');
  });

  it('writes JSON with the experiment, its seed and link, and without pixel data', () => {
    const j = JSON.parse(batchJson(outcome, DEFAULT_EXPERIMENT, '2026-01-01T00:00:00Z'));
    expect(j.experiment.attack.seed).toBe(7);
    expect(j.experiment.attack.name).toBe('fgsm');
    expect(j.link).toContain('atk.name=fgsm');
    expect(j.link).toContain('atk.seed=7');
    expect(j.start).toBe(0);
    expect(j.curves[0].robustAccuracy).toEqual([1, 0.5]);
    expect(j.rows).toHaveLength(2);
    expect(j.examples).toBeUndefined();
  });
});

describe('attack presets', () => {
  const base = { ...DEFAULT_EXPERIMENT.attack, eps: 0.1 };
  it("uses each paper's defaults, scaled to eps where the paper does", () => {
    // Kurakin et al.'s min(255 eps + 4, 1.25 * 255 eps), rounded down as the core (and torchattacks' int()) does
    expect(attackPreset('bim', base)).toEqual({ steps: 29, stepSize: 1 / 255 });
    expect(attackPreset('mifgsm', base)).toEqual({ steps: 10, stepSize: 0.01, momentum: 1 });
    expect(attackPreset('pgd', { ...base, norm: 'l2', eps: 0.8 })).toEqual({ steps: 40, stepSize: 0.05, restarts: 1 });
    expect(attackPreset('cw', base)).toMatchObject({ steps: 100, lr: 0.2, optimizer: 'cosine' });
    expect(attackPreset('square', base)).toEqual({ queries: 1000, pInit: 0.8 });
    // FGSM chosen after PGD starts without PGD's random start (resolveFgsm's own default)
    expect(attackPreset('fgsm', { ...base, randomStart: true })).toEqual({ randomStart: false });
    // one rule: the studio's preset is what the algorithm fills in when the option is left out
    for (const name of ['bim', 'mifgsm', 'pgd']) {
      const preset = attackPreset(name, base);
      const resolved = resolveSpec({ name, eps: 0.1 }) as Record<string, unknown>;
      for (const [k, v] of Object.entries(preset)) expect(resolved[k], `${name} ${k}`).toBeCloseTo(v as number, 4);
    }
  });
  it('a step size that follows eps follows it, unless the user set it', () => {
    const ctx = { eps: 0.1, norm: 'linf' as const, steps: 10, colour: false };
    expect(followBudget('mifgsm', ctx, { ...ctx, eps: 0.3 }, { stepSize: 0.01 })).toEqual({ stepSize: 0.03 });
    expect(followBudget('mifgsm', ctx, { ...ctx, eps: 0.3 }, { stepSize: 0.02 })).toEqual({});
    expect(followBudget('mifgsm', ctx, { ...ctx, steps: 20 }, { stepSize: 0.01 })).toEqual({ stepSize: 0.005 });
    // PGD's L-inf step is Madry et al.'s fixed 0.01; its L2 step is 2.5 eps / steps
    expect(followBudget('pgd', ctx, { ...ctx, eps: 0.3 }, { stepSize: 0.01 })).toEqual({ stepSize: 0.01 });
    const l2 = { eps: 1, norm: 'l2' as const, steps: 40, colour: false };
    expect(followBudget('pgd', l2, { ...l2, eps: 2 }, { stepSize: 0.0625 })).toEqual({ stepSize: 0.125 });
  });
});

describe('attack export', () => {
  const attack = { ...DEFAULT_EXPERIMENT.attack, name: 'pgd' as const, eps: 0.25, steps: 5, seed: 9 };
  const adv: AttackOutcome = {
    status: 'done',
    jobId: 1,
    attack,
    model: 'mnist-cnn',
    sample: 12,
    custom: false,
    label: 9,
    stepsRun: 6,
    seconds: 0.5,
    adversarial: {
      pixels: Float32Array.from([0.25, 1, 0.125, 0]),
      original: Float32Array.from([0, 1, 0.375, 0]),
      delta: Float32Array.from([0.25, 0, -0.25, 0]),
      cleanProbs: [0.1, 0.9],
      probs: [0.8, 0.2],
      cleanPredicted: 1,
      predicted: 0,
      success: true,
      fooled: true,
      target: null,
      norms: { l0: 2, l2: Math.SQRT1_2 / 2, linf: 0.25 },
      queries: 6,
      gradientEvaluations: 5,
      trace: [],
    },
    memory: { numTensors: 1, numBytes: 4 },
  };
  it('writes the exact pixels, the norms and the link that reproduces the attack', () => {
    const j = JSON.parse(attackJson(adv, DEFAULT_EXPERIMENT, [2, 2, 1], '2026-01-01T00:00:00Z'));
    expect(j.adversarial).toEqual([0.25, 1, 0.125, 0]);
    expect(j.original).toEqual([0, 1, 0.375, 0]);
    expect(j.shape).toEqual([2, 2, 1]);
    expect(j.norms).toEqual(adv.adversarial!.norms);
    expect(j.predicted).toBe(0);
    const link = new URLSearchParams(j.link.slice(1));
    expect(link.get('i')).toBe('12');
    expect(link.get('atk.eps')).toBe('0.25');
    expect(link.get('atk.seed')).toBe('9');
  });
  it('refuses a cancelled attack', () => {
    expect(() => attackJson({ ...adv, status: 'cancelled', adversarial: undefined }, DEFAULT_EXPERIMENT, [2, 2, 1], '')).toThrow(
      /cancelled/,
    );
  });
});
