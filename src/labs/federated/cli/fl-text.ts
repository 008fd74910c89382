/**
 * rlab fl --dataset spam (or spam-assassin): the federated spam filter (text-simulation.ts) with the
 * same flags and the same JSON shape as the image runs, plus --trigger-words / --trigger-position and,
 * per round, clean_miss_rate beside attack_success_rate. Defaults that differ for the text set when the
 * flag is absent: --split mailboxes (each client the mail of whole sender domains) and --per-client 0
 * (the whole training split dealt out: 4,837 mails); --test-images counts held-out mails.
 */
import * as tf from '@tensorflow/tfjs';
import { SPAM_ASSASSIN } from '../../../core/data/text';
import { initNodeBackend, type NodeBackend } from '../../../core/engine/node-backend';
import { UsageError } from '../../../cli/args';
import { loadNodeTextSet } from '../../../cli/commands/train-text';
import type { FederatedExperiment } from '../experiment';
import { textSimulationSettings } from '../fl-settings';
import { runTextSimulation, textFeatures, type TextRoundReport, type TextSplitSpec } from '../text-simulation';
import { splitText } from '../algorithms/split';
import { roundJson } from './round-json';
import { maliciousIds } from '../algorithms/malicious-clients';

export const TEXT_DATASETS = ['spam', 'spam-assassin'];

const splitName = (s: TextSplitSpec) => (s.kind === 'mailboxes' ? 'mailboxes' : splitText(s));

const textRoundJson = (r: TextRoundReport) => ({ ...roundJson(r), clean_miss_rate: r.cleanMissRate });

/** The text run of `rlab fl` from its flags `v` and the experiment they describe (fl.ts's experimentFromFlags). */
export async function runTextFl(v: Record<string, string | boolean | undefined>, e: FederatedExperiment): Promise<number> {
  let settings;
  try {
    settings = textSimulationSettings(e, {
      split: v.split === undefined ? 'mailboxes' : undefined,
      perClient: v['per-client'] === undefined ? 0 : undefined,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (v.backend !== 'wasm' && v.backend !== 'cpu')
    throw new UsageError(`--backend ${String(v.backend)} is not available in Node (wasm, cpu)`);
  const backend = await initNodeBackend(v.backend as NodeBackend);
  const { train, test } = await loadNodeTextSet();
  const json = v.json === true;
  const t0 = performance.now();
  let out: {
    config: Record<string, unknown>;
    dataset: string;
    backend: string;
    sizes: number[];
    histograms: number[][];
    malicious: number[];
    boost: number;
    rounds: ReturnType<typeof textRoundJson>[];
    clean_accuracy: number;
    attack_success_rate: number | null;
    clean_miss_rate: number | null;
    hashing_seconds: number;
    seconds: number;
  };
  try {
    const cfg = { ...settings, train, test };
    const features = textFeatures(cfg);
    const hashing = (performance.now() - t0) / 1000;
    if (!json) console.log(`hashed ${train.n + test.n} mails (and the poisoned and triggered copies) in ${hashing.toFixed(1)} s`);
    const res = await runTextSimulation(
      { ...cfg, features },
      {
        onRound: json
          ? undefined
          : (r) => {
              const t = r as TextRoundReport;
              console.log(
                `round ${String(t.round).padStart(3)}  clean ${(100 * t.cleanAccuracy).toFixed(2)}%` +
                  (t.attackSuccessRate === null
                    ? ''
                    : `  ASR ${(100 * t.attackSuccessRate).toFixed(2)}% (clean miss ${(100 * t.cleanMissRate!).toFixed(2)}%)`) +
                  `  norms ${t.updateNorms.map((n) => n.toFixed(2)).join(' ')}` +
                  (t.weights ? `  weights ${t.weights.map((w) => w.toFixed(3)).join(' ')}` : '') +
                  `  ${t.seconds.toFixed(1)} s`,
              );
            },
      },
    );
    out = {
      config: {
        dataset: SPAM_ASSASSIN.id,
        clients: settings.clients,
        per_round: settings.perRound,
        rounds: settings.rounds,
        local_epochs: settings.localEpochs,
        local_batch: settings.batch,
        local_lr: settings.learningRate,
        split: splitName(settings.split),
        per_client: settings.perClient,
        attack: settings.attack.kind,
        malicious: settings.attack.count,
        malicious_clients: maliciousIds(settings.attack),
        rate: settings.attack.rate,
        boost: res.boost,
        trigger_words: settings.attack.trigger.words,
        trigger_position: settings.attack.trigger.position,
        aggregator: settings.aggregator,
        params: settings.params,
        secagg: settings.secagg ?? null,
        dp: settings.dp ?? null,
        seed: settings.seed,
        test_mails: settings.testMails || test.n,
        architecture: 'bow-mlp',
      },
      dataset: SPAM_ASSASSIN.id,
      backend,
      sizes: res.sizes,
      histograms: res.histograms,
      malicious: res.malicious,
      boost: res.boost,
      rounds: res.rounds.map(textRoundJson),
      clean_accuracy: res.cleanAccuracy,
      attack_success_rate: res.attackSuccessRate,
      clean_miss_rate: res.cleanMissRate,
      hashing_seconds: Number(hashing.toFixed(3)),
      seconds: Number(((performance.now() - t0) / 1000).toFixed(3)),
    };
  } catch (err) {
    if (!(err instanceof Error) || err instanceof UsageError || /cancelled/.test(err.message)) throw err;
    if (
      /unknown aggregator|malicious clients of|clients per round|dirichlet:|mails need|need at least|images need|Bad trigger|Krum|tolerate|clients x/.test(
        err.message,
      )
    )
      throw new UsageError(err.message);
    throw err;
  }
  if (json) process.stdout.write(JSON.stringify(out) + '\n');
  else
    console.log(
      `SpamAssassin, ${settings.clients} clients (${settings.perRound} per round), ${splitName(settings.split)}, ${settings.attack.kind}` +
        ` x${settings.attack.count}, ${settings.aggregator}, seed ${settings.seed}: clean ${(100 * out.clean_accuracy).toFixed(2)}%` +
        (out.attack_success_rate === null
          ? ''
          : `, ASR ${(100 * out.attack_success_rate).toFixed(2)}% (clean miss ${(100 * out.clean_miss_rate!).toFixed(2)}%)`) +
        `, ${out.seconds.toFixed(1)} s (${backend})`,
    );
  tf.disposeVariables();
  return 0;
}
