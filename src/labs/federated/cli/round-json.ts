/**
 * One round of `rlab fl --json`, for the image and the text runs alike (the text run adds
 * clean_miss_rate): the round report of rounds.ts in snake case.
 */
import type { RoundReport } from '../rounds';

/** One round in `rlab fl --json`. */
export interface FlRoundJson {
  round: number;
  clean_accuracy: number;
  attack_success_rate: number | null;
  update_norms: number[];
  weights: number[] | null;
  selected: number[] | null;
  clients: number[];
  malicious: boolean[];
  aggregate_norm: number;
  seconds: number;
  /** Secure aggregation's round (--secagg): who was included or dropped, the abort, bytes per client. */
  secagg?: {
    threshold: number;
    included: number[];
    dropped: { client: number; stage: string }[];
    aborted: string | null;
    bytes_sent: number;
    bytes_received: number;
    clear_bytes: number;
    clipped: number;
    seconds: number;
  };
  /** DP-FedAvg's round (--dp-noise > 0). */
  dp?: { sampled: number; q: number; noise_std: number; clipped: number; epsilon: number; delta: number };
}

const round4 = (v: number) => Number(v.toFixed(4));

/** A round report as `rlab fl --json` writes it (snake case, norms to 4 places). */
export function roundJson(r: RoundReport): FlRoundJson {
  return {
    round: r.round,
    clean_accuracy: r.cleanAccuracy,
    attack_success_rate: r.attackSuccessRate,
    update_norms: r.updateNorms.map(round4),
    weights: r.weights && r.weights.map((w) => Number(w.toFixed(6))),
    selected: r.selected,
    clients: r.clients,
    malicious: r.malicious,
    aggregate_norm: round4(r.aggregateNorm),
    seconds: Number(r.seconds.toFixed(3)),
    ...(r.secagg
      ? {
          secagg: {
            threshold: r.secagg.threshold,
            included: r.secagg.included,
            dropped: r.secagg.dropped,
            aborted: r.secagg.aborted,
            bytes_sent: Math.round(r.secagg.bytesSent),
            bytes_received: Math.round(r.secagg.bytesReceived),
            clear_bytes: r.secagg.clearBytes,
            clipped: r.secagg.clipped,
            seconds: Number(r.secagg.seconds.toFixed(3)),
          },
        }
      : {}),
    ...(r.dp
      ? {
          dp: {
            sampled: r.dp.sampled,
            q: r.dp.q,
            noise_std: r.dp.noiseStd,
            clipped: r.dp.clipped,
            epsilon: r.dp.epsilon,
            delta: r.dp.delta,
          },
        }
      : {}),
  };
}
