/**
 * rlab fl: the federated simulation (simulation.ts) on MNIST or Fashion-MNIST, one JSON object with
 * --json; and rlab bench-fl: a round of clients against the same images trained centrally. The flags
 * are the lab's slice fields (experiment/federation.ts, experiment/poison.ts, experiment/aggregation.ts:
 * --aggregator, --f, --trim, --clip, --noise, --keep, --kappa).
 */
import * as tf from '@tensorflow/tfjs';
import { getDataset } from '../../../core/data/datasets';
import { initNodeBackend, type NodeBackend } from '../../../core/engine/node-backend';
import type { Field } from '../../../core/experiment/fields';
import { parse, UsageError } from '../../../cli/args';
import type { Command } from '../../../cli/command';
import { fieldFlags, fieldOptions, readFieldFlags } from '../../../cli/field-flags';
import { loadNodeSplit } from '../../../cli/node-io';
import { defaultFederatedPart, FEDERATED_SLICE, type FederatedExperiment } from '../experiment';
import { gather } from '../algorithms/malicious';
import { splitText } from '../algorithms/split';
import { parseTrigger } from '../algorithms/trigger';
import { simulationSettings, type SimulationSettings } from '../fl-settings';
import { Federation, runSimulation, type SimulationConfig } from '../simulation';
import { roundJson, type FlRoundJson } from './round-json';
import { maliciousIds } from '../algorithms/malicious-clients';

export type { FlRoundJson } from './round-json';
import { runTextFl, TEXT_DATASETS } from './fl-text';

const FIELDS = FEDERATED_SLICE.fields as readonly Field<FederatedExperiment>[];

// the issue's --attack: a synonym of the slice's --fl-attack (the attacks lab owns the global --attack)
const FL_ALIASES = { attack: 'fl-attack' };

export const FL_OPTIONS = {
  dataset: { type: 'string', default: 'mnist' },
  backend: { type: 'string', default: 'wasm' },
  json: { type: 'boolean', default: false },
  ...fieldOptions(FIELDS, FL_ALIASES),
} as const;

/** The lab's experiment from the flags (the fields' defaults where absent); a one-line message for a bad value. */
export function experimentFromFlags(values: Record<string, unknown>): FederatedExperiment {
  return readFieldFlags(FIELDS, values, defaultFederatedPart(), FL_ALIASES);
}

