/**
 * rlab privacy-budget: the (epsilon, delta) spent by T steps of the Poisson-sampled Gaussian mechanism
 * (DP-SGD's), or the noise multiplier that meets a target epsilon, under one of the lab's accountants
 * (algorithms/accountants/: rdp, rdp-classic, prv, as Opacus's RDPAccountant, the classic conversion,
 * and PRVAccountant).
 *
 *   rlab privacy-budget --sample-rate q --noise-multiplier s (--steps T | --epochs E) [--delta 1e-5]
 *     [--accountant rdp|rdp-classic|prv] [--json]
 *     -> {"epsilon","delta","accountant","steps","order"?,"noise_multiplier","sample_rate","epochs"?}
 *   rlab privacy-budget --sample-rate q --target-epsilon e (--steps T | --epochs E) ...
 *     -> {"noise_multiplier","epsilon","target_epsilon","delta","accountant","steps","order"?,...}
 *
 * "order" (the RDP order that attains epsilon) is given by the RDP accountants only. --epochs E means
 * E / q steps, truncated to an integer as Opacus's get_noise_multiplier does (int(epochs / sample_rate)),
 * except that a quotient within 1e-9 of an integer counts as that integer. The default accountant is
 * prv, Opacus's default (PrivacyEngine(accountant="prv")).
 */
import { num, parse, UsageError } from '../../../cli/args';
import type { Command } from '../../../cli/command';
import {
  ACCOUNTANTS,
  epsilonSpent,
  isAccountantName,
  noiseMultiplierFor,
  stepsForEpochs,
  type AccountantName,
  type AccountantOptions,
} from '../algorithms/accountants/accountant';

