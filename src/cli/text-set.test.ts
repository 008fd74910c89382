import { describe, expect, it } from 'vitest';
import { MAIL_GROUPS, SPAM_ASSASSIN, TEXT_SPLIT } from '../core/data/text';
import { loadNodeTextSet } from './commands/train-text';

// the real corpus (prepared by `npm run prepare-data`, 3.9 MB gzip'd): decoding and splitting take about a second
describe('the prepared SpamAssassin set', () => {
  it('holds the 6,046 mails of the package, 1,896 spam, split 4,837 / 1,209 with 20% of every group held out', async () => {
    const { train, test } = await loadNodeTextSet();
    expect([train.n, test.n]).toEqual([SPAM_ASSASSIN.sizes.train, SPAM_ASSASSIN.sizes.test]);
    const all = [...train.mails, ...test.mails];
    const count = (g: string) => all.filter((m) => m.group === g).length;
    expect(MAIL_GROUPS.map(count)).toEqual([2500, 1400, 250, 500, 1396]);
    expect(all.filter((m) => m.label === 1).length).toBe(1896);
    expect(new Set(all.map((m) => m.id)).size).toBe(6046);
    for (const g of MAIL_GROUPS)
      expect(test.mails.filter((m) => m.group === g).length).toBe(Math.round(TEXT_SPLIT.testFraction * count(g)));
    // decoded text: no raw MIME left in the bodies
    expect(all.filter((m) => /Content-Transfer-Encoding: (base64|quoted-printable)/i.test(m.body)).length).toBeLessThan(10);
  });
});
