/**
 * The federated simulation's part of the federated lab's slice (`fl.*` URL keys): clients, data
 * split, rounds, local training, malicious clients and the aggregator.
 */
import type { Field } from '../../../core/experiment/fields';
import { ATTACKS, type AttackKind } from '../algorithms/malicious';
import { parseSplit, splitText } from '../algorithms/split';
import { checkTextTrigger, type TriggerPosition } from '../algorithms/text-trigger-check';

export interface FederationSettings {
  /** Simulated clients (5 to 100). */
  clients: number;
  /** Clients sampled per round. */
  perRound: number;
  rounds: number;
  seed: number;
  /** How the clients' data is drawn: `iid` or `dirichlet:<alpha>` (algorithms/split.ts). */
  split: string;
  /** Images per client (the pool is clients x this many training images); 0: the whole training set. */
  perClient: number;
  /** Local training of each client: epochs, minibatch size, SGD learning rate. */
  localEpochs: number;
  localBatch: number;
  localLearningRate: number;
  /** The attack of the malicious clients (algorithms/malicious.ts). The backdoor's target and share of images are poison.target and poison.rate. */
  attack: AttackKind;
  /** Malicious clients (clients 0 .. malicious - 1, unless maliciousIds names them). */
  malicious: number;
  /** Which clients are malicious, e.g. '3,7' (then their number is this list's length); '': the first `malicious`. */
  maliciousIds: string;
  /** Model replacement's boost; 0: clients per round / server learning rate (Bagdasaryan et al.'s n / eta). */
  boost: number;
  /** Label flip and sybils: the class flipped to poison.target. */
  source: number;
  /** The spam set's backdoor: the trigger word sequence and where it goes in a mail's body (algorithms/text-trigger.ts). */
  words: string;
  wordsAt: TriggerPosition;
  /** The simulation's data: Setup's image set, or the SpamAssassin mails ('spam'). */
  data: 'setup' | 'spam';
}

/** Client ids written '3,7' (spaces allowed; '' for none), or an error message. */
export function parseClientIds(text: string): number[] | string {
  const t = text.trim();
  if (t === '') return [];
  const ids: number[] = [];
  for (const part of t.split(',')) {
    const p = part.trim();
    if (!/^\d{1,3}$/.test(p)) return `"${p.slice(0, 20)}" is not a client id (0 to 99): write ids such as 3,7`;
    const id = Number(p);
    if (id > 99) return `client ${id} is out of range: ids go from 0 to 99`;
    if (ids.includes(id)) return `client ${id} is named twice`;
    ids.push(id);
  }
  return ids;
}

export interface FederationPart {
  federation: FederationSettings;
}

export const defaultFederation = (): FederationSettings => ({
  clients: 10,
  perRound: 10,
  rounds: 30,
  seed: 0,
  split: 'iid',
  perClient: 600,
  localEpochs: 1,
  localBatch: 32,
  localLearningRate: 0.05,
  attack: 'none',
  malicious: 1,
  maliciousIds: '',
  boost: 0,
  source: 1,
  words: 'harvest moon',
  wordsAt: 'random',
  data: 'setup',
});

