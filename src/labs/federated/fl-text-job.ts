/**
 * The worker job `flText`: the federated spam filter (text-simulation.ts) on the SpamAssassin mails,
 * fetched once per worker (services.textSet: public/data/spam-assassin/mails.json.gz). Progress and
 * payload as the image job `fl` (fl-job.ts): the split, then one round report per round (each with
 * the clean miss rate beside the ASR); the result adds the example mail (a held-out spam with the
 * trigger, p(spam) with and without it under the final global model).
 *
 * The hasher keeps its term -> bucket cache across runs of a worker, so a comparison of aggregators
 * hashes each distinct term once.
 */
import { SPAM_ASSASSIN } from '../../core/data/text';
import { DEFAULT_HASHING, FeatureHasher } from '../../core/data/tokenize';
import type { WorkerJobContext } from '../../worker/jobs';
import { simulationProgress } from './fl-job';
import type { FlEvent, FlTextOutcome, FlTextRequest } from './fl-types';
import { runTextSimulation, textFeatures } from './text-simulation';

let hasher: FeatureHasher | null = null;

export async function flTextJob(ctx: WorkerJobContext<FlEvent>, req: FlTextRequest): Promise<FlTextOutcome> {
  if (req.dataset !== SPAM_ASSASSIN.id) throw new Error(`the federated spam filter runs on ${SPAM_ASSASSIN.name}, not ${req.dataset}`);
  const { train, test } = await ctx.services.textSet(req.dataset, ctx.signal, (p) => ctx.progress({ ...p, payload: [] }));
  const s = req.settings;
  const total = s.rounds * s.perRound;
  const label = `Federated ${s.aggregator} on ${SPAM_ASSASSIN.name}: ${s.clients} clients, ${s.attack.kind === 'none' ? 'no attack' : `${s.attack.count} ${s.attack.kind}`}`;
  ctx.progress({ label: `${label} · hashing the mails`, done: 0, total, unit: 'steps', payload: [] });
  const cfg = { ...s, train, test };
  hasher ??= new FeatureHasher(DEFAULT_HASHING);
  const features = textFeatures(cfg, s.hashing ? new FeatureHasher(s.hashing) : hasher);
  const res = await runTextSimulation({ ...cfg, features }, simulationProgress(ctx, label, s.perRound, total));
  return { ...res, dataset: SPAM_ASSASSIN.id, settings: s };
}
