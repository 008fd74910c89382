/**
 * Non-IID mailboxes for the federated spam filter: each client holds the mail of whole sender domains,
 * as a real mailbox gets the mail of its correspondents and its own spammers (the natural partition of
 * mail by sender, as LEAF partitions its text sets by writer). A label-skew split (Dirichlet over the
 * spam/ham ratio) needs nothing text-specific: the lab's label split works on the mails' labels.
 *
 * Algorithm: group the mails by the sender's domain (mails without one each form a group of their own),
 * shuffle the groups with the seeded generator, order them by size (largest first; the shuffle orders
 * equal sizes), then give each group to the client holding the fewest mails so far (lowest client index
 * on ties): the greedy "longest processing time" rule, which keeps sizes close (every client within the
 * largest group's size of the mean) while no domain is split. A domain larger than n / clients makes its
 * client larger than the others; the spam share differs from client to client as the domains do.
 */
import type { LabeledMails } from '../../../core/data/text';
import { Rng } from '../../../core/random';

export interface Mailboxes {
  /** Each client's mail indices (ascending). */
  clients: Int32Array[];
  /** Each client's sender domains. */
  domains: string[][];
}

export function mailboxesBySender(data: LabeledMails, clients: number, seed: number): Mailboxes {
  if (!Number.isInteger(clients) || clients < 1) throw new Error(`clients must be a whole number >= 1, not ${clients}`);
  const byDomain = new Map<string, number[]>();
  data.mails.forEach((m, i) => {
    const key = m.from || `(no sender ${i})`;
    const g = byDomain.get(key);
    if (g) g.push(i);
    else byDomain.set(key, [i]);
  });
  if (byDomain.size < clients)
    throw new Error(`${clients} mailboxes need at least ${clients} sender domains (the mails have ${byDomain.size})`);
  const groups = [...byDomain.entries()];
  const order = new Rng(seed).permutation(groups.length);
  const shuffled = Array.from(order, (k) => groups[k]);
  // stable sort: equal sizes keep the shuffled order
  shuffled.sort((a, b) => b[1].length - a[1].length);
  const members: number[][] = Array.from({ length: clients }, () => []);
  const domains: string[][] = Array.from({ length: clients }, () => []);
  for (const [domain, idx] of shuffled) {
    let c = 0;
    for (let k = 1; k < clients; k++) if (members[k].length < members[c].length) c = k;
    members[c].push(...idx);
    domains[c].push(domain);
  }
  return { clients: members.map((m) => Int32Array.from(m).sort()), domains };
}
