import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { runAttack } from '../algorithms/registry';
import { imagesAsFloats } from '../../../core/data/datasets';
import type { LabeledImages } from '../../../core/data/types';
import { initNodeBackend } from '../../../core/engine/node-backend';
import { serializeLayersModel } from '../../../core/models/io';
import { loadNodeSplit } from '../../../cli/node-io';
import {
  mergeRows,
  runZooTable,
  standardAttacks,
  zooMarkdown,
  zooSections,
  zooTable,
  type ModelTable,
  type TableAttack,
} from './zoo-table';

const N = 4;

/** A tiny linear MNIST model: class templates (class mean minus overall mean) from test images 1000..2999, so it gets most digits right. */
function templateModel(test: LabeledImages): tf.Sequential {
  const d = 784;
  const sums = Array.from({ length: 10 }, () => new Float64Array(d));
  const counts = new Array<number>(10).fill(0);
  const all = new Float64Array(d);
  const px = imagesAsFloats(test, 1000, 2000);
  for (let i = 0; i < 2000; i++) {
    const c = test.labels[1000 + i];
    counts[c]++;
    for (let q = 0; q < d; q++) {
      sums[c][q] += px[i * d + q];
      all[q] += px[i * d + q];
    }
  }
  const w = new Float32Array(d * 10);
  for (let q = 0; q < d; q++) for (let c = 0; c < 10; c++) w[q * 10 + c] = 10 * (sums[c][q] / counts[c] - all[q] / 2000);
  const m = tf.sequential();
  m.add(tf.layers.flatten({ inputShape: [28, 28, 1] }));
  m.add(tf.layers.dense({ units: 10 }));
  m.layers[1].setWeights([tf.tensor2d(w, [d, 10]), tf.zeros([10])]);
  return m;
}

