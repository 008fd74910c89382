/**
 * Lesson: robust aggregation needs the updates; secure aggregation hides them (issue 21, section 4).
 * A small MNIST federation (5 clients of 100 images, 5 rounds, on WASM) with one model-replacement
 * attacker: FedAvg, then a robust rule, then FedAvg under secure aggregation, the three runs on the
 * panel's one accuracy / ASR chart ("keep earlier runs"). Checks read the finished runs the panel
 * publishes (view.ts); the answers are their computed attack success rates.
 */
import { finalAsr, finishedRun, flRuns, pct, ROBUST_RULES, type FederatedLesson, type FederatedLessonView, type FlRunView } from './view';

const ATTACK = 'replacement';

/** The three runs of the lesson, as far as they exist. */
function lessonRuns(v: FederatedLessonView): { fedavg: FlRunView | null; robust: FlRunView | null; secagg: FlRunView | null } {
  return {
    fedavg: finishedRun(v, 'fedavg', false, ATTACK),
    robust: finishedRun(v, ROBUST_RULES, false, ATTACK),
    secagg: finishedRun(v, 'fedavg', true, ATTACK),
  };
}

/** Are these runs on the chart together (all in the panel's current list)? */
const together = (v: FederatedLessonView, runs: readonly (FlRunView | null)[]): boolean =>
  runs.every((r) => r !== null && flRuns(v).includes(r));

const asrPercent = (r: FlRunView | null): number | null => {
  const a = r ? finalAsr(r) : null;
  return a === null ? null : 100 * a;
};

export const CHOICE_FEDAVG = 'FedAvg';
export const CHOICE_ROBUST = 'the robust rule';
export const CHOICE_SECAGG = 'FedAvg with secure aggregation';

