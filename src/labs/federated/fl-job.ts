/**
 * The worker job `fl`: the federated simulation (simulation.ts) on a bundled data set's training
 * split, evaluated on its test split, with progress per client and per round and cancel.
 *
 * Progress: `done` counts clients trained over the whole run (total = rounds x clients per round);
 * the payload streams FlEvent items: first the split (each client's size, label histogram, which are
 * malicious), then one `round` item per round with that round's RoundReport (accuracy, attack success,
 * update norms, cosine matrix, the aggregator's weights / selection / scores). A chart appends the
 * `round` items as they come; the job's result holds every round again.
 */
import { getDataset } from '../../core/data/datasets';
import type { WorkerJobContext } from '../../worker/jobs';
import type { FlEvent, FlOutcome, FlRequest } from './fl-types';
import { runSimulation, type RoundReport, type SplitReport } from './simulation';

export async function flJob(ctx: WorkerJobContext<FlEvent>, req: FlRequest): Promise<FlOutcome> {
  const ds = getDataset(req.dataset);
  if (ds.id !== 'mnist' && ds.id !== 'fashion-mnist')
    throw new Error(`the federated simulation runs on MNIST or Fashion-MNIST, not ${ds.name}`);
  const train = await ctx.services.trainingSplit(ds.id, ctx.signal, (p) => ctx.progress({ ...p, payload: [] }));
  let test;
  try {
    test = ctx.services.dataset(ds.id);
  } catch {
    throw new Error(`the ${ds.name} test images are not loaded: choose ${ds.name} in Setup`);
  }
  const s = req.settings;
  const total = s.rounds * s.perRound;
  const label = `Federated ${s.aggregator} on ${ds.name}: ${s.clients} clients, ${s.attack.kind === 'none' ? 'no attack' : `${s.attack.count} ${s.attack.kind}`}`;
  ctx.progress({ label, done: 0, total, unit: 'steps', payload: [] });
  const res = await runSimulation({ ...s, train, test }, simulationProgress(ctx, label, s.perRound, total));
  return { ...res, dataset: ds.id, settings: s };
}

/** The simulation hooks that report a run (image or text) to the job: the split, each client, each round. */
export function simulationProgress(ctx: WorkerJobContext<FlEvent>, label: string, perRound: number, total: number) {
  const t0 = performance.now();
  return {
    signal: ctx.signal,
    onSplit: (split: SplitReport) => ctx.progress({ label, done: 0, total, unit: 'steps', payload: [{ kind: 'split', split }] }),
    onClient: (p: { round: number; done: number }) => {
      const done = (p.round - 1) * perRound + p.done;
      ctx.progress({ label: `${label} · round ${p.round}`, done, total, unit: 'steps', rate: done / ((performance.now() - t0) / 1000) });
    },
    onRound: (report: RoundReport) =>
      ctx.progress({
        label: `${label} · round ${report.round}`,
        done: report.round * perRound,
        total,
        unit: 'steps',
        payload: [{ kind: 'round', report }],
      }),
  };
}