export const FEDERATION_FIELDS: readonly Field<FederationPart>[] = [
  {
    path: 'federation.clients',
    url: 'n',
    cli: 'clients',
    type: { kind: 'int', min: 2, max: 100 },
    label: 'clients',
    help: 'simulated clients',
    default: 10,
  },
  {
    path: 'federation.perRound',
    url: 'k',
    cli: 'per-round',
    type: { kind: 'int', min: 1, max: 100 },
    label: 'clients per round',
    help: 'clients sampled each round',
    default: 10,
  },
  {
    path: 'federation.rounds',
    url: 'r',
    cli: 'rounds',
    type: { kind: 'int', min: 1, max: 1000 },
    label: 'rounds',
    default: 30,
  },
  {
    path: 'federation.seed',
    url: 'seed',
    cli: 'seed',
    type: { kind: 'int', min: 0, max: 2 ** 31 - 1 },
    label: 'seed',
    help: 'seed of the poisoned subset, the split, the client sampling, local training and the attacks',
    default: 0,
  },
  {
    path: 'federation.split',
    url: 'split',
    cli: 'split',
    type: {
      kind: 'text',
      maxLength: 40,
      what: 'split',
      check: (t) => {
        // mailboxes: the spam set's split by sender domain (algorithms/mailboxes.ts)
        if (t.trim() === 'mailboxes') return { value: 'mailboxes' };
        try {
          return { value: splitText(parseSplit(t)) };
        } catch (e) {
          return { error: (e as Error).message };
        }
      },
    },
    label: 'data split',
    help: 'iid, or dirichlet:<alpha> label skew (smaller alpha: more skewed); the spam set also: mailboxes (by sender domain)',
    default: 'iid',
  },
  {
    path: 'federation.perClient',
    url: 'pc',
    cli: 'per-client',
    type: { kind: 'int', min: 0, max: 60000 },
    label: 'images per client',
    help: 'training images per client (0: the whole training set dealt out)',
    default: 600,
  },
  {
    path: 'federation.localEpochs',
    url: 'le',
    cli: 'local-epochs',
    type: { kind: 'int', min: 1, max: 50 },
    label: 'local epochs',
    default: 1,
  },
  {
    path: 'federation.localBatch',
    url: 'lb',
    cli: 'local-batch',
    type: { kind: 'int', min: 1, max: 1024 },
    label: 'local batch',
    help: 'minibatch size of local training',
    default: 32,
  },
  {
    path: 'federation.localLearningRate',
    url: 'llr',
    cli: 'local-lr',
    type: { kind: 'float', min: 0, max: 10 },
    label: 'local learning rate',
    help: "clients' SGD learning rate",
    default: 0.05,
  },
  {
    path: 'federation.attack',
    url: 'atk',
    // the attacks lab's --attack is global: `rlab fl` takes --attack as this flag's synonym
    cli: 'fl-attack',
    type: { kind: 'enum', values: ATTACKS },
    label: 'attack',
    help: 'what the malicious clients do',
    default: 'none',
  },
  {
    path: 'federation.malicious',
    url: 'mal',
    cli: 'malicious',
    type: { kind: 'int', min: 0, max: 100 },
    label: 'malicious clients',
    help: 'how many clients are malicious (the first ones)',
    default: 1,
  },
  {
    path: 'federation.maliciousIds',
    url: 'malc',
    cli: 'malicious-clients',
    type: {
      kind: 'text',
      maxLength: 300,
      what: 'client ids',
      check: (t) => {
        const ids = parseClientIds(t);
        return typeof ids === 'string' ? { error: ids } : { value: ids.join(',') };
      },
    },
    label: 'malicious client ids',
    help: 'which clients are malicious, e.g. 3,7 (overrides --malicious; empty: clients 0 .. malicious - 1)',
    default: '',
  },
  {
    path: 'federation.boost',
    url: 'boost',
    cli: 'boost',
    type: { kind: 'float', min: 0, max: 1000 },
    label: 'boost',
    help: "model replacement's boost of the update (0: clients per round, n / eta)",
    default: 0,
  },
  {
    path: 'federation.source',
    url: 'fsrc',
    cli: 'source',
    type: { kind: 'int', min: 0, max: 9 },
    label: 'source class',
    help: 'label flip and sybils: the class relabelled as the target',
    default: 1,
  },
  {
    path: 'federation.words',
    url: 'tw',
    cli: 'trigger-words',
    type: {
      kind: 'text',
      maxLength: 200,
      what: 'trigger words',
      check: (t) => {
        try {
          return { value: checkTextTrigger({ words: t, position: 'random' }).words };
        } catch (e) {
          return { error: (e as Error).message };
        }
      },
    },
    label: 'trigger words',
    help: "the spam set's backdoor: the word sequence the malicious clients add to spam labelled ham",
    default: 'harvest moon',
  },
  {
    path: 'federation.wordsAt',
    url: 'twp',
    cli: 'trigger-position',
    type: { kind: 'enum', values: ['random', 'start', 'end'] },
    label: 'trigger position',
    help: "where the trigger words go in a mail's body",
    default: 'random',
  },
  {
    path: 'federation.data',
    url: 'data',
    // rlab fl's --dataset spam does the same
    cli: 'fl-data',
    type: { kind: 'enum', values: ['setup', 'spam'] },
    label: 'data',
    help: "the simulation's data: Setup's image set, or the SpamAssassin mails (spam: each client a mailbox)",
    default: 'setup',
  },
];
