/**
 * The federated spam filter (issue 20, section 4): the round protocol of rounds.ts (FedAvg's rounds,
 * McMahan et al. 2017: seeded client sampling, local SGD from the global weights, updates as vectors,
 * a rule of the aggregator registry, server learning rate 1; secure aggregation and DP-FedAvg as
 * options) on the SpamAssassin mails with the text model of src/core/models/text-model.ts (bow-mlp over
 * hashed bag-of-words features).
 *
 * - Clients: mailboxes (algorithms/mailboxes.ts: whole sender domains per client, the natural non-IID
 *   split of mail), IID, or Dirichlet label skew over ham / spam (algorithms/split.ts with 2 classes).
 * - Malicious clients (chosen ids, else clients 0 .. count - 1): the text backdoor (algorithms/text-trigger.ts,
 *   `poisonMails`): a share `rate` of their spam gets the trigger word sequence and the label ham;
 *   'replacement' also boosts the update (Bagdasaryan et al. 2020, gamma = n / eta as malicious.ts).
 *   Label flipping and sybils are image attacks here (a one-line error).
 * - Per round, as the image simulation's RoundReport: clean accuracy on the held-out mails, ASR = share
 *   of the held-out spam, each with the trigger inserted, classified ham (text-trigger.ts's
 *   definition), and beside it the clean miss rate (the same spam without the trigger classified ham,
 *   the floor the ASR is read against); update norms, cosine matrix, the aggregator's weights.
 *
 * Features: hashing is slow (~13 s for the whole corpus), so every text is hashed once per run, when
 * the federation is built (`textFeatures`, reusable across runs of the same data and trigger): the
 * training mails, the malicious clients' poisoned copies, the held-out mails and the triggered held-out
 * spam. Local training densifies one batch at a time (textBatch) and steps with plain SGD (textStep),
 * as the image clients do. One network is built per run (see rounds.ts's note on memory).
 */
import { mailText, type LabeledMails, type Mail } from '../../core/data/text';
import { DEFAULT_HASHING, FeatureHasher, type HashedFeatures, type HashingConfig } from '../../core/data/tokenize';
import { buildTextModel, type TextArchitectureId } from '../../core/models/text-model';
import { Rng } from '../../core/random';
import { textBatch, textProbabilities, textStep } from '../../core/train/train-text';
import { mailboxesBySender } from './algorithms/mailboxes';
import { labelHistograms, splitClients, type SplitSpec } from './algorithms/split';
import { checkTextTrigger, insertTrigger, poisonMails, triggeredSpamFeatures, type TextTrigger } from './algorithms/text-trigger';
import {
  FederationRounds,
  checkFederationConfig,
  mix,
  runRounds,
  type FederationConfig,
  type RoundReport,
  type SimulationHooks,
  type SplitReport,
} from './rounds';
import { checkMalicious, isMaliciousClient, maliciousIds } from './algorithms/malicious-clients';

export type TextSplitSpec = SplitSpec | { kind: 'mailboxes' };

export { TEXT_ATTACKS, type TextAttackKind } from './text-attacks';
import { TEXT_ATTACKS, type TextAttackKind } from './text-attacks';

export interface TextAttackSettings {
  kind: TextAttackKind;
  /** Malicious clients: `ids` when given, else the first `count` clients (algorithms/malicious-clients.ts). */
  count: number;
  ids?: readonly number[];
  /** Share of a malicious client's spam given the trigger and the label ham. */
  rate: number;
  /** Replacement's boost; 0: clients per round (n / eta, eta = 1). */
  boost: number;
  trigger: TextTrigger;
}

export interface TextSimulationConfig extends FederationConfig {
  train: LabeledMails;
  test: LabeledMails;
  split: TextSplitSpec;
  /** Mails per client for iid / dirichlet (0: the whole training split dealt out); mailboxes use every mail. */
  perClient: number;
  attack: TextAttackSettings;
  architecture?: TextArchitectureId;
  hashing?: HashingConfig;
  /** Held-out mails evaluated (the first ones); 0 or absent: all. */
  testMails?: number;
  /** FLTrust's root set: this many training mails (seeded). */
  rootMails?: number;
  /** Features hashed beforehand (textFeatures with the same data, clients, attack and seed); built when absent. */
  features?: TextFeatures;
}

/** The text federation's evaluation: the clean miss rate beside clean accuracy and ASR. */
export interface TextEvaluation {
  clean: number;
  attack: number | null;
  miss: number | null;
}

/** Round report of the text run: the image report plus the clean miss rate beside the ASR. */
export interface TextRoundReport extends RoundReport {
  /** Share of the held-out spam (without trigger) classified ham; null without an attack. */
  cleanMissRate: number | null;
}

/** A held-out spam mail with the trigger, as the global model reads it after the last round. */
export interface TextExample {
  /** The mail with the trigger inserted (as the ASR measured it), and the trigger's place in mailText(mail). */
  mail: Mail;
  span: { start: number; end: number };
  /** p(spam) of the mail without the trigger, and with it. */
  pClean: number;
  pTriggered: number;
}

