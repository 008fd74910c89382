import { describe, expect, it } from 'vitest';
import { parse } from '../../../cli/args';
import { experimentFromFlags, FL_OPTIONS, settingsFromFlags } from './fl';

const flags = (args: string[]) => {
  const { values } = parse(args, FL_OPTIONS);
  const v = values as Record<string, unknown>;
  return settingsFromFlags(experimentFromFlags(v));
};

describe('rlab fl flags', () => {
  it('reads the issue example into the simulation settings', () => {
    const s = flags(
      '--clients 10 --per-round 10 --rounds 30 --local-epochs 1 --split dirichlet:0.5 --malicious 1 --attack replacement --boost 10 --target 0 --seed 4'.split(
        ' ',
      ),
    );
    expect(s).toMatchObject({ clients: 10, perRound: 10, rounds: 30, localEpochs: 1, seed: 4, aggregator: 'fedavg' });
    expect(s.split).toEqual({ kind: 'dirichlet', alpha: 0.5 });
    expect(s.attack).toMatchObject({ kind: 'replacement', count: 1, boost: 10, target: 0 });
    expect(s.attack.trigger.size).toBe(4);
    expect(flags(['--fl-attack', 'sybil', '--malicious', '5', '--source', '1', '--target', '7']).attack).toMatchObject({
      kind: 'sybil',
      count: 5,
      source: 1,
      target: 7,
    });
    // no attack: no malicious client
    expect(flags([]).attack.count).toBe(0);
  });

  it('takes the malicious clients by id: their number is the list length, and without a list the first ones', () => {
    const s = flags('--attack backdoor --malicious-clients 7,3'.split(' '));
    expect(s.attack).toMatchObject({ count: 2, ids: [7, 3] });
    const first = flags('--attack backdoor --malicious 3'.split(' ')).attack;
    expect(first.count).toBe(3);
    expect(first.ids).toBeUndefined();
    // an attack-free run ignores the list
    expect(flags('--malicious-clients 4'.split(' ')).attack.count).toBe(0);
  });

  it('gives one-line errors for bad flags and impossible settings', () => {
    const cases: [string, RegExp][] = [
      ['--split noniid', /Bad split "noniid"/],
      // the flag as given (--attack is the slice's --fl-attack)
      ['--attack poison', /^--attack "poison": attack "poison" is not one of none, backdoor/],
      ['--fl-attack poison', /^--fl-attack "poison"/],
      ['--attack backdoor --fl-attack backdoor', /give --attack or --fl-attack, not both/],
      ['--clients 5 --per-round 5 --malicious 6 --attack backdoor', /--malicious 6 is more than --clients 5/],
      ['--clients 5 --per-round 6', /--per-round 6 is more than --clients 5/],
      ['--attack label-flip --source 0 --target 0', /same class/],
      ['--clients x', /--clients "x"/],
      ['--attack backdoor --clients 5 --per-round 5 --malicious-clients 2,5', /names client 5, but the clients are 0 to 4/],
      ['--attack backdoor --malicious-clients 2,2', /client 2 is named twice/],
      ['--attack backdoor --malicious-clients 1;2', /"1;2" is not a client id/],
      ['--test-images=-1', /--test-images "-1"/],
      ['--bogus 1', /bogus/],
    ];
    for (const [args, re] of cases) {
      let msg = '';
      try {
        flags(args.split(' '));
      } catch (e) {
        msg = (e as Error).message;
      }
      expect(msg, args).toMatch(re);
      expect(msg.includes('\n'), args).toBe(false);
    }
  });
});
