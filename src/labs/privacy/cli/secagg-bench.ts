/**
 * rlab secagg-bench: the communication of secure aggregation (algorithms/secagg) per client against an
 * unmasked update. Prints (1) the paper's accounting at --clients x --dim (Bonawitz et al. 2017: 2n a_K
 * + (5n - 4) a_S + m (b + log2 n) bits against m b, a_K = a_S = 256, b = --input-bits: 1.73x for 2^10
 * users and 2^20 dimensions), (2) our protocol's bytes at that size from its message sizes, and (3) a
 * real run of the protocol (--run-clients, at most 255: the Shamir library's cap) at --run-dim whose
 * counted bytes are checked against (2) and timed.
 *
 * Its settings are not in links (a benchmark, not a lab setting): its flags, their parsing and their
 * help come from the CLI-only field table SECAGG_BENCH_FIELDS, through src/cli/field-flags.ts as the
 * slice-backed commands' do.
 */
import { parse } from '../../../cli/args';
import type { Command } from '../../../cli/command';
import { fieldFlags, fieldOptions, readFieldFlags, type CliField } from '../../../cli/field-flags';
import { Rng } from '../../../core/random';
import {
  defaultThreshold,
  ourAccounting,
  paperAccounting,
  SEALED_PAIR_BYTES,
  secureAggregate,
  type DropStage,
} from '../algorithms/secagg/index';

/** The benchmark's settings (`rlab secagg-bench` only). */
export interface SecaggBenchSettings {
  /** Clients and vector length of the accounting. */
  clients: number;
  dim: number;
  /** The paper's cleartext input bits b. */
  inputBits: number;
  /** Clients and vector length of the real run. */
  runClients: number;
  runDim: number;
  /** Clients of the real run that drop after their shares. */
  dropouts: number;
}

/** Largest vector length and client count the accounting takes (2^31 - 1: sizes stay exact integers). */
const MAX_SIZE = 2 ** 31 - 1;

/** The CLI-only field table of `rlab secagg-bench`, in reading order (run-clients follows clients, dropouts follow run-clients). */
export const SECAGG_BENCH_FIELDS: readonly CliField<SecaggBenchSettings>[] = [
  {
    path: 'clients',
    cli: 'clients',
    type: { kind: 'int', min: 2, max: MAX_SIZE },
    label: 'clients',
    help: 'clients for the accounting',
    default: 1024,
  },
  {
    path: 'dim',
    cli: 'dim',
    type: { kind: 'int', min: 1, max: MAX_SIZE },
    label: 'vector length',
    help: 'vector length',
    default: 2 ** 20,
  },
  {
    path: 'inputBits',
    cli: 'input-bits',
    type: { kind: 'int', min: 1, max: 32 },
    label: 'input bits',
    help: "the paper's cleartext input bits",
    default: 16,
  },
  {
    path: 'runClients',
    cli: 'run-clients',
    // 255: the Shamir library's cap on shares
    type: { kind: 'int', min: 3, max: 255 },
    label: 'clients of the real run',
    help: 'clients of the real run (default min(--clients, 16))',
    default: 16,
    defaultFor: (s) => Math.min(s.clients, 16),
  },
  {
    path: 'runDim',
    cli: 'run-dim',
    type: { kind: 'int', min: 1, max: MAX_SIZE },
    label: 'vector length of the real run',
    help: 'vector length of the real run (default --dim)',
    default: 2 ** 20,
    defaultFor: (s) => s.dim,
  },
  {
    path: 'dropouts',
    cli: 'dropouts',
    // at most n - t clients may drop for the sum to be recovered
    type: { kind: 'int', min: 0, max: (s) => s.runClients - defaultThreshold(s.runClients) },
    label: 'dropouts (at most n - t)',
    help: 'clients of the real run dropping after their shares, at most n - t (the range shown is at 16 clients)',
    default: 0,
  },
];

export const defaultSecaggBench = (): SecaggBenchSettings => ({
  clients: 1024,
  dim: 2 ** 20,
  inputBits: 16,
  runClients: 16,
  runDim: 2 ** 20,
  dropouts: 0,
});

/** The settings from the flags (the table's defaults where absent); one-line usage errors. */
export function secaggBenchFromFlags(values: Readonly<Record<string, unknown>>): SecaggBenchSettings {
  return readFieldFlags(SECAGG_BENCH_FIELDS, values, defaultSecaggBench());
}