export interface TextSimulationResult extends SplitReport {
  rounds: TextRoundReport[];
  /** The first held-out spam the final model catches without the trigger (else the first one); null without an attack. */
  example: TextExample | null;
  cleanAccuracy: number;
  attackSuccessRate: number | null;
  cleanMissRate: number | null;
  seconds: number;
}

/** Every hashed text a run needs. */
export interface TextFeatures {
  train: HashedFeatures;
  test: HashedFeatures;
  /** Held-out spam rows of `test` (ascending), and the same spam with the trigger (null without an attack). */
  testSpam: Int32Array;
  triggered: HashedFeatures | null;
  /** Each client's mail indices into `train`. */
  parts: Int32Array[];
  /** Each malicious client's own data (its mails, poisoned), features and labels. */
  poisoned: Map<number, { features: HashedFeatures; labels: Uint8Array; poisoned: number }>;
}

/** The clients' mail indices for a split. */
export function textClientParts(cfg: Pick<TextSimulationConfig, 'train' | 'clients' | 'split' | 'seed' | 'perClient'>): Int32Array[] {
  if (cfg.split.kind === 'mailboxes') return mailboxesBySender(cfg.train, cfg.clients, cfg.seed).clients;
  return splitClients(cfg.train.labels, cfg.clients, cfg.split, cfg.seed, { perClient: cfg.perClient, classes: 2 });
}

/** Hashes every text of a run once (the training split, the malicious clients' poisoned mails, the held-out mails, the triggered spam). */
export function textFeatures(cfg: TextSimulationConfig, hasher = new FeatureHasher(cfg.hashing ?? DEFAULT_HASHING)): TextFeatures {
  const a = cfg.attack;
  const parts = textClientParts(cfg);
  const nTest = cfg.testMails && cfg.testMails > 0 ? Math.min(cfg.testMails, cfg.test.n) : cfg.test.n;
  const test: LabeledMails = { n: nTest, mails: cfg.test.mails.slice(0, nTest), labels: cfg.test.labels.slice(0, nTest) };
  const testF = hasher.features(test.mails.map(mailText));
  const testSpam = Int32Array.from(Array.from({ length: nTest }, (_, i) => i).filter((i) => test.labels[i] === 1));
  const poisoned = new Map<number, { features: HashedFeatures; labels: Uint8Array; poisoned: number }>();
  for (const c of maliciousIds(a)) {
    const idx = parts[c];
    const own: LabeledMails = {
      n: idx.length,
      mails: Array.from(idx, (i) => cfg.train.mails[i]),
      labels: Uint8Array.from(idx, (i) => cfg.train.labels[i]),
    };
    const p = poisonMails(own, a.trigger, a.rate, mix(cfg.seed, 5, c));
    poisoned.set(c, { features: hasher.features(p.data.mails.map(mailText)), labels: p.data.labels, poisoned: p.poisoned.length });
  }
  return {
    train: hasher.features(cfg.train.mails.map(mailText)),
    test: testF,
    testSpam,
    triggered: a.kind === 'none' ? null : triggeredSpamFeatures(hasher, test, a.trigger, mix(cfg.seed, 6, 0)),
    parts,
    poisoned,
  };
}

/** The text federation: one bow model, the hashed mails, the malicious clients' poisoned mailboxes. */
export class TextFederation extends FederationRounds<TextRoundReport, TextEvaluation> {
  declare readonly cfg: TextSimulationConfig;
  readonly feats: TextFeatures;
  private readonly root: Int32Array | null;

  constructor(cfg: TextSimulationConfig) {
    const a = cfg.attack;
    checkFederationConfig(cfg);
    if (!(TEXT_ATTACKS as readonly string[]).includes(a.kind))
      throw new Error(`the attack "${a.kind}" is not one of the spam filter's (${TEXT_ATTACKS.join(', ')})`);
    checkMalicious(a, cfg.clients);
    if (a.kind !== 'none') checkTextTrigger(a.trigger);
    const feats = cfg.features ?? textFeatures(cfg);
    if (feats.parts.length !== cfg.clients) throw new Error('the features were hashed for another number of clients');
    const initSeed = new Rng(mix(cfg.seed, 1, 0)).seed();
    const model = buildTextModel(cfg.architecture ?? 'bow-mlp', feats.train.dim, 2, initSeed);
    super(cfg, model, a.kind === 'replacement' ? (a.boost > 0 ? a.boost : cfg.perRound) : 1);
    this.feats = feats;
    this.root =
      cfg.aggregator === 'fltrust'
        ? Int32Array.from(new Rng(mix(cfg.seed, 4, 0)).permutation(cfg.train.n).subarray(0, cfg.rootMails ?? 100)).sort()
        : null;
  }

  splitReport(): SplitReport {
    const a = this.cfg.attack;
    return {
      sizes: this.feats.parts.map((p) => p.length),
      histograms: labelHistograms(this.cfg.train.labels, this.feats.parts, 2),
      malicious: maliciousIds(a),
      boost: this.boost,
      parameters: this.global.length,
    };
  }

