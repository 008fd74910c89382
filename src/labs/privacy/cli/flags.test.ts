/**
 * rlab dlg, mia and secagg-bench build their flags and --help from field tables (the privacy slice's
 * leakage and MIA fields; secagg-bench's CLI-only table): the flag names they had keep working, unknown
 * flags are refused, and the help lists every field with its range and default.
 */
import { describe, expect, it } from 'vitest';
import { parse } from '../../../cli/args';
import { commandHelp } from '../../../cli/command';
import { fieldOptions } from '../../../cli/field-flags';
import { LEAK_FIELDS, defaultLeak } from '../experiment/leak';
import { MIA_FIELDS, defaultMia } from '../experiment/mia';
import { MIA_ALIASES, MIA_OPTIONS, miaCommand, miaConfigFromFlags, runMia } from './mia';
import { PRIVACY_SLICE } from '../experiment';
import { dlgCommand, LEAK_ALIASES, leakFromFlags, runDlg } from './dlg';
import { defaultSecaggBench, runSecaggBench, SECAGG_BENCH_FIELDS, secaggBenchCommand, secaggBenchFromFlags } from './secagg-bench';

const dlgValues = (args: string) => parse(args.split(' '), { ...fieldOptions(LEAK_FIELDS, LEAK_ALIASES) }).values;

describe('rlab dlg flags: the privacy slice leakage fields', () => {
  it('the short names and the slice names of every field set the same settings', () => {
    const short = leakFromFlags(
      dlgValues(
        '--method ig --index 7 --batch 4 --iterations 50 --noise 0.01 --prune 0.3 --clip 2 --tv 0.2 --restarts 2 --tolerances none --seed 3',
      ),
    );
    const long = leakFromFlags(
      dlgValues(
        '--leak-method ig --leak-index 7 --leak-batch 4 --leak-iterations 50 --leak-noise 0.01 --leak-prune 0.3 --leak-clip 2 --leak-tv 0.2 --leak-restarts 2 --leak-tolerances none --leak-seed 3',
      ),
    );
    expect(short).toEqual({
      method: 'ig',
      index: 7,
      batch: 4,
      iterations: 50,
      noise: 0.01,
      prune: 0.3,
      clip: 2,
      tv: 0.2,
      restarts: 2,
      tolerances: 'none',
      seed: 3,
    });
    expect(long).toEqual(short);
    expect(leakFromFlags({})).toEqual(defaultLeak());
    expect(Object.keys(LEAK_ALIASES).sort()).toEqual([
      'batch',
      'clip',
      'index',
      'iterations',
      'method',
      'noise',
      'prune',
      'restarts',
      'seed',
      'tolerances',
      'tv',
    ]);
  });

  it('refuses bad values with the flag named, both names at once, and unknown flags', async () => {
    expect(() => leakFromFlags(dlgValues('--batch 17'))).toThrow('--batch "17": batch size 17 is outside 1..16');
    expect(() => leakFromFlags(dlgValues('--leak-method svd'))).toThrow(/--leak-method "svd": .* not one of dlg, idlg, ig/);
    expect(() => leakFromFlags(dlgValues('--seed 1 --leak-seed 2'))).toThrow('give --seed or --leak-seed, not both');
    await expect(runDlg(['--mthod', 'dlg'])).rejects.toThrow("Unknown option '--mthod'");
  });

  it('--help: every leakage field under its short name, with its range, default, slice flag and link key', () => {
    const help = commandHelp(dlgCommand);
    for (const f of LEAK_FIELDS) {
      const short = f.cli.replace(/^leak-/, '');
      expect(help).toMatch(new RegExp(`--${short} <[^>]+>\\s+${(f.help ?? f.label).slice(0, 20).replace(/[()]/g, '\\$&')}`));
      expect(help).toContain(`also --${f.cli}; ${PRIVACY_SLICE.prefix}.${f.url} in links`);
    }
    expect(help).toContain('--batch <1..16>');
    expect(help).toContain('(default 300; also --leak-iterations');
  });
});

