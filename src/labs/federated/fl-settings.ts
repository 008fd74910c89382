/**
 * The simulation's settings from the lab's experiment (the slice's fields), shared by `rlab fl` and
 * the worker job `fl`; a one-line error for settings that cannot run.
 */
import type { AggregatorParams } from './aggregators';
import type { AttackSettings } from './algorithms/malicious';
import { parseSplit } from './algorithms/split';
import { parseClientIds, type FederationSettings } from './experiment/federation';
import { checkMalicious } from './algorithms/malicious-clients';
import { parseTrigger } from './algorithms/trigger';
import type { FederatedExperiment } from './experiment';
import { aggregatorParams } from './experiment/aggregation';
import type { SimulationConfig } from './simulation';
import type { TextSimulationConfig, TextSplitSpec } from './text-simulation';
import { TEXT_ATTACKS } from './text-attacks';

/** The simulation's settings without its data: plain, structured-clone-friendly (the job's request). */
export type SimulationSettings = Omit<SimulationConfig, 'train' | 'test' | 'network'>;

export function simulationSettings(
  e: FederatedExperiment,
  opts: { aggregator?: string; params?: Partial<AggregatorParams>; trigger?: string; testImages?: number } = {},
): SimulationSettings {
  const s = e.federation;
  if (s.split === 'mailboxes')
    throw new Error("--split mailboxes is the spam set's split (by sender domain): iid or dirichlet:<alpha> for images");
  if (s.perRound > s.clients) throw new Error(`--per-round ${s.perRound} is more than --clients ${s.clients}`);
  const who = maliciousChoice(s);
  if ((s.attack === 'label-flip' || s.attack === 'sybil') && s.source === e.poison.target)
    throw new Error(`--source ${s.source} and --target ${e.poison.target} are the same class`);
  const attack: AttackSettings = {
    kind: s.attack,
    ...who,
    rate: e.poison.rate,
    target: e.poison.target,
    source: s.source,
    boost: s.boost,
    trigger: parseTrigger(opts.trigger ?? e.poison.trigger),
  };
  return {
    clients: s.clients,
    perRound: s.perRound,
    rounds: s.rounds,
    localEpochs: s.localEpochs,
    batch: s.localBatch,
    learningRate: s.localLearningRate,
    split: parseSplit(s.split),
    perClient: s.perClient,
    attack,
    aggregator: opts.aggregator ?? e.aggregation.rule,
    params: { ...aggregatorParams(e.aggregation), ...opts.params },
    seed: s.seed,
    testImages: opts.testImages ?? e.poison.testImages,
    ...serverPrivacy(e, opts.aggregator ?? e.aggregation.rule),
  };
}

/** The malicious clients: the named ids (their number is the list's length), else the first `malicious`; one-line errors. */
function maliciousChoice(s: FederationSettings): { count: number; ids?: number[] } {
  if (s.attack === 'none') return { count: 0 };
  const ids = parseClientIds(s.maliciousIds);
  if (typeof ids === 'string') throw new Error(`--malicious-clients: ${ids}`);
  if (ids.length > 0) {
    const bad = ids.find((c) => c >= s.clients);
    if (bad !== undefined) throw new Error(`--malicious-clients names client ${bad}, but the clients are 0 to ${s.clients - 1}`);
    checkMalicious({ kind: s.attack, count: ids.length, ids }, s.clients);
    return { count: ids.length, ids };
  }
  if (s.malicious > s.clients) throw new Error(`--malicious ${s.malicious} is more than --clients ${s.clients}`);
  if (s.malicious < 1) throw new Error(`--attack ${s.attack} needs --malicious 1 or more`);
  return { count: s.malicious };
}

/** Secure aggregation and DP-FedAvg from the slice; one-line errors for what cannot run together. */
function serverPrivacy(e: FederatedExperiment, rule: string): Pick<SimulationSettings, 'secagg' | 'dp'> {
  const a = e.aggregation;
  const s = e.federation;
  const out: Pick<SimulationSettings, 'secagg' | 'dp'> = {};
  if (a.secagg) {
    if (rule !== 'fedavg')
      throw new Error(
        `--secagg with --aggregator ${rule}: secure aggregation shows the server only the sum of the updates, ` +
          `and ${rule} needs the individual updates (to rank, trim or compare them); use --aggregator fedavg`,
      );
    if (s.perRound < 2 || s.perRound > 255) throw new Error(`--secagg needs --per-round from 2 to 255, not ${s.perRound}`);
    if (a.secaggDropouts >= s.perRound) throw new Error(`--secagg-dropouts ${a.secaggDropouts} leaves nobody of --per-round ${s.perRound}`);
    out.secagg = { dropouts: a.secaggDropouts, range: a.secaggRange };
  }
  if (a.dpNoise > 0) {
    if (rule !== 'fedavg')
      throw new Error(`--dp-noise with --aggregator ${rule}: DP-FedAvg is FedAvg's clipped and noised average; use --aggregator fedavg`);
    out.dp = { noise: a.dpNoise, clip: a.dpClip, delta: a.dpDelta };
  }
  return out;
}

/** The spam filter's settings without its data (the text run's request): the same fields, the trigger words for the trigger. */
export type TextSimulationSettings = Omit<TextSimulationConfig, 'train' | 'test' | 'features'>;

export function textSimulationSettings(
  e: FederatedExperiment,
  opts: { aggregator?: string; params?: Partial<AggregatorParams>; perClient?: number; split?: string } = {},
): TextSimulationSettings {
  const s = e.federation;
  if (!(TEXT_ATTACKS as readonly string[]).includes(s.attack))
    throw new Error(`--attack ${s.attack} is an image attack: the spam filter takes ${TEXT_ATTACKS.join(', ')}`);
  if (s.perRound > s.clients) throw new Error(`--per-round ${s.perRound} is more than --clients ${s.clients}`);
  const who = maliciousChoice(s);
  const splitText = opts.split ?? s.split;
  const split: TextSplitSpec = splitText === 'mailboxes' ? { kind: 'mailboxes' } : parseSplit(splitText);
  return {
    clients: s.clients,
    perRound: s.perRound,
    rounds: s.rounds,
    localEpochs: s.localEpochs,
    batch: s.localBatch,
    learningRate: s.localLearningRate,
    split,
    perClient: opts.perClient ?? s.perClient,
    attack: {
      kind: s.attack as TextSimulationConfig['attack']['kind'],
      ...who,
      rate: e.poison.rate,
      boost: s.boost,
      trigger: { words: s.words, position: s.wordsAt },
    },
    aggregator: opts.aggregator ?? e.aggregation.rule,
    params: { ...aggregatorParams(e.aggregation), ...opts.params },
    seed: s.seed,
    testMails: e.poison.testImages,
    ...serverPrivacy(e, opts.aggregator ?? e.aggregation.rule),
  };
}
