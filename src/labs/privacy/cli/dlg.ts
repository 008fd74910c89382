/**
 * rlab dlg: gradient leakage (leak-run.ts) on one client's batch of test images, one JSON object with
 * --json: {"mse","psnr","label_correct","iterations","seconds"} (+ evaluations, labels, the kept trial and
 * each trial's final matching loss with --restarts). The attack's
 * flags, their parsing and their help are the privacy slice's leakage fields (experiment/leak.ts, the
 * `pv.l*` URL keys: --leak-method, ...) through src/cli/field-flags.ts; each also answers to its name
 * without `leak-` (the issue's --method, --index, --batch, --iterations, --noise, --prune, --clip, --tv,
 * --seed), which the help lists first.
 */
import { getDataset } from '../../../core/data/datasets';
import { initNodeBackend, type NodeBackend } from '../../../core/engine/node-backend';
import { parse, UsageError } from '../../../cli/args';
import type { Command } from '../../../cli/command';
import { fieldFlags, fieldOptions, readFieldFlags } from '../../../cli/field-flags';
import { loadNodeSplit } from '../../../cli/node-io';
import { LEAK_FIELDS, defaultLeak, type LeakPart, type LeakSettings } from '../experiment/leak';
import { PRIVACY_SLICE } from '../experiment';
import { runLeak } from '../leak-run';

/** Each leakage field's flag without its `leak-` prefix: --method for --leak-method. */
export const LEAK_ALIASES: Readonly<Record<string, string>> = Object.fromEntries(
  LEAK_FIELDS.map((f) => [f.cli.replace(/^leak-/, ''), f.cli]),
);

const OPTIONS = {
  dataset: { type: 'string', default: 'mnist' },
  arch: { type: 'string', default: 'lenet-sigmoid' },
  backend: { type: 'string', default: 'wasm' },
  'data-dir': { type: 'string' },
  count: { type: 'string' },
  json: { type: 'boolean', default: false },
  ...fieldOptions(LEAK_FIELDS, LEAK_ALIASES),
} as const;

/** The leakage settings from the flags (the slice's defaults where absent); one-line usage errors. */
export function leakFromFlags(values: Record<string, unknown>): LeakSettings {
  return readFieldFlags(LEAK_FIELDS, values, { leak: defaultLeak() } as LeakPart, LEAK_ALIASES).leak;
}

export async function runDlg(args: string[]): Promise<number> {
  const { values } = parse(args, OPTIONS);
  const v = values as Record<string, string | boolean | undefined>;
  const s = leakFromFlags(v);
  if (v.arch !== 'lenet-sigmoid')
    throw new UsageError(`--arch ${String(v.arch)}: gradient leakage runs on lenet-sigmoid (the DLG authors' network)`);
  const ds = getDataset(String(v.dataset));
  if (v.backend !== 'wasm' && v.backend !== 'cpu')
    throw new UsageError(`--backend ${String(v.backend)} is not available in Node (wasm, cpu)`);
  if (s.method === 'idlg' && s.batch !== 1) throw new UsageError('--method idlg reads the label of a single image: --batch 1');
  await initNodeBackend(v.backend as NodeBackend);
  const test = await loadNodeSplit(ds.id, 'test', v['data-dir'] as string | undefined);
  const count = v.count === undefined ? 1 : Number(v.count);
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`--count ${JSON.stringify(v.count)} is not a whole number >= 1`);
  if (s.index + s.batch * count > test.n)
    throw new UsageError(`--index ${s.index} --batch ${s.batch} --count ${count}: the test split has ${test.n} images`);
  if (count > 1) {
    // consecutive batches, one line each, then a summary
    const rows = [];
    for (let k = 0; k < count; k++) {
      const r = await runLeak(test, ds.classNames.length, { ...s, index: s.index + k * s.batch });
      const row = {
        index: s.index + k * s.batch,
        mse: r.mse,
        psnr: Number(r.psnr.toFixed(3)),
        label_correct: r.labelCorrect,
        iterations: r.result.steps,
        evaluations: r.result.evaluations,
        trial: r.trial,
        trial_losses: r.trialLosses,
        p_true_label: r.trueLabelProbability,
        gradient_norm: r.gradientNorm,
        seconds: Number(r.seconds.toFixed(2)),
      };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
    const psnrs = rows.map((r) => r.psnr).sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        count,
        mse_at_most_1e3: rows.filter((r) => r.mse <= 1e-3).length,
        labels_correct: rows.filter((r) => r.label_correct).length,
        median_psnr: psnrs[Math.floor(count / 2)],
        mean_mse: rows.reduce((a, r) => a + r.mse, 0) / count,
        seconds: Number(rows.reduce((a, r) => a + r.seconds, 0).toFixed(1)),
      }),
    );
    return 0;
  }
  const r = await runLeak(test, ds.classNames.length, s, (p) => {
    if (!v.json)
      console.log(
        `${s.restarts > 1 ? `trial ${p.trial}, ` : ''}step ${p.step}: loss ${p.loss.toExponential(3)}, mse ${p.mse.toExponential(3)}, psnr ${p.psnr.toFixed(2)} dB`,
      );
  });
  const out = {
    mse: r.mse,
    psnr: Number(r.psnr.toFixed(3)),
    label_correct: r.labelCorrect,
    iterations: r.result.steps,
    evaluations: r.result.evaluations,
    trial: r.trial,
    trial_losses: r.trialLosses,
    p_true_label: r.trueLabelProbability,
    gradient_norm: r.gradientNorm,
    seconds: Number(r.seconds.toFixed(2)),
    labels: r.result.labels,
    true_labels: r.trueLabels,
    per_image_mse: r.perImageMse,
  };
  console.log(
    v.json
      ? JSON.stringify(out)
      : `${s.method} on ${ds.id} ${s.index}..${s.index + s.batch - 1}: mse ${r.mse.toExponential(3)}, psnr ${r.psnr.toFixed(2)} dB, labels ${r.result.labels.join(',')} (true ${r.trueLabels.join(',')}), ${r.result.steps} steps, ${r.seconds.toFixed(1)} s`,
  );
  return 0;
}

export const dlgCommand: Command = {
  name: 'dlg',
  summary: 'gradient leakage: reconstruct a client image from its shared gradient (DLG, iDLG, inverting gradients)',
  flags: [
    { name: 'dataset', value: 'id', help: 'mnist, fashion-mnist or cifar10 (default mnist)' },
    { name: 'data-dir', value: 'dir', help: 'CIFAR-10 binary batches' },
    { name: 'arch', value: 'lenet-sigmoid', help: "the network (the DLG authors' LeNet)" },
    ...fieldFlags(LEAK_FIELDS, { leak: defaultLeak() }, { aliases: LEAK_ALIASES, urlPrefix: PRIVACY_SLICE.prefix }),
    { name: 'count', value: 'n', help: 'run n consecutive batches, one JSON line each, then a summary' },
    { name: 'backend', value: 'wasm|cpu', help: 'TensorFlow.js backend (default wasm)' },
    {
      name: 'json',
      help: 'one JSON object: {"mse","psnr","label_correct","iterations","p_true_label","gradient_norm","seconds",...}',
    },
  ],
  notes: [
    "The attack flags are the privacy lab's gradient-leakage settings: the same names, ranges and defaults as its panel and its links.",
  ],
  run: runDlg,
};
