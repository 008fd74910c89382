import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../../cli/args';
import { aggregateInput, aggregationFromFlags, readAggregateInput, runAggregate } from './aggregate';

const CLUSTER = {
  updates: [
    [10, 10],
    [1.1, 1],
    [0.9, 1],
    [1, 1],
    [1, 1.1],
    [-10, 5],
    [1, 0.9],
  ],
  sizes: [5, 10, 10, 20, 10, 5, 50],
};
const dir = mkdtempSync(join(tmpdir(), 'rlab-aggregate-'));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

/** Runs the command, returning what it wrote on stdout. */
async function run(args: string[]): Promise<string> {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  await runAggregate(args);
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe('rlab aggregate', () => {
  it('reads its settings from the lab fields; --rule is --aggregator', () => {
    expect(aggregationFromFlags({})).toEqual({
      // the server-privacy options of the part keep their defaults (rlab aggregate takes no flags for them)
      settings: {
        rule: 'fedavg',
        f: 1,
        trim: 0.1,
        clip: 0,
        noise: 0,
        keep: 0,
        kappa: 1,
        secagg: false,
        secaggDropouts: 0,
        secaggRange: 1,
        dpNoise: 0,
        dpClip: 1,
        dpDelta: 1e-5,
      },
      seed: 0,
    });
    const { settings, seed } = aggregationFromFlags({ rule: 'multikrum', f: '2', keep: '3', seed: '9' });
    expect(settings).toMatchObject({ rule: 'multikrum', f: 2, keep: 3 });
    expect(seed).toBe(9);
    expect(aggregationFromFlags({ aggregator: 'bulyan' }).settings.rule).toBe('bulyan');
  });

  it('one-line errors for bad flags', () => {
    expect(() => aggregationFromFlags({ rule: 'nope' })).toThrow(/--rule "nope": aggregator "nope" is not one of fedavg, krum/);
    expect(() => aggregationFromFlags({ f: '-1' })).toThrow(/--f "-1": f -1 is outside 0..48/);
    expect(() => aggregationFromFlags({ trim: '0.6' })).toThrow(/--trim "0.6"/);
    expect(() => aggregationFromFlags({ rule: 'krum', aggregator: 'median' })).toThrow(/disagree/);
    expect(() => aggregationFromFlags({ seed: 'x' })).toThrow(/--seed "x"/);
    return expect(run(['--input', 'x.json', '--bogus', '1'])).rejects.toThrow(/Unknown option '--bogus'/);
  });

  it('one-line errors for a bad file, mismatched lengths, an f Krum cannot tolerate', async () => {
    expect(() => readAggregateInput('{"updates": [[1, 2]', 'u.json')).toThrow(UsageError);
    expect(() => readAggregateInput('{"updates": [[1, 2]', 'u.json')).toThrow(/^u.json is not valid JSON/);
    expect(() => readAggregateInput('[1]', 'u.json')).toThrow(/expected an object/);
    expect(() => readAggregateInput('{"update": [[1]]}', 'u.json')).toThrow(/unknown key "update"/);
    expect(() => readAggregateInput('{"updates": [[1, null]]}', 'u.json')).toThrow(/updates\[0\]\[1\] is not a number \(null\)/);
    expect(() => readAggregateInput('{"updates": [[1e39]]}', 'u.json')).toThrow(/float32 range/);
    const settings = aggregationFromFlags({ rule: 'krum', f: '2' }).settings;
    const mismatched = readAggregateInput('{"updates": [[1, 2], [3]]}', 'u.json');
    expect(() => aggregateInput(mismatched, settings, 0)).toThrow(/different lengths/);
    const five = readAggregateInput(JSON.stringify({ updates: [[0], [1], [2], [3], [4]] }), 'u.json');
    expect(() => aggregateInput(five, settings, 0)).toThrow(UsageError);
    expect(() => aggregateInput(five, settings, 0)).toThrow(/Krum needs n > 2f \+ 2: 5 updates cannot tolerate f = 2 \(at most f = 1\)/);
    await expect(run(['--input', join(dir, 'missing.json'), '--json'])).rejects.toThrow(/cannot read .*missing.json \(ENOENT\)/);
    await expect(run(['--rule', 'krum', '--json'])).rejects.toThrow(/needs --input/);
  });

  it('prints the aggregate, weights, selection and scores as one JSON object', async () => {
    const p = file('cluster.json', JSON.stringify(CLUSTER));
    const krum = JSON.parse(await run(['--rule', 'krum', '--f', '2', '--input', p, '--json']));
    expect(krum.aggregate).toEqual([1, 1]);
    expect(krum.selected).toEqual([3]);
    expect(krum.weights).toEqual([0, 0, 0, 1, 0, 0, 0]);
    expect(krum.scores).toHaveLength(7);
    const mk = JSON.parse(await run(['--aggregator', 'multikrum', '--f', '2', '--input', p, '--json']));
    expect(mk.selected).toEqual([3, 1, 2, 4, 6]);
    expect(mk.aggregate[1]).toBeCloseTo(0.96, 6);
    const fedavg = JSON.parse(await run(['--input', p, '--json']));
    expect(Object.keys(fedavg)).toEqual(['aggregate', 'weights']);
  });

  it("norm clipping's noise is reproducible for a seed and differs between seeds", async () => {
    const p = file(
      'clip.json',
      JSON.stringify({
        updates: [
          [3, 4],
          [0.3, 0.4],
        ],
      }),
    );
    const at = async (seed: string) =>
      JSON.parse(await run(['--rule', 'norm-clip', '--noise', '0.1', '--seed', seed, '--input', p, '--json'])).aggregate;
    const a = await at('1');
    expect(await at('1')).toEqual(a);
    expect(await at('2')).not.toEqual(a);
  });
});