describe('rlab zoo-table', () => {
  let zoo = '';
  let test: LabeledImages;
  let model: tf.Sequential;
  beforeAll(async () => {
    await initNodeBackend('wasm');
    test = await loadNodeSplit('mnist', 'test');
    model = templateModel(test);
    zoo = mkdtempSync(join(tmpdir(), 'rlab-zoo-'));
    const dir = join(zoo, 'tiny-linear');
    mkdirSync(dir);
    const { modelJson, weights } = await serializeLayersModel(model);
    writeFileSync(join(dir, 'model.json'), modelJson);
    writeFileSync(join(dir, 'weights.bin'), weights);
    const card = {
      schema: 1,
      id: 'tiny-linear',
      dataset: 'mnist',
      inputShape: [28, 28, 1],
      classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      output: 'logits',
      robustAccuracy: [{ attack: 'pgd', norm: 'linf', eps: 0.1, steps: 40, stepSize: 0.01, randomStart: true, restarts: 1, seed: 0 }],
      weights: [{ path: 'weights.bin', sha256: createHash('sha256').update(weights).digest('hex'), bytes: weights.length }],
    };
    writeFileSync(join(dir, 'card.json'), JSON.stringify(card));
  });
  afterAll(() => model.dispose());

  it('writes one markdown table per model with every attack at its budget, each figure measured', async () => {
    const out = join(zoo, 'ROBUSTNESS.md');
    const before = tf.memory().numTensors;
    expect(await runZooTable(['--n', String(N), '--zoo', zoo, '--out', out])).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    const md = readFileSync(out, 'utf8');
    const lines = md.split('\n');
    expect(lines[0]).toBe('# Robustness of the model zoo');
    expect(md).toContain(`by \`npm run --silent rlab -- zoo-table --n ${N} --zoo ${zoo} --out ${out}\``);
    expect(md).toMatch(/on the first 4 images of the official test set/);
    expect(md).toContain('## tiny-linear (MNIST)');

    // clean accuracy, recomputed here
    const x = tf.tensor4d(imagesAsFloats(test, 0, N), [N, 28, 28, 1]);
    const labels = Array.from(test.labels.subarray(0, N));
    const pred = Array.from((await tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, 1)).data()) as Int32Array);
    const correct = labels.map((l, i) => pred[i] === l);
    const clean = correct.filter(Boolean).length;
    expect(clean).toBeGreaterThanOrEqual(2);
    expect(md).toContain(`Clean accuracy: **${((100 * clean) / N).toFixed(2)}%** (${clean} of ${N}).`);

    const rows = lines.filter((l) => /^\| [A-Z]/.test(l) && !l.startsWith('| attack'));
    const labelsShown = rows.map((r) => r.split('|')[1].trim());
    expect(labelsShown).toEqual(
      standardAttacks({ dataset: 'mnist', robustAccuracy: [{ norm: 'linf', eps: 0.1 }] } as never).map((a) => a.label),
    );
    expect(labelsShown).toEqual([
      'FGSM',
      'BIM-10',
      'PGD-40',
      'MI-FGSM-10',
      'APGD-CE-100',
      'AutoAttack',
      'Square-1000',
      'PGD-L2-40',
      'C&W-L2',
      'DeepFool-50',
    ]);
    const cells = (label: string) =>
      rows
        .find((r) => r.split('|')[1].trim() === label)!
        .split('|')
        .map((c) => c.trim());
    const cell = (label: string, col: number) => cells(label)[col];
    for (const r of labelsShown) {
      const robust = Number(cell(r, 5).split('%')[0]) / 100;
      expect(robust).toBeGreaterThanOrEqual(0);
      expect(robust).toBeLessThanOrEqual(clean / N);
      const [fooled, attacked] = cell(r, 6).split('/').map(Number);
      expect(attacked).toBe(clean);
      expect(fooled).toBeLessThanOrEqual(attacked);
    }
    expect(cell('FGSM', 3)).toBe('0.1 (25.5/255)');
    expect(cell('PGD-L2-40', 3)).toBe('2');
    expect(cell('Square-1000', 4)).toBe('1000 queries, p 0.8');

    // FGSM at 0.1, recomputed with the library attack on the correctly classified images
    const sel = correct.flatMap((c, i) => (c ? [i] : []));
    const xs = tf.gather(x, sel) as tf.Tensor4D;
    const clf = {
      logits: (t: tf.Tensor4D) => model.apply(t) as tf.Tensor2D,
      inputShape: [28, 28, 1] as [number, number, number],
      numClasses: 10,
      outputKind: 'logits' as const,
    };
    const fgsm = await runAttack(
      clf,
      xs,
      sel.map((i) => labels[i]),
      { name: 'fgsm', eps: 0.1, randomStart: false, seed: 0 },
    );
    const stillRight = sel.length - fgsm.fooled.reduce((s, v) => s + v, 0);
    expect(cell('FGSM', 5)).toBe(`${((100 * stillRight) / N).toFixed(2)}%`);
    // DeepFool, a minimisation attack: robust at eps (brackets: unbounded) and the median L2 of what it found
    const df = await runAttack(
      clf,
      xs,
      sel.map((i) => labels[i]),
      { name: 'deepfool', steps: 50, overshoot: 0.02, seed: 0 },
    );
    const l2 = Array.from(df.norms.l2)
      .filter((_, j) => df.fooled[j])
      .sort((a, b) => a - b);
    const robustAt2 = sel.length - l2.filter((v) => v <= 2).length;
    const unbounded = sel.length - l2.length;
    expect(cell('DeepFool-50', 5)).toBe(`${((100 * robustAt2) / N).toFixed(2)}% (${((100 * unbounded) / N).toFixed(2)}%)`);
    if (l2.length > 0) {
      const med = l2.length % 2 ? l2[l2.length >> 1] : (l2[l2.length / 2 - 1] + l2[l2.length / 2]) / 2;
      expect(Number(cell('DeepFool-50', 7))).toBeCloseTo(med, 3);
    }
    tf.dispose([x, xs, fgsm.adversarial, df.adversarial]);
  }, 300_000);

  it('measures a row with maxImages on that prefix of the images only', async () => {
    const fgsm: TableAttack = {
      label: 'FGSM',
      norm: 'linf',
      eps: 0.1,
      budget: '1 step',
      spec: { name: 'fgsm', eps: 0.1, randomStart: false, seed: 0 },
    };
    const [t] = await zooTable({
      n: 6,
      zoo,
      attacks: () => [fgsm, { ...fgsm, label: 'FGSM-3', maxImages: 3 }, { ...fgsm, label: 'FGSM-9', maxImages: 9 }],
    });
    const [all, first3, capped] = t.rows;
    expect([all.n, first3.n, capped.n]).toEqual([6, 3, 6]);
    const x = tf.tensor4d(imagesAsFloats(test, 0, 6), [6, 28, 28, 1]);
    const pred = Array.from((await tf.tidy(() => tf.argMax(model.predict(x) as tf.Tensor, 1)).data()) as Int32Array);
    x.dispose();
    const right = pred.map((p, i) => p === test.labels[i]);
    expect(all.attacked).toBe(right.filter(Boolean).length);
    expect(first3.attacked).toBe(right.slice(0, 3).filter(Boolean).length);
    expect(first3.robustAccuracy).toBeCloseTo((first3.attacked - first3.fooled) / 3, 12);
    expect(capped).toEqual({ ...all, label: 'FGSM-9', seconds: capped.seconds });
  }, 120_000);

  it("takes PGD's setting from the card's own figure at each eps", () => {
    const cifar = {
      dataset: 'cifar10',
      robustAccuracy: [
        { attack: 'pgd', norm: 'linf', eps: 2 / 255, steps: 20, stepSize: 2 / 255, randomStart: true, restarts: 1, seed: 0 },
        { attack: 'pgd', norm: 'linf', eps: 8 / 255, steps: 10, stepSize: 1 / 255, randomStart: false, restarts: 3, seed: 0 },
      ],
    };
    const pgd = standardAttacks(cifar as never).filter((a) => a.spec.name === 'pgd' && a.norm === 'linf');
    expect(pgd.map((a) => [a.label, a.eps, a.budget])).toEqual([
      ['PGD-20', 2 / 255, '20 steps of 2/255, random start'],
      ['PGD-10', 8 / 255, '10 steps of 1/255, 3 restarts'],
    ]);
    expect(pgd[1].spec).toEqual({
      name: 'pgd',
      norm: 'linf',
      eps: 8 / 255,
      steps: 10,
      stepSize: 1 / 255,
      randomStart: false,
      restarts: 3,
      seed: 0,
    });
    // a card without a PGD figure at eps (here: none at all) gets the default
    const bare = standardAttacks({ dataset: 'cifar10', robustAccuracy: [] } as never).find(
      (a) => a.spec.name === 'pgd' && a.norm === 'linf',
    );
    expect(bare?.label).toBe('PGD-40');
    expect(bare?.spec).toMatchObject({ eps: 8 / 255, steps: 40, stepSize: 0.01, randomStart: true, restarts: 1 });
  });

  it('keeps the sections of models it did not measure, in zoo order', () => {
    const run = { command: 'npm run --silent rlab -- zoo-table --models b', n: 3, backend: 'wasm', date: '2026-01-02' };
    const table = (model: string, acc: number): ModelTable => ({
      model,
      dataset: 'mnist',
      n: 3,
      cleanAccuracy: acc,
      rows: [],
      skipped: null,
    });
    const first = zooMarkdown([table('a', 1 / 3), table('b', 2 / 3), table('gone', 1)], { ...run, date: '2026-01-01' }, ['a', 'b', 'gone']);
    expect([...zooSections(first).keys()]).toEqual(['a', 'b', 'gone']);
    const second = zooMarkdown([table('b', 1)], run, ['a', 'b', 'c'], first);
    const sections = zooSections(second);
    expect([...sections.keys()]).toEqual(['a', 'b']);
    expect(sections.get('a')).toBe(zooSections(first).get('a'));
    expect(sections.get('a')).toContain('Measured 2026-01-01');
    expect(sections.get('b')).toContain('Measured 2026-01-02 by `npm run --silent rlab -- zoo-table --models b`');
    expect(sections.get('b')).toContain('Clean accuracy: **100.00%** (3 of 3).');
    expect(second.startsWith('# Robustness of the model zoo\n')).toBe(true);
    expect(second.endsWith('\n') && !second.endsWith('\n\n')).toBe(true);
  });

  it('refuses bad arguments with one-line errors', async () => {
    await expect(runZooTable(['--n', '0', '--zoo', zoo])).rejects.toThrow(/--n "0" is not a whole number from 1 to 10000/);
    await expect(runZooTable(['--n', '2', '--zoo', zoo, '--models', 'nope'])).rejects.toThrow(/--models: nope not in/);
    await expect(runZooTable(['--zoo', join(zoo, 'missing')])).rejects.toThrow(/no zoo folder/);
  });

  it('--attacks: measured rows replace their line in the section (or join its table), the rest stays as it was', () => {
    const previous = [
      '## m (MNIST)',
      '',
      'Measured 2026-01-01 by `old`.',
      '',
      '| attack | norm | eps | budget | robust accuracy | fooled / attacked | median L2 | median queries | seconds |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      '| FGSM | L∞ | 0.1 (25.5/255) | 1 step | 50.00% | 2 / 4 | 1.000 | - | 1.0 |',
      '| AutoAttack | L∞ | 0.1 (25.5/255) | standard | 99.00% | 0 / 4 | - | - | 1.0 |',
      '| FGSM | L∞ | 0.3 (76.5/255) | 1 step | 25.00% | 3 / 4 | 3.000 | - | 1.0 |',
      '| PGD-L2-40 | L2 | 2 | 40 steps | 75.00% | 1 / 4 | 2.000 | - | 1.0 |',
      '',
      '',
    ].join('\n');
    const row = (label: string, eps: number, robust: number) => ({
      label,
      norm: 'linf' as const,
      eps,
      budget: 'standard',
      attack: 'autoattack',
      n: 4,
      robustAccuracy: robust,
      robustAccuracyUnbounded: null,
      attacked: 4,
      fooled: 2,
      medianL2Fooled: 2,
      medianQueriesFooled: null,
      seconds: 3,
    });
    const t = {
      model: 'm',
      dataset: 'mnist',
      n: 4,
      cleanAccuracy: 1,
      skipped: null,
      rows: [row('AutoAttack', 0.1, 0.5), row('AutoAttack', 0.3, 0.25)],
    };
    const run = { command: 'new', n: 4, backend: 'wasm', date: '2026-12-06' };
    const md = mergeRows(previous, t, run);
    const lines = md.split('\n');
    expect(lines).toContain('| FGSM | L∞ | 0.1 (25.5/255) | 1 step | 50.00% | 2 / 4 | 1.000 | - | 1.0 |');
    expect(lines.filter((l) => l.startsWith('| AutoAttack | L∞ | 0.1'))).toEqual([
      '| AutoAttack | L∞ | 0.1 (25.5/255) | standard | 50.00% | 2 / 4 | 2.000 | - | 3.0 |',
    ]);
    // the new row joins its group (after the last L∞ 0.3 row, before the L2 rows), before the note
    const at03 = lines.findIndex((l) => l.startsWith('| AutoAttack | L∞ | 0.3'));
    expect(at03).toBe(lines.findIndex((l) => l.startsWith('| FGSM | L∞ | 0.3')) + 1);
    expect(lines[at03 + 1]).toMatch(/^\| PGD-L2-40 \| L2/);
    expect(md).toContain('The AutoAttack rows: measured 2026-12-06 by `new` on the first 4 images.');
    expect(md).toContain('Measured 2026-01-01 by `old`.');
    // measured again: one note, not two
    expect(mergeRows(md, t, run).match(/The AutoAttack rows: measured/g)).toHaveLength(1);
  });
});