describe('rlab secagg-bench flags: its CLI-only field table', () => {
  it('defaults as before: 1024 clients, 2^20 dims, 16 input bits, a real run of min(clients, 16) clients at --dim', () => {
    expect(secaggBenchFromFlags({})).toEqual({ clients: 1024, dim: 2 ** 20, inputBits: 16, runClients: 16, runDim: 2 ** 20, dropouts: 0 });
    expect(secaggBenchFromFlags({ clients: '8', dim: '100' })).toMatchObject({ runClients: 8, runDim: 100 });
    expect(
      secaggBenchFromFlags({ clients: '64', dim: '1000', 'input-bits': '8', 'run-clients': '10', 'run-dim': '50', dropouts: '3' }),
    ).toEqual({ clients: 64, dim: 1000, inputBits: 8, runClients: 10, runDim: 50, dropouts: 3 });
    expect(defaultSecaggBench()).toEqual(secaggBenchFromFlags({}));
  });

  it('refuses what it refused: fewer than 2 clients, 33 input bits, more than 255 run clients, more dropouts than n - t', async () => {
    expect(() => secaggBenchFromFlags({ clients: '1' })).toThrow(/--clients "1"/);
    expect(() => secaggBenchFromFlags({ 'input-bits': '33' })).toThrow(/--input-bits "33"/);
    expect(() => secaggBenchFromFlags({ 'run-clients': '256' })).toThrow(/--run-clients "256"/);
    expect(() => secaggBenchFromFlags({ 'run-clients': '2' })).toThrow(/--run-clients "2"/);
    // 10 clients: threshold 7, so at most 3 may drop
    expect(secaggBenchFromFlags({ 'run-clients': '10', dropouts: '3' }).dropouts).toBe(3);
    expect(() => secaggBenchFromFlags({ 'run-clients': '10', dropouts: '4' })).toThrow(
      '--dropouts "4": dropouts (at most n - t) 4 is outside 0..3',
    );
    await expect(runSecaggBench(['--clint', '4'])).rejects.toThrow("Unknown option '--clint'");
  });

  it('--help lists every field of the table', () => {
    const help = commandHelp(secaggBenchCommand);
    for (const f of SECAGG_BENCH_FIELDS) expect(help).toContain(`--${f.cli} <`);
    expect(help).toContain('--input-bits <1..32>');
    expect(help).toMatch(/--clients <2\.\.\d+>\s+clients for the accounting \(default 1024\)/);
    expect(help).toContain('--json');
  });
});

describe('rlab mia flags: the privacy slice MIA fields', () => {
  const values = (args: string) => parse(args.split(' '), MIA_OPTIONS).values as Record<string, string | boolean | undefined>;

  it('the names it had and the slice names set the same run; absent ones are the slice defaults', () => {
    const short = miaConfigFromFlags(
      values('--pool 200 --shadows 4 --seed 3 --arch lenet-sigmoid --epochs 2 --batch 16 --lr 0.01 --holdout 50'),
    );
    const long = miaConfigFromFlags(
      values(
        '--mia-pool 200 --mia-shadows 4 --mia-seed 3 --mia-arch lenet-sigmoid --mia-epochs 2 --mia-batch 16 --mia-lr 0.01 --mia-holdout 50',
      ),
    );
    expect(short.cfg).toEqual({
      dataset: 'fashion-mnist',
      pool: 200,
      shadows: 4,
      seed: 3,
      training: { architecture: 'lenet-sigmoid', epochs: 2, batchSize: 16, learningRate: 0.01 },
      holdout: 50,
    });
    expect(long.cfg).toEqual(short.cfg);
    const d = defaultMia();
    expect(miaConfigFromFlags({}).cfg).toEqual({
      dataset: d.dataset,
      pool: d.pool,
      shadows: d.shadows,
      seed: d.seed,
      training: { architecture: d.architecture, epochs: d.epochs, batchSize: d.batchSize, learningRate: d.learningRate },
      holdout: d.holdout,
    });
    expect(miaConfigFromFlags(values('--dp 1.0,1.0 --attack loss'))).toMatchObject({
      cfg: { dp: { sigma: 1, clip: 1 } },
      attacks: ['loss'],
    });
    // the slice's fields (the panel's, pv.mdpz / pv.mdpc in links) say the same; --dp is their short form
    expect(miaConfigFromFlags(values('--dp-noise 0.8 --dp-clip 2')).cfg.dp).toEqual({ sigma: 0.8, clip: 2 });
    expect(miaConfigFromFlags(values('--mia-dp-noise 0.8')).cfg.dp).toEqual({ sigma: 0.8, clip: 1 });
    expect(miaConfigFromFlags(values('--dp-noise 0.8 --dp 1.2,3')).cfg.dp).toEqual({ sigma: 1.2, clip: 3 });
    expect(miaConfigFromFlags(values('--dp-clip 2')).cfg.dp).toBeUndefined();
  });

  it('refuses what the slice refuses, both names at once, and unknown flags', async () => {
    expect(() => miaConfigFromFlags(values('--pool 10'))).toThrow('--pool "10": ');
    expect(() => miaConfigFromFlags(values('--shadows 2'))).toThrow(/--shadows "2"/);
    expect(() => miaConfigFromFlags(values('--arch resnet'))).toThrow(/--arch "resnet": .*not one of cnn-small/);
    expect(() => miaConfigFromFlags(values('--seed 1 --mia-seed 1'))).toThrow('give --seed or --mia-seed, not both');
    await expect(runMia(['--pol', '10'])).rejects.toThrow("Unknown option '--pol'");
  });

  it('--help: every MIA field under the name it had', () => {
    const help = commandHelp(miaCommand);
    expect(Object.keys(MIA_ALIASES).sort()).toEqual([
      'arch',
      'batch',
      'dp-clip',
      'dp-noise',
      'epochs',
      'holdout',
      'lr',
      'pool',
      'seed',
      'shadows',
    ]);
    for (const f of MIA_FIELDS) expect(help).toContain(`also --${f.cli}; ${PRIVACY_SLICE.prefix}.${f.url} in links`);
    expect(help).toMatch(/--shadows <3\.\.256>\s+shadow models \(default 16/);
  });
});