export const PRIVACY_BUDGET_OPTIONS = {
  'sample-rate': { type: 'string' },
  'noise-multiplier': { type: 'string' },
  'target-epsilon': { type: 'string' },
  steps: { type: 'string' },
  epochs: { type: 'string' },
  delta: { type: 'string' },
  accountant: { type: 'string' },
  'eps-error': { type: 'string' },
  'delta-error': { type: 'string' },
  tolerance: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

export interface PrivacyBudgetQuery {
  sampleRate: number;
  /** Exactly one of noiseMultiplier and targetEpsilon. */
  noiseMultiplier?: number;
  targetEpsilon?: number;
  steps: number;
  /** When the steps came from --epochs. */
  epochs?: number;
  delta: number;
  accountant: AccountantName;
  options: AccountantOptions;
  tolerance: number;
}

type Values = Record<string, string | boolean | undefined>;
const str = (v: Values, k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);

/** The query from the flags, or a one-line UsageError naming the flag. */
export function privacyBudgetQuery(v: Values): PrivacyBudgetQuery {
  const has = (k: string) => str(v, k) !== undefined;
  if (!has('sample-rate')) throw new UsageError('privacy-budget needs --sample-rate q (the Poisson sampling rate, batch / dataset size)');
  const sampleRate = num(str(v, 'sample-rate'), 'sample-rate', NaN, (x) => x > 0 && x <= 1, 'a sampling rate in (0, 1]');
  if (has('noise-multiplier') === has('target-epsilon'))
    throw new UsageError(
      has('noise-multiplier')
        ? 'give --noise-multiplier (to get epsilon) or --target-epsilon (to get the noise multiplier), not both'
        : 'privacy-budget needs --noise-multiplier s (to get epsilon) or --target-epsilon e (to get the noise multiplier)',
    );
  if (has('steps') === has('epochs'))
    throw new UsageError(has('steps') ? 'give --steps or --epochs, not both' : 'privacy-budget needs --steps T or --epochs E');
  const noiseMultiplier = has('noise-multiplier')
    ? num(str(v, 'noise-multiplier'), 'noise-multiplier', NaN, (x) => x > 0, 'a noise multiplier > 0')
    : undefined;
  const targetEpsilon = has('target-epsilon')
    ? num(str(v, 'target-epsilon'), 'target-epsilon', NaN, (x) => x > 0, 'an epsilon > 0')
    : undefined;
  let steps: number;
  let epochs: number | undefined;
  if (has('steps')) steps = num(str(v, 'steps'), 'steps', NaN, (x) => Number.isInteger(x) && x >= 1, 'a whole number of steps >= 1');
  else {
    epochs = num(str(v, 'epochs'), 'epochs', NaN, (x) => x > 0, 'a number of epochs > 0');
    steps = stepsForEpochs(epochs, sampleRate);
    if (steps < 1)
      throw new UsageError(`--epochs ${epochs} at --sample-rate ${sampleRate} is less than one step (E / q = ${epochs / sampleRate})`);
  }
  const delta = num(str(v, 'delta'), 'delta', 1e-5, (x) => x > 0 && x < 1, 'a delta in (0, 1)');
  const name = str(v, 'accountant') ?? 'prv';
  if (!isAccountantName(name)) throw new UsageError(`--accountant ${JSON.stringify(name)} is not one of ${ACCOUNTANTS.join(', ')}`);
  const options: AccountantOptions = {};
  if (has('eps-error')) options.epsError = num(str(v, 'eps-error'), 'eps-error', NaN, (x) => x > 0, 'an epsilon error > 0');
  if (has('delta-error'))
    options.deltaError = num(
      str(v, 'delta-error'),
      'delta-error',
      NaN,
      (x) => x > 0 && x < delta,
      `a delta error in (0, delta = ${delta})`,
    );
  if (name !== 'prv' && (has('eps-error') || has('delta-error')))
    throw new UsageError('--eps-error and --delta-error are options of --accountant prv');
  const tolerance = num(str(v, 'tolerance'), 'tolerance', 0.01, (x) => x > 0, 'an epsilon tolerance > 0');
  if (has('tolerance') && targetEpsilon === undefined) throw new UsageError('--tolerance is an option of --target-epsilon');
  return { sampleRate, noiseMultiplier, targetEpsilon, steps, epochs, delta, accountant: name, options, tolerance };
}

export interface PrivacyBudgetJson {
  epsilon: number;
  delta: number;
  accountant: AccountantName;
  steps: number;
  order?: number;
  noise_multiplier: number;
  sample_rate: number;
  epochs?: number;
  target_epsilon?: number;
}

/** Epsilon for the query's noise multiplier, or the noise multiplier for its target epsilon. */
export function privacyBudget(q: PrivacyBudgetQuery): PrivacyBudgetJson {
  let noiseMultiplier: number;
  try {
    if (q.targetEpsilon !== undefined) {
      noiseMultiplier = noiseMultiplierFor({
        targetEpsilon: q.targetEpsilon,
        delta: q.delta,
        sampleRate: q.sampleRate,
        steps: q.steps,
        accountant: q.accountant,
        epsilonTolerance: q.tolerance,
        options: q.options,
      }).noiseMultiplier;
    } else noiseMultiplier = q.noiseMultiplier!;
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(`--target-epsilon ${q.targetEpsilon}: ${e.message}`);
    throw e;
  }
  const spent = epsilonSpent(q.accountant, [{ noiseMultiplier, sampleRate: q.sampleRate, steps: q.steps }], q.delta, q.options);
  // the answer first: noise_multiplier when it was asked for, else epsilon
  const head = q.targetEpsilon !== undefined ? { noise_multiplier: noiseMultiplier } : {};
  return {
    ...head,
    epsilon: spent.epsilon,
    delta: q.delta,
    accountant: q.accountant,
    steps: q.steps,
    ...(spent.order !== undefined ? { order: spent.order } : {}),
    noise_multiplier: noiseMultiplier,
    sample_rate: q.sampleRate,
    ...(q.epochs !== undefined ? { epochs: q.epochs } : {}),
    ...(q.targetEpsilon !== undefined ? { target_epsilon: q.targetEpsilon } : {}),
  };
}

const ACCOUNTANT_TEXT: Record<AccountantName, string> = {
  rdp: 'RDP, Balle et al. 2020 conversion',
  'rdp-classic': 'RDP, classic conversion',
  prv: 'PRV, upper bound',
};

export async function runPrivacyBudget(args: string[]): Promise<number> {
  const { values } = parse(args, PRIVACY_BUDGET_OPTIONS);
  const v = values as Values;
  const q = privacyBudgetQuery(v);
  const out = privacyBudget(q);
  if (v.json) {
    process.stdout.write(JSON.stringify(out) + '\n');
    return 0;
  }
  let stepsText = `${q.steps} steps`;
  if (q.epochs !== undefined) {
    const ratio = q.epochs / q.sampleRate;
    const how =
      ratio === q.steps ? '' : Math.abs(ratio - q.steps) <= 1e-9 * ratio ? `, rounded to ${q.steps}` : `, truncated to ${q.steps}`;
    stepsText += ` (${q.epochs} epochs at q = ${q.sampleRate}: E / q = ${ratio}${how})`;
  }
  if (q.targetEpsilon !== undefined)
    console.log(`noise multiplier ${out.noise_multiplier} meets epsilon <= ${q.targetEpsilon} (tolerance ${q.tolerance})`);
  console.log(
    `epsilon ${out.epsilon.toFixed(4)} at delta ${q.delta} (${ACCOUNTANT_TEXT[q.accountant]}${out.order !== undefined ? `, order ${out.order}` : ''})`,
  );
  console.log(`  after ${stepsText} at sampling rate ${q.sampleRate}, noise multiplier ${out.noise_multiplier}`);
  return 0;
}

export const privacyBudgetCommand: Command = {
  name: 'privacy-budget',
  summary: 'epsilon of DP-SGD (Poisson-sampled Gaussian) under RDP, classic RDP or PRV, or the noise for a target epsilon',
  flags: [
    { name: 'sample-rate', value: 'q', help: 'Poisson sampling rate in (0, 1] (batch size / dataset size)', required: true },
    { name: 'noise-multiplier', value: 's', help: 'noise standard deviation / clipping norm (> 0); or --target-epsilon' },
    { name: 'target-epsilon', value: 'e', help: 'find the noise multiplier that meets this epsilon (Opacus get_noise_multiplier)' },
    { name: 'steps', value: 'T', help: 'number of noisy steps; or --epochs' },
    { name: 'epochs', value: 'E', help: 'E / q steps, truncated as Opacus does' },
    { name: 'delta', value: 'd', help: 'delta in (0, 1) (default 1e-5)' },
    { name: 'accountant', value: ACCOUNTANTS.join('|'), help: 'default prv (Opacus default)' },
    { name: 'eps-error', value: 'x', help: 'prv: allowed error in epsilon (default 0.01)' },
    { name: 'delta-error', value: 'x', help: 'prv: allowed error in delta (default delta / 1000)' },
    { name: 'tolerance', value: 'x', help: 'with --target-epsilon: stop once target - epsilon <= x (default 0.01)' },
    { name: 'json', help: 'print one JSON object {"epsilon","delta","accountant","steps","order"?,"noise_multiplier",...}' },
  ],
  notes: [
    'example: rlab privacy-budget --sample-rate 0.004 --noise-multiplier 1.1 --epochs 60 --delta 1e-5 --accountant rdp --json',
    'rdp: Opacus RDPAccountant (orders 1.1..10.9, 12..63; Balle et al. 2020); rdp-classic: eps = min_a rdp(a) - log(delta)/(a - 1); prv: Opacus PRVAccountant (Gopi et al. 2021), its upper bound.',
  ],
  run: runPrivacyBudget,
};
