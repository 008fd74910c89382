import { describe, expect, it } from 'vitest';
import { parse } from '../../../cli/args';
import { textSimulationSettings } from '../fl-settings';
import { experimentFromFlags, FL_OPTIONS, settingsFromFlags } from './fl';

const experiment = (args: string[]) => {
  const { values } = parse(args, FL_OPTIONS);
  return experimentFromFlags(values as Record<string, unknown>);
};
const message = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
};

describe('rlab fl --dataset spam flags', () => {
  it('reads the split, the attack and the trigger words into the text run settings', () => {
    const s = textSimulationSettings(
      experiment(
        '--clients 8 --per-round 4 --split mailboxes --attack replacement --malicious 2 --rate 0.5 --boost 8 --aggregator foolsgold --seed 5'
          .split(' ')
          .concat(['--trigger-words', '  Harvest   moon ledger ', '--trigger-position', 'end']),
      ),
    );
    expect(s).toMatchObject({ clients: 8, perRound: 4, seed: 5, aggregator: 'foolsgold', split: { kind: 'mailboxes' } });
    expect(s.attack).toEqual({
      kind: 'replacement',
      count: 2,
      rate: 0.5,
      boost: 8,
      trigger: { words: 'Harvest moon ledger', position: 'end' },
    });
    // the defaults: an unusual word pair at a random place
    expect(textSimulationSettings(experiment(['--attack', 'backdoor'])).attack.trigger).toEqual({
      words: 'harvest moon',
      position: 'random',
    });
    expect(textSimulationSettings(experiment(['--split', 'dirichlet:0.3'])).split).toEqual({ kind: 'dirichlet', alpha: 0.3 });
  });

  it('gives one-line errors: image attacks, bad trigger words, mailboxes for images', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => textSimulationSettings(experiment(['--attack', 'label-flip'])), /label-flip is an image attack/],
      [() => textSimulationSettings(experiment(['--attack', 'sybil', '--malicious', '3'])), /sybil is an image attack/],
      [() => experiment(['--trigger-words', '!!!']), /--trigger-words "!!!".*at least one word/],
      [() => experiment(['--trigger-position', 'middle']), /--trigger-position "middle"/],
      [() => settingsFromFlags(experiment(['--split', 'mailboxes'])), /mailboxes is the spam set's split/],
    ];
    for (const [f, re] of cases) {
      const msg = message(f);
      expect(msg).toMatch(re);
      expect(msg.includes('\n')).toBe(false);
    }
  });
});
