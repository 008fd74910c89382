/** CSV and JSON exports of a batch robustness check (pure functions, unit-tested). */
import { encodeExperiment, type Experiment } from '../../experiment';
import type { AttackOutcome, BatchOutcome } from '../../../worker/protocol';

/** One CSV field: quoted when it holds a comma, a quote or a line break. */
export function csvField(v: string | number | boolean): string {
  const s = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(fields: (string | number | boolean)[]): string {
  return fields.map(csvField).join(',');
}

/** One row per image: index, labels, predictions at the attack's eps, perturbation norms, queries. */
export function batchCsv(outcome: BatchOutcome, classNames: readonly string[]): string {
  const header = [
    'index',
    'label',
    'label_name',
    'clean_prediction',
    'adversarial_prediction',
    'adversarial_name',
    'clean_correct',
    'fooled',
    'l0',
    'l2',
    'linf',
    'queries',
  ];
  const lines = [csvLine(header)];
  for (const r of outcome.rows) {
    lines.push(
      csvLine([
        r.index,
        r.label,
        classNames[r.label] ?? String(r.label),
        r.cleanPredicted,
        r.advPredicted,
        classNames[r.advPredicted] ?? String(r.advPredicted),
        r.cleanPredicted === r.label,
        r.fooled,
        r.l0,
        Number(r.l2.toFixed(6)),
        Number(r.linf.toFixed(6)),
        r.queries,
      ]),
    );
  }
  return lines.join('\n') + '\n';
}

/** The full result with the experiment that produced it (seed included) and its link. */
export function batchJson(outcome: BatchOutcome, experiment: Experiment, createdAt: string): string {
  const { examples, memory, jobId, ...rest } = outcome;
  void examples;
  void memory;
  void jobId;
  return (
    JSON.stringify(
      {
        createdAt,
        experiment: { ...experiment, attack: outcome.attack, model: outcome.model, dataset: outcome.dataset },
        link: `#${encodeExperiment({ ...experiment, attack: outcome.attack, model: outcome.model, dataset: outcome.dataset })}`,
        ...rest,
      },
      null,
      2,
    ) + '\n'
  );
}

/** Epsilons typed as a list ("0, 0.05, 0.1", or fractions: "0, 2/255, 8/255"); null when one is not a number >= 0. */
export function parseEpsilons(text: string): number[] | null {
  const parts = text
    .replace(/\s*\/\s*/g, '/')
    .split(/[\s,;]+/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0 || parts.length > 20) return null;
  const v = parts.map((p) => {
    const frac = /^([0-9.]+)\/([0-9.]+)$/.exec(p);
    return frac ? Number(frac[1]) / Number(frac[2]) : Number(p);
  });
  return v.every((x) => Number.isFinite(x) && x >= 0 && x <= 10) ? v : null;
}

/**
 * One finished studio attack: the experiment that made it (with its link), the predictions, the norms the
 * worker measured, and the exact float pixels of the original and the adversarial image (H * W * C,
 * channels last), so that anyone can check the norms and the [0, 1] box from the file alone.
 */
export function attackJson(outcome: AttackOutcome, experiment: Experiment, shape: readonly number[], createdAt: string): string {
  const adv = outcome.adversarial;
  if (!adv) throw new Error('the attack has no adversarial image (it was cancelled)');
  const e = { ...experiment, attack: outcome.attack, model: outcome.model, sample: outcome.sample };
  return (
    JSON.stringify({
      createdAt,
      experiment: e,
      link: `#${encodeExperiment(e)}`,
      model: outcome.model,
      sample: outcome.sample,
      label: outcome.label,
      cleanPredicted: adv.cleanPredicted,
      predicted: adv.predicted,
      success: adv.success,
      fooled: adv.fooled,
      target: adv.target,
      norms: adv.norms,
      queries: adv.queries,
      gradientEvaluations: adv.gradientEvaluations,
      iterates: outcome.stepsRun,
      seconds: outcome.seconds,
      cleanProbs: adv.cleanProbs,
      probs: adv.probs,
      shape: [...shape],
      original: Array.from(adv.original),
      adversarial: Array.from(adv.pixels),
    }) + '\n'
  );
}
