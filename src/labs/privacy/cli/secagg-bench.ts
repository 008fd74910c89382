/**
 * rlab secagg-bench: the communication of secure aggregation (algorithms/secagg) per client against an
 * unmasked update. Prints (1) the paper's accounting at --clients x --dim (Bonawitz et al. 2017: 2n a_K
 * + (5n - 4) a_S + m (b + log2 n) bits against m b, a_K = a_S = 256, b = --input-bits: 1.73x for 2^10
 * users and 2^20 dimensions), (2) our protocol's bytes at that size from its message sizes, and (3) a
 * real run of the protocol (--run-clients, at most 255: the Shamir library's cap) at --run-dim whose
 * counted bytes are checked against (2) and timed.
 */
import { isNonNegInt, isPosInt, num, parse } from '../../../cli/args';
import type { Command } from '../../../cli/command';
import { Rng } from '../../../core/random';
import {
  defaultThreshold,
  ourAccounting,
  paperAccounting,
  SEALED_PAIR_BYTES,
  secureAggregate,
  type DropStage,
} from '../algorithms/secagg/index';

export async function runSecaggBench(args: string[]): Promise<number> {
  const { values } = parse(args, {
    clients: { type: 'string', default: '1024' },
    dim: { type: 'string', default: '1048576' },
    'input-bits': { type: 'string', default: '16' },
    'run-clients': { type: 'string' },
    'run-dim': { type: 'string' },
    dropouts: { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
  });
  const n = num(values.clients, 'clients', 1024, (v) => isPosInt(v) && v >= 2, 'a whole number >= 2');
  const m = num(values.dim, 'dim', 2 ** 20, isPosInt, 'a whole number >= 1');
  const bits = num(values['input-bits'], 'input-bits', 16, (v) => isPosInt(v) && v <= 32, 'a whole number from 1 to 32');
  const runN = num(
    values['run-clients'],
    'run-clients',
    Math.min(n, 16),
    (v) => isPosInt(v) && v >= 3 && v <= 255,
    'a whole number from 3 to 255',
  );
  const runM = num(values['run-dim'], 'run-dim', m, isPosInt, 'a whole number >= 1');
  const t = defaultThreshold(runN);
  const drops = num(values.dropouts, 'dropouts', 0, (v) => isNonNegInt(v) && v <= runN - t, `a whole number from 0 to ${runN - t} (n - t)`);
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
  flags: [
    { name: 'clients', value: 'n', help: 'clients for the accounting (default 1024)' },
    { name: 'dim', value: 'm', help: 'vector length (default 1048576)' },
    { name: 'input-bits', value: 'b', help: "the paper's cleartext input bits (default 16)" },
    { name: 'run-clients', value: 'n', help: 'clients of the real run, 3 to 255 (default min(clients, 16))' },
    { name: 'run-dim', value: 'm', help: 'vector length of the real run (default --dim)' },
    { name: 'dropouts', value: 'k', help: 'clients of the real run dropping after their shares (default 0)' },
    { name: 'json', help: 'print one JSON object' },
  ],
  notes: ['Bytes count both directions, as the paper does; the real run checks its sum against the plain sum.'],
  run: runSecaggBench,
};