export async function runSecaggBench(args: string[]): Promise<number> {
  const { values } = parse(args, { ...fieldOptions(SECAGG_BENCH_FIELDS), json: { type: 'boolean', default: false } });
  const { clients: n, dim: m, inputBits: bits, runClients: runN, runDim: runM, dropouts: drops } = secaggBenchFromFlags(values);
  const t = defaultThreshold(runN);
  const paper = paperAccounting(n, m, bits);
  const ours = ourAccounting(n, m);
  // a real run: structured inputs, the last `drops` clients drop after their shares (masks rebuilt)
  const rng = new Rng(0);
  const inputs = Array.from({ length: runN }, () => Uint32Array.from({ length: runM }, () => Math.floor(rng.next() * 2 ** 16)));
  const dropouts = new Map<number, DropStage>(Array.from({ length: drops }, (_, k) => [runN - 1 - k, 'shares'] as [number, DropStage]));
  const t0 = performance.now();
  const res = await secureAggregate(inputs, { threshold: t, dropouts });
  const seconds = (performance.now() - t0) / 1000;
  const expect = new Uint32Array(runM);
  for (const u of res.included) for (let j = 0; j < runM; j++) expect[j] = (expect[j] + inputs[u][j]) >>> 0;
  const exact = res.sum.every((v, j) => v === expect[j]);
  if (!exact) throw new Error('the secure sum differs from the plain sum');
  const predicted = ourAccounting(runN, runM);
  const c0 = res.bytes[0];
  const out = {
    clients: n,
    dim: m,
    paper: {
      input_bits: bits,
      ring_bits: paper.ringBits,
      client_bits: paper.bits,
      clear_bits: paper.clearBits,
      expansion: Number(paper.expansion.toFixed(4)),
    },
    ours: {
      ring_bits: 32,
      sent_bytes: ours.sent,
      received_bytes: ours.received,
      clear_bytes: ours.clear,
      expansion: Number(ours.expansion.toFixed(4)),
      upload_expansion: Number(ours.uploadExpansion.toFixed(4)),
    },
    run: {
      clients: runN,
      dim: runM,
      threshold: t,
      dropouts: drops,
      exact,
      seconds: Number(seconds.toFixed(3)),
      client0: c0,
      predicted_sent: drops === 0 ? predicted.sent : null,
      predicted_received: drops === 0 ? predicted.received : null,
      expansion: Number(((c0.sent + c0.received) / (4 * runM)).toFixed(4)),
    },
  };
  if (drops === 0 && (c0.sent !== predicted.sent || c0.received !== predicted.received))
    throw new Error(`counted bytes ${c0.sent}/${c0.received} differ from the accounting ${predicted.sent}/${predicted.received}`);
  if (values.json) {
    process.stdout.write(JSON.stringify(out) + '\n');
    return 0;
  }
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(3)} MiB`;
  console.log(`secure aggregation, ${n} clients, ${m}-dimensional vectors`);
  console.log(
    `paper's accounting (a_K = a_S = 256 bits, ${bits}-bit inputs, ring of ${paper.ringBits} bits, both directions): ` +
      `${mb(paper.bits / 8)} per client against ${mb(paper.clearBits / 8)} in the clear: ${paper.expansion.toFixed(3)}x`,
  );
  console.log(
    `ours (P-256 keys of 65 B, sealed share pairs of ${SEALED_PAIR_BYTES} B, Z_2^32): sent ${mb(ours.sent)}, ` +
      `received ${mb(ours.received)} against a float32 update of ${mb(ours.clear)}: ${ours.expansion.toFixed(3)}x (upload alone ${ours.uploadExpansion.toFixed(3)}x)`,
  );
  console.log(
    `real run: ${runN} clients x ${runM} dims, t = ${t}, ${drops} dropout(s): sum exact, ${seconds.toFixed(2)} s; client 0 sent ${c0.sent} B ` +
      `(keys ${c0.keys}, shares ${c0.shares}, masked ${c0.masked}, unmask ${c0.unmask}), received ${c0.received} B: ${out.run.expansion}x` +
      (drops === 0 ? ' (= the accounting)' : ''),
  );
  return 0;
}

export const secaggBenchCommand: Command = {
  name: 'secagg-bench',
  summary: "secure aggregation's bytes per client against an unmasked update: the paper's accounting, ours, and a real run",
  flags: [...fieldFlags(SECAGG_BENCH_FIELDS, defaultSecaggBench()), { name: 'json', help: 'print one JSON object' }],
  notes: ['Bytes count both directions, as the paper does; the real run checks its sum against the plain sum.'],
  run: runSecaggBench,
};
