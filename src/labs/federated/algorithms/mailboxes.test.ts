import { describe, expect, it } from 'vitest';
import { labeledMails, type Mail } from '../../../core/data/text';
import { mailboxesBySender } from './mailboxes';

const mail = (i: number, from: string, label: 0 | 1): Mail => ({
  id: `${label ? 'spam-1' : 'easy-ham-1'}/${i}`,
  group: label ? 'spam-1' : 'easy-ham-1',
  label,
  from,
  subject: '',
  body: '',
});

describe('mailboxesBySender', () => {
  // domain sizes 6 (ham), 4 (spam), 3 (ham), 3 (spam), 1 (ham), 1 mail without a sender
  const mails = [
    ...Array.from({ length: 6 }, (_, i) => mail(i, 'lists.example.org', 0)),
    ...Array.from({ length: 4 }, (_, i) => mail(10 + i, 'spam.example', 1)),
    ...Array.from({ length: 3 }, (_, i) => mail(20 + i, 'work.example', 0)),
    ...Array.from({ length: 3 }, (_, i) => mail(30 + i, 'deals.example', 1)),
    mail(40, 'friend.example', 0),
    mail(41, '', 1),
  ];
  const data = labeledMails(mails);

  it('keeps each domain whole and gives the largest groups first to the emptiest mailbox', () => {
    const { clients, domains } = mailboxesBySender(data, 3, 0);
    expect(clients.flatMap((c) => Array.from(c)).sort((a, b) => a - b)).toEqual(mails.map((_, i) => i));
    for (const d of ['lists.example.org', 'spam.example', 'work.example', 'deals.example']) {
      const holders = clients.filter((c) => Array.from(c).some((i) => mails[i].from === d));
      expect(holders.length).toBe(1);
    }
    // LPT: 6 -> client 0, 4 -> client 1, the two 3s -> client 2 (0, then 3 < 4), the two 1s -> client 1
    const sizes = clients.map((c) => c.length).sort((a, b) => a - b);
    expect(sizes).toEqual([6, 6, 6]);
    expect(domains[0][0]).toBe('lists.example.org');
    // spam shares differ between mailboxes (non-IID)
    const spamShare = clients.map((c) => Array.from(c).filter((i) => data.labels[i] === 1).length / c.length);
    expect(Math.max(...spamShare) - Math.min(...spamShare)).toBeGreaterThan(0.3);
  });

  it('is seeded, and refuses more mailboxes than domains', () => {
    expect(mailboxesBySender(data, 3, 5)).toEqual(mailboxesBySender(data, 3, 5));
    expect(() => mailboxesBySender(data, 7, 0)).toThrow(/at least 7 sender domains/);
    expect(() => mailboxesBySender(data, 0, 0)).toThrow(/whole number/);
  });
});