export const secaggVsRobustLesson: FederatedLesson = {
  id: 'secagg-vs-robust',
  lab: 'federated',
  order: 1,
  title: 'Robust aggregation needs the updates; secure aggregation hides them',
  summary:
    'One client plants a backdoor by model replacement: FedAvg lets it in, a robust rule keeps it out, and under secure aggregation the server can no longer tell.',
  link:
    'ds=mnist&model=mnist-cnn&backend=wasm&lab=federated&fl.v=2&fl.data=setup&fl.n=5&fl.k=5&fl.r=5&fl.pc=100&fl.lb=20&fl.llr=0.1' +
    '&fl.split=iid&fl.atk=replacement&fl.mal=1&fl.prate=0.5&fl.ptgt=2&fl.agg=fedavg&fl.sa=0&fl.dpz=0&fl.seed=7',
  lock: ['ds', 'fl.data', 'fl.n', 'fl.k', 'fl.r', 'fl.pc', 'fl.atk', 'fl.mal', 'fl.prate', 'fl.ptgt', 'fl.seed', 'fl.split'],
  hide: ['fl.dpz', 'fl.boost'],
  steps: [
    {
      title: 'Model replacement',
      text: `In federated averaging (McMahan et al. 2017) the server never sees data: each round every client $i$ trains the
global model $G^t$ on its own images and sends its update $\\Delta_i = L_i - G^t$, and the server adds their mean, scaled by its
learning rate $\\eta$ (here all clients hold as many images, so FedAvg weighs them equally),
$$G^{t+1} = G^t + \\frac{\\eta}{n} \\sum_{i=1}^{n} \\Delta_i .$$
Bagdasaryan et al. ([How to backdoor federated learning](https://arxiv.org/abs/1807.00459), 2020) let one client train a backdoored
model $X$ (its images carry a trigger and the label 2) and send the boosted update
$$\\tilde\\Delta = \\frac{n}{\\eta}\\,(X - G^t),$$
so that the mean lands close to $X$: the attacker **replaces** the global model. Here: 5 clients of 100 MNIST images, all of them
in each of 5 rounds; client 0 is the attacker. The attack success rate (ASR) is the share of triggered test images of the other
classes that the global model calls 2.`,
      figures: ['fl-panel'],
    },
    {
      title: 'FedAvg lets it in',
      text: `The server averages. Run the simulation with FedAvg and watch the chart: the ASR line of the run beside its clean accuracy,
round by round. The summary line under the buttons gives the final numbers.`,
      link: 'fl.agg=fedavg&fl.sa=0',
      figures: ['fl-panel'],
      task: {
        prompt: 'Run the federation with FedAvg (Run with FedAvg).',
        done: (v) => lessonRuns(v).fedavg !== null,
      },
      question: {
        prompt: 'What is the final ASR of the FedAvg run, in per cent (the number only, e.g. 42.5)?',
        answer: (v) => asrPercent(lessonRuns(v).fedavg),
        tolerance: 0.01,
        pending: 'Run FedAvg first: the answer is read from its last round.',
        explain: 'One boosted update out of five decided the global model.',
      },
    },
    {
      title: 'A robust rule keeps it out',
      text: `A robust rule looks at the updates one by one. The coordinate-wise median (Yin et al. 2018) takes, for every weight,
the median of the clients' values, so one extreme client cannot move it far:
$$G^{t+1}_j = G^t_j + \\operatorname{median}\\big(\\Delta_{1,j}, \\dots, \\Delta_{n,j}\\big).$$
Multi-Krum (Blanchard et al. 2017) scores each update by its squared distances to its $n - f - 2$ nearest others and averages
the best ones. The lab switched the server to the median. First tick **keep earlier runs on the chart**, so the FedAvg run stays,
then run.`,
      link: 'fl.agg=median&fl.sa=0',
      figures: ['fl-panel'],
      task: {
        prompt: 'Tick "keep earlier runs on the chart", then run with the median (or Multi-Krum).',
        done: (v) => {
          const r = lessonRuns(v);
          return together(v, [r.fedavg, r.robust]);
        },
        hint: (v) => {
          const r = lessonRuns(v);
          if (r.robust && !together(v, [r.fedavg, r.robust]))
            return 'The FedAvg run is no longer on the chart: tick "keep earlier runs", run FedAvg again (Server: FedAvg), then the robust rule.';
          return null;
        },
      },
      question: {
        prompt: 'What is the final ASR of the robust run, in per cent?',
        answer: (v) => asrPercent(lessonRuns(v).robust),
        tolerance: 0.01,
        pending: 'Run the robust rule first.',
        explain: "The attacker's update is far from the others: the median ignores it.",
      },
    },
    {
      title: 'Secure aggregation hides the updates',
      text: `The clients' updates leak their data (see the privacy lab's gradient-leakage lesson). Secure aggregation (Bonawitz et al.
2017) hides them from the server: every pair of clients $i < j$ agrees on a key and expands it into a mask $s_{ij}$; client $i$ sends
$$y_i = \\Delta_i + \\sum_{j > i} s_{ij} - \\sum_{j < i} s_{ji},$$
which looks like noise on its own, and the masks cancel in the sum: the server learns $\\sum_i \\Delta_i$ and nothing else. The lab
turned secure aggregation on with the median still chosen. Press Run: the lab refuses, because the median needs each update.
Choose FedAvg under Server and run again, keeping the earlier runs.`,
      link: 'fl.sa=1&fl.sadrop=0',
      figures: ['fl-panel'],
      task: {
        prompt: 'With secure aggregation on, run FedAvg (kept beside the other two runs).',
        done: (v) => {
          const r = lessonRuns(v);
          return together(v, [r.fedavg, r.robust, r.secagg]);
        },
        hint: (v) => {
          const r = lessonRuns(v);
          if (v.experiment.aggregation.secagg && v.experiment.aggregation.rule !== 'fedavg')
            return 'The robust rule cannot run on a sum: choose FedAvg under Server.';
          if (r.secagg && !together(v, [r.fedavg, r.robust, r.secagg]))
            return 'An earlier run is no longer on the chart: tick "keep earlier runs" and run the missing ones again.';
          return null;
        },
      },
      question: {
        prompt: 'What is the final ASR under secure aggregation, in per cent?',
        answer: (v) => asrPercent(lessonRuns(v).secagg),
        tolerance: 0.01,
        pending: 'Run FedAvg with secure aggregation first.',
        explain: 'The masks cancel exactly: the server computed the same average as plain FedAvg, backdoor included.',
      },
    },
    {
      title: 'The trade-off, on one chart',
      text: `The three runs are on the panel's chart: the same seeded clients, the same attacker. The secure run's lines lie on
FedAvg's: the masks cancel exactly, so the server computed the same average, backdoor and all. Privacy against the server and
robustness against clients pull in opposite directions: a rule that must compare, rank or trim updates cannot run on their sum.
Ways out that keep both in part: bound what any one client can add inside the protocol (norm clipping before masking, as in
DP-FedAvg, McMahan et al. 2018; Sun et al. 2019 found this blunts backdoors), or compute a robust statistic under secure
multi-party computation, at a much higher cost.`,
      figures: ['fl-panel'],
      numbers: (v) => {
        const r = lessonRuns(v);
        const row = (label: string, x: FlRunView | null) => {
          const a = x ? finalAsr(x) : null;
          const c = x && x.rounds.length > 0 ? x.rounds[x.rounds.length - 1].cleanAccuracy : null;
          return { label, value: a === null || c === null ? 'not run yet' : `ASR ${pct(a)}, clean accuracy ${pct(c)}` };
        };
        return [
          row('FedAvg', r.fedavg),
          row(`robust (${r.robust?.aggregator ?? 'median'})`, r.robust),
          row('FedAvg + secure aggregation', r.secagg),
        ];
      },
      question: {
        prompt: 'Which run kept the backdoor out (the lowest final ASR)?',
        choices: [CHOICE_FEDAVG, CHOICE_ROBUST, CHOICE_SECAGG],
        answer: (v) => {
          const r = lessonRuns(v);
          const all: [string, FlRunView | null][] = [
            [CHOICE_FEDAVG, r.fedavg],
            [CHOICE_ROBUST, r.robust],
            [CHOICE_SECAGG, r.secagg],
          ];
          let best: string | null = null;
          let low = Infinity;
          for (const [name, run] of all) {
            const a = run ? finalAsr(run) : null;
            if (a === null) return null;
            if (a < low) [best, low] = [name, a];
          }
          return best;
        },
        pending: 'Finish the three runs first (previous steps).',
      },
    },
  ],
};