/** The simulation's settings from the flags' experiment; one-line usage errors for impossible ones. */
export function settingsFromFlags(e: FederatedExperiment): SimulationSettings {
  try {
    return simulationSettings(e);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export interface FlJson {
  config: Record<string, unknown>;
  dataset: string;
  backend: string;
  sizes: number[];
  /** Each client's examples per class (the split's label histograms). */
  histograms: number[][];
  malicious: number[];
  boost: number;
  rounds: FlRoundJson[];
  clean_accuracy: number;
  attack_success_rate: number | null;
  seconds: number;
}

async function setup(values: Record<string, string | boolean | undefined>) {
  const ds = getDataset(String(values.dataset));
  if (ds.id !== 'mnist' && ds.id !== 'fashion-mnist')
    throw new UsageError(`--dataset ${ds.id}: the simulation runs on mnist or fashion-mnist`);
  if (values.backend !== 'wasm' && values.backend !== 'cpu')
    throw new UsageError(`--backend ${String(values.backend)} is not available in Node (wasm, cpu)`);
  const backend = await initNodeBackend(values.backend as NodeBackend);
  const train = await loadNodeSplit(ds.id, 'train');
  const test = await loadNodeSplit(ds.id, 'test');
  return { ds, backend, train, test };
}

export async function runFl(args: string[]): Promise<number> {
  const { values } = parse(args, FL_OPTIONS);
  const v = values as Record<string, string | boolean | undefined>;
  if ((typeof v.dataset === 'string' && TEXT_DATASETS.includes(v.dataset)) || v['fl-data'] === 'spam')
    return runTextFl(v, experimentFromFlags(v));
  if (typeof v.dataset === 'string' && !['mnist', 'fashion-mnist'].includes(v.dataset))
    throw new UsageError(`--dataset ${v.dataset}: the simulation runs on mnist, fashion-mnist or spam`);
  const e = experimentFromFlags(v);
  const settings = settingsFromFlags(e);
  const { ds, backend, train, test } = await setup(v);
  const json = v.json === true;
  const cfg: SimulationConfig = { ...settings, train, test };
  let out: FlJson;
  try {
    const res = await runSimulation(cfg, {
      onRound: json
        ? undefined
        : (r) =>
            console.log(
              `round ${String(r.round).padStart(3)}  clean ${(100 * r.cleanAccuracy).toFixed(2)}%` +
                (r.attackSuccessRate === null ? '' : `  ASR ${(100 * r.attackSuccessRate).toFixed(2)}%`) +
                `  norms ${r.updateNorms.map((n) => n.toFixed(2)).join(' ')}` +
                (r.secagg
                  ? r.secagg.aborted
                    ? `  secagg ABORTED (${r.secagg.dropped.length} dropped)`
                    : `  secagg ${r.secagg.included.length} in, ${r.secagg.dropped.length} dropped, ${Math.round(r.secagg.bytesSent)} B sent/client (clear ${r.secagg.clearBytes})`
                  : '') +
                (r.dp
                  ? `  dp ${r.dp.sampled} sampled, noise std ${r.dp.noiseStd.toPrecision(3)}, eps ${r.dp.epsilon.toFixed(3)} (delta ${r.dp.delta})`
                  : '') +
                `  ${r.seconds.toFixed(1)} s`,
            ),
    });
    out = {
      config: {
        dataset: ds.id,
        clients: settings.clients,
        per_round: settings.perRound,
        rounds: settings.rounds,
        local_epochs: settings.localEpochs,
        local_batch: settings.batch,
        local_lr: settings.learningRate,
        split: splitText(settings.split),
        per_client: settings.perClient,
        attack: settings.attack.kind,
        malicious: settings.attack.count,
        malicious_clients: maliciousIds(settings.attack),
        rate: settings.attack.rate,
        target: settings.attack.target,
        source: settings.attack.source,
        boost: res.boost,
        trigger: e.poison.trigger,
        aggregator: settings.aggregator,
        params: settings.params,
        secagg: settings.secagg ?? null,
        dp: settings.dp ?? null,
        seed: settings.seed,
        test_images: settings.testImages || test.n,
        architecture: 'cnn-small',
      },
      dataset: ds.id,
      backend,
      sizes: res.sizes,
      histograms: res.histograms,
      malicious: res.malicious,
      boost: res.boost,
      rounds: res.rounds.map(roundJson),
      clean_accuracy: res.cleanAccuracy,
      attack_success_rate: res.attackSuccessRate,
      seconds: Number(res.seconds.toFixed(3)),
    };
  } catch (err) {
    // a configuration the simulation refuses (an unknown aggregator, a split it cannot draw) is a usage error
    if (err instanceof UsageError || !(err instanceof Error) || /cancelled/.test(err.message)) throw err;
    if (
      /unknown aggregator|malicious clients of|clients per round|dirichlet:|images need|same class|Krum|tolerate|secure aggregation|DP-FedAvg|dropouts of/.test(
        err.message,
      )
    )
      throw new UsageError(err.message);
    throw err;
  }
  if (json) process.stdout.write(JSON.stringify(out) + '\n');
  else
    console.log(
      `${ds.name}, ${settings.clients} clients (${settings.perRound} per round), ${splitText(settings.split)}, ${settings.attack.kind}` +
        ` x${settings.attack.count}, ${settings.aggregator}, seed ${settings.seed}: clean ${(100 * out.clean_accuracy).toFixed(2)}%` +
        (out.attack_success_rate === null ? '' : `, ASR ${(100 * out.attack_success_rate).toFixed(2)}%`) +
        `, ${out.seconds.toFixed(1)} s (${backend})`,
    );
  tf.disposeVariables();
  return 0;
}

export const flCommand: Command = {
  name: 'fl',
  summary:
    'a federated simulation with malicious clients and an aggregator: per-round accuracy and attack success (one JSON object with --json)',
  flags: [
    {
      name: 'dataset',
      value: 'mnist|fashion-mnist|spam',
      help: 'the data set (default mnist; spam: the SpamAssassin mails, cli/fl-text.ts)',
    },
    ...fieldFlags(FIELDS, defaultFederatedPart(), { aliases: FL_ALIASES, urlPrefix: FEDERATED_SLICE.prefix }),
    { name: 'backend', value: 'wasm|cpu', help: 'TensorFlow.js backend in Node (wasm)' },
    { name: 'json', help: 'print one JSON object' },
  ],
  notes: [
    'The malicious clients are clients 0 .. malicious - 1. attack_success_rate: backdoor / replacement: share of triggered test images of the other classes classified as --target;',
    "label-flip / sybil: share of --source test images classified as --target. The backdoor stamps --rate of a malicious client's images; replacement boosts its update by --boost (0: per-round / 1).",
    '--dataset spam: clients hold mailboxes (--split mailboxes by default) or iid / dirichlet shares of the 4,837 training mails (--per-client 0 by default); malicious clients put --trigger-words into --rate of their spam, labelled ham;',
    'attack_success_rate: share of the held-out spam, with the trigger, classified ham (clean_miss_rate: the same spam without it). Attacks: none, backdoor, replacement.',
  ],
  run: runFl,
};

/** rlab bench-fl: one federated round (clients x images x local epochs) against the same images trained centrally. */
export async function runBenchFl(args: string[]): Promise<number> {
  const { values } = parse(args, {
    dataset: { type: 'string', default: 'mnist' },
    backend: { type: 'string', default: 'wasm' },
    clients: { type: 'string', default: '10' },
    'per-client': { type: 'string', default: '600' },
    'local-epochs': { type: 'string', default: '1' },
    'local-batch': { type: 'string', default: '32' },
    repeats: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false },
  });
  const int = (k: string, min: number) => {
    const n = Number(values[k as keyof typeof values]);
    if (!Number.isInteger(n) || n < min)
      throw new UsageError(`--${k} ${String(values[k as keyof typeof values])} is not a whole number >= ${min}`);
    return n;
  };
  const clients = int('clients', 1);
  const perClient = int('per-client', 1);
  const localEpochs = int('local-epochs', 1);
  const batch = int('local-batch', 1);
  const repeats = int('repeats', 1);
  const { ds, backend, train, test } = await setup(values as Record<string, string | boolean | undefined>);
  const fed = new Federation({
    train,
    test,
    clients,
    perRound: clients,
    rounds: 1,
    localEpochs,
    batch,
    learningRate: 0.05,
    split: { kind: 'iid' },
    perClient,
    attack: {
      kind: 'none',
      count: 0,
      rate: 0,
      target: 0,
      source: 1,
      boost: 0,
      trigger: parseTrigger(defaultFederatedPart().poison.trigger),
    },
    aggregator: 'fedavg',
    seed: 0,
    testImages: 1,
  });
  const pooled = gather(train, Int32Array.from(fed.parts.flatMap((p) => Array.from(p))).sort());
  const roundTimes: number[] = [];
  const centralTimes: number[] = [];
  try {
    // warm-up of both (kernels compiled, buffers allocated), then alternating timed repeats
    await fed.train(0);
    await fed.localUpdate(pooled, null, 1);
    for (let k = 0; k < repeats; k++) {
      let t = performance.now();
      const { updates, sizes } = await fed.train(k + 1);
      // FedAvg's aggregation and the global step belong to the round
      const total = sizes.reduce((a, b) => a + b, 0);
      const agg = new Float64Array(fed.global.length);
      updates.forEach((u, i) => {
        for (let j = 0; j < u.length; j++) agg[j] += (sizes[i] / total) * u[j];
      });
      roundTimes.push((performance.now() - t) / 1000);
      t = performance.now();
      await fed.localUpdate(pooled, null, k + 2);
      centralTimes.push((performance.now() - t) / 1000);
    }
  } finally {
    fed.dispose();
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const round = median(roundTimes);
  const central = median(centralTimes);
  const out = {
    dataset: ds.id,
    backend,
    clients,
    per_client: perClient,
    images: pooled.n,
    local_epochs: localEpochs,
    batch,
    round_seconds: Number(round.toFixed(3)),
    central_seconds: Number(central.toFixed(3)),
    ratio: Number((round / central).toFixed(3)),
    round_runs: roundTimes.map((t) => Number(t.toFixed(3))),
    central_runs: centralTimes.map((t) => Number(t.toFixed(3))),
  };
  if (values.json) process.stdout.write(JSON.stringify(out) + '\n');
  else {
    console.log(
      `${ds.name}, ${backend}: one round of ${clients} clients x ${perClient} images x ${localEpochs} local epoch(s), batch ${batch}`,
    );
    console.log(`federated round   ${round.toFixed(2)} s  (median of ${repeats}: ${out.round_runs.join(', ')})`);
    console.log(`central training  ${central.toFixed(2)} s  (the same ${pooled.n} images, ${localEpochs} epoch(s), same engine and step)`);
    console.log(`ratio             ${out.ratio}  (target <= 1.25)`);
  }
  tf.disposeVariables();
  return 0;
}

export const benchFlCommand: Command = {
  name: 'bench-fl',
  summary: 'times one federated round against training its images centrally with the same engine (target ratio <= 1.25)',
  flags: [
    { name: 'dataset', value: 'mnist|fashion-mnist', help: 'the data set (default mnist)' },
    { name: 'clients', value: 'k', help: 'clients in the round (default 10)' },
    { name: 'per-client', value: 'k', help: 'images per client (default 600)' },
    { name: 'local-epochs', value: 'k', help: 'local epochs (default 1)' },
    { name: 'local-batch', value: 'k', help: 'minibatch size (default 32)' },
    { name: 'repeats', value: 'k', help: 'timed repeats, the median is reported (default 3)' },
    { name: 'backend', value: 'wasm|cpu', help: 'TensorFlow.js backend in Node (wasm)' },
    { name: 'json', help: 'print one JSON object' },
  ],
  run: runBenchFl,
};
