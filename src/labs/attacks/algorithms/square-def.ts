/**
 * The declaration of square.ts's attack (what the studio, the links, the CLI's help and the zoo table read):
 * free of TensorFlow.js, so that the page's main thread can read it; the run is in square.ts, attached by registry.ts.
 */
import { defineAttack } from './definition';
import { invalid, isWhole } from '../../../core/adversarial/validate';
import { resolveBudget } from './budget';
import type { Norm, SpecBase } from '../../../core/adversarial/types';

export interface SquareSpec extends SpecBase {
  name: 'square';
  norm?: Norm;
  eps: number;
  /** Query budget per image (the initial query included); default 5000. */
  queries?: number;
  /** Initial fraction of pixels changed per query; default 0.8 (AutoAttack, ART, torchattacks). */
  pInit?: number;
}

export type ResolvedSquare = Required<Omit<SquareSpec, 'target'>> & Pick<SquareSpec, 'target'>;

export function resolveSquare(s: SquareSpec): ResolvedSquare {
  const r: ResolvedSquare = {
    name: 'square',
    ...resolveBudget('square', s, { norms: ['linf', 'l2'] }),
    queries: s.queries ?? 5000,
    pInit: s.pInit ?? 0.8,
    target: s.target,
  };
  if (!isWhole(r.queries, 1, 1000000)) invalid(`queries must be a whole number >= 1, got ${r.queries}`);
  if (!(typeof r.pInit === 'number' && r.pInit > 0 && r.pInit <= 1)) invalid(`p-init must be in (0, 1], got ${r.pInit}`);
  return r;
}

export const square = defineAttack<SquareSpec>({
  name: 'square',
  label: 'Square Attack',
  reference: 'Andriushchenko, Croce, Flammarion, Hein 2020',
  summary: 'black-box: random square-shaped changes at the corners of the eps ball, kept when the margin loss drops',
  norms: ['linf', 'l2'],
  kind: 'bounded',
  blackBox: true,
  targeted: true,
  params: ['eps', 'queries', 'pInit', 'seed'],
  fields: [
    {
      path: 'attack.queries',
      url: 'q',
      cli: 'queries',
      type: { kind: 'int', min: 1, max: 1000000 },
      label: 'query budget',
      short: 'Query budget',
      help: 'forward passes per image, the first included',
      default: 5000,
      slider: () => ({ min: 10, max: 10000, step: 10 }),
    },
    {
      path: 'attack.pInit',
      url: 'p',
      cli: 'p-init',
      type: { kind: 'float', min: 1e-6, max: 1 },
      label: 'initial square fraction p',
      short: 'Initial square fraction p',
      help: 'the fraction of pixels the first squares change (halved on a schedule)',
      default: 0.8,
      slider: () => ({ min: 0.01, max: 1, step: 0.01 }),
    },
  ],
  defaults: () => ({ queries: 5000, pInit: 0.8 }),
  // the paper's budget is 10000 and AutoAttack's 5000; 1000 keeps a single image interactive on a slow GPU
  studioDefaults: { queries: 1000 },
  json: (s) => ({ steps: s.queries, step_size: null, random_start: false, restarts: 1, queries: s.queries, p_init: s.pInit }),
  zooNote: 'Square-1000: 1000 queries, p_init 0.8 (black-box).',
  zooRows: ({ linf, seed }) =>
    linf.map((eps) => ({
      label: 'Square-1000',
      norm: 'linf',
      eps,
      budget: '1000 queries, p 0.8',
      spec: { name: 'square', eps, queries: 1000, pInit: 0.8, seed },
    })),
  resolve: resolveSquare,
  expectedSteps: (s) => s.queries ?? 1,
});