  isMalicious(c: number): boolean {
    return isMaliciousClient(this.cfg.attack, c);
  }

  /** Local SGD from the global weights on rows `rows` of `f` (seeded order); returns new weights - global. */
  async localUpdate(f: HashedFeatures, labels: Uint8Array, rows: Int32Array, seed: number, signal?: AbortSignal): Promise<Float32Array> {
    return this.localTrain(
      rows.length,
      seed,
      async (batch) => {
        const { x, y } = textBatch(
          f,
          labels,
          Array.from(batch, (j) => rows[j]),
        );
        try {
          await textStep(this.model, this.sgd, x, y);
        } finally {
          x.dispose();
          y.dispose();
        }
      },
      signal,
    );
  }

  protected async clientUpdate(c: number, r: number, signal?: AbortSignal): Promise<{ update: Float32Array; size: number }> {
    const own = this.feats.poisoned.get(c);
    const seed = mix(this.cfg.seed, r, c);
    let update: Float32Array;
    if (own && isMaliciousClient(this.cfg.attack, c)) {
      update = await this.localUpdate(
        own.features,
        own.labels,
        Int32Array.from({ length: own.features.n }, (_, i) => i),
        seed,
        signal,
      );
      if (this.boost !== 1) for (let j = 0; j < update.length; j++) update[j] *= this.boost;
    } else update = await this.localUpdate(this.feats.train, this.cfg.train.labels, this.feats.parts[c], seed, signal);
    return { update, size: this.feats.parts[c].length };
  }

  protected async rootUpdate(r: number, signal?: AbortSignal): Promise<Float32Array | undefined> {
    if (!this.root) return undefined;
    return this.localUpdate(this.feats.train, this.cfg.train.labels, this.root, mix(this.cfg.seed, r, -1), signal);
  }

  protected maxClientSize(): number {
    return Math.max(...this.feats.parts.map((p) => p.length), ...[...this.feats.poisoned.values()].map((p) => p.features.n));
  }

  protected report(base: RoundReport, ev: TextEvaluation): TextRoundReport {
    return { ...base, cleanMissRate: ev.miss };
  }

  /** p(spam) of rows of `f` (all rows when absent) under the global model. */
  async probabilities(f: HashedFeatures, rows?: ArrayLike<number>): Promise<Float32Array> {
    this.loadGlobal();
    return textProbabilities(this.model, f, rows);
  }

  /** Clean accuracy on the held-out mails; ASR and clean miss rate on the held-out spam (null without an attack). */
  async evaluate(): Promise<TextEvaluation> {
    const { test, testSpam, triggered } = this.feats;
    const p = await this.probabilities(test);
    let right = 0;
    for (let i = 0; i < p.length; i++) if ((p[i] > 0.5 ? 1 : 0) === this.cfg.test.labels[i]) right++;
    if (!triggered) return { clean: right / Math.max(1, p.length), attack: null, miss: null };
    const ham = (q: ArrayLike<number>) => {
      let h = 0;
      for (let i = 0; i < q.length; i++) if (q[i] <= 0.5) h++;
      return q.length ? h / q.length : 0;
    };
    const q = await this.probabilities(triggered);
    return { clean: right / Math.max(1, p.length), attack: ham(q), miss: ham(Array.from(testSpam, (i) => p[i])) };
  }

  /** The example mail of the result (see TextExample), under the current global model. */
  async example(): Promise<TextExample | null> {
    const { test, testSpam, triggered } = this.feats;
    if (!triggered || testSpam.length === 0) return null;
    const pc = await this.probabilities(test, testSpam);
    const pt = await this.probabilities(triggered);
    let k = pc.findIndex((p, i) => p > 0.5 && pt[i] <= 0.5);
    if (k < 0)
      k = Math.max(
        0,
        pc.findIndex((p) => p > 0.5),
      );
    // the positions were drawn in order from one generator (textFeatures): replay the draws up to mail k
    const rng = new Rng(mix(this.cfg.seed, 6, 0));
    let t = insertTrigger(this.cfg.test.mails[testSpam[0]], this.cfg.attack.trigger, rng);
    for (let j = 1; j <= k; j++) t = insertTrigger(this.cfg.test.mails[testSpam[j]], this.cfg.attack.trigger, rng);
    return { mail: t.mail, span: t.span, pClean: pc[k], pTriggered: pt[k] };
  }
}

/** A whole text run; the network is disposed however it ends. */
export async function runTextSimulation(cfg: TextSimulationConfig, hooks: SimulationHooks = {}): Promise<TextSimulationResult> {
  const fed = new TextFederation(cfg);
  let example: TextExample | null = null;
  // the example is read from the final model, before runRounds disposes the network
  const { split, rounds, last, seconds } = await runRounds(fed, hooks, async () => {
    example = await fed.example();
  });
  return {
    ...split,
    rounds,
    example,
    cleanAccuracy: last.cleanAccuracy,
    attackSuccessRate: last.attackSuccessRate,
    cleanMissRate: last.cleanMissRate,
    seconds,
  };
}
