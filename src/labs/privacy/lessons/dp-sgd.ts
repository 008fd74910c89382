/**
 * Lesson: what DP-SGD costs and buys. The zoo's DP model (its card: the mechanism's settings, epsilon
 * under the three accountants, clean accuracy) against mnist-cnn's card; the accountant recomputed live
 * for other training lengths; membership inference (the MIA panel) on a deliberately overfit target, and
 * the bound that (epsilon, delta)-DP puts on any such attack. Every number comes from a card, the lab's
 * accountant (algorithms/accountants/) or the MIA run the panel publishes (view.ts).
 */
// rdp.ts only (not accountant.ts, which brings PRV and its FFT): this runs on the page's main thread
import { computeRdp, DEFAULT_ORDERS, rdpToEpsilon } from '../algorithms/accountants/rdp';
import { cardOf, miaRun, pct, type CardView, type PrivacyLesson, type PrivacyLessonView } from './view';

export const DP_MODEL = 'mnist-dp-sigma1.3';
const PLAIN_MODEL = 'mnist-cnn';
const ACCOUNTANT_LABEL: Record<string, string> = { rdp: 'RDP (Balle et al. 2020)', 'rdp-classic': 'RDP, classic conversion', prv: 'PRV' };

/** The DP model's card with its privacy entry (from the catalogue, or the loaded model), or null. */
function dpCard(v: PrivacyLessonView): (CardView & { privacy: NonNullable<CardView['privacy']> }) | null {
  const c = cardOf(v, DP_MODEL) ?? (v.model?.id === DP_MODEL ? v.model : null);
  return c && c.privacy ? { ...c, privacy: c.privacy } : null;
}

const epsilonOf = (c: CardView, accountant: string): number | null =>
  c.privacy?.epsilon.find((e) => e.accountant === accountant)?.epsilon ?? null;

/**
 * Epsilon after `epochs` epochs at the card's sigma and q under the RDP accountant (Balle et al.'s
 * conversion, as `rlab privacy-budget --accountant rdp`), memoised (a numbers table re-reads it on every change).
 */
const epochEpsilons = new Map<string, number>();
export function epsilonAfterEpochs(sigma: number, q: number, epochs: number, delta: number): number {
  const key = `${sigma}:${q}:${epochs}:${delta}`;
  let e = epochEpsilons.get(key);
  if (e === undefined) {
    // Opacus's steps per epoch: floor(1 / q)
    const steps = epochs * Math.floor(1 / q);
    e = rdpToEpsilon(DEFAULT_ORDERS, computeRdp(q, sigma, steps), delta, 'balle').epsilon;
    epochEpsilons.set(key, e);
  }
  return e;
}

/** The highest TPR any membership test can reach at a false-positive rate against an (epsilon, delta)-DP training. */
export const tprBound = (epsilon: number, delta: number, fpr: number): number => Math.min(1, Math.exp(epsilon) * fpr + delta);

const MIA_LINK = 'lab=privacy&ds=mnist&pv.v=1&pv.pool=200&pv.sh=4&pv.ep=10&pv.bs=20&pv.ho=50&pv.seed=0';

export const dpSgdLesson: PrivacyLesson = {
  id: 'dp-sgd-costs',
  lab: 'privacy',
  order: 1,
  title: 'What DP-SGD costs and buys',
  summary:
    'Clip every example, add noise, count the privacy spent with three accountants; read the price in accuracy, and what it buys against membership inference.',
  link: `ds=mnist&model=${DP_MODEL}&backend=wasm&lab=privacy`,
  lock: ['ds'],
  steps: [
    {
      title: 'DP-SGD',
      text: `Abadi et al. ([Deep learning with differential privacy](https://arxiv.org/abs/1607.00133), 2016) change one thing in
training: each step samples every training example with probability $q$ (Poisson sampling), clips each example's gradient to
norm $C$, sums them and adds Gaussian noise before the step:
$$\\bar g_i = \\frac{g_i}{\\max(1, \\|g_i\\|_2 / C)},$$
$$\\tilde g = \\frac{1}{qN} \\Big( \\sum_{i \\in B} \\bar g_i + \\mathcal N(0, \\sigma^2 C^2 I) \\Big).$$
No example moves the sum by more than $C$, and the noise hides whether it was there. The zoo's ${DP_MODEL} was trained this way
at Opacus's MNIST settings; the setup panel shows its card, and the table below the numbers of its training.`,
      figures: ['setup'],
      numbers: (v) => {
        const c = dpCard(v);
        if (!c) return null;
        const p = c.privacy;
        return [
          { label: 'noise multiplier σ', value: String(p.noiseMultiplier) },
          { label: 'clipping norm C', value: String(p.clip) },
          { label: 'sample rate q', value: String(p.sampleRate) },
          { label: 'expected batch qN', value: String(p.expectedBatchSize) },
          { label: 'noisy steps T', value: p.steps.toLocaleString('en-US') },
          { label: 'δ', value: String(p.delta) },
        ];
      },
      question: {
        prompt: 'How many images does one step use on average, of the 60,000 (qN)?',
        answer: (v) => {
          const c = dpCard(v);
          return c ? c.privacy.sampleRate * 60000 : null;
        },
        pending: `Wait for the model list to load (${DP_MODEL} must be in the zoo).`,
      },
    },
    {
      title: 'Counting what it spends',
      text: `Each noisy step leaks a little; the accountant adds it up. Rényi DP (Mironov 2017) gives each step of the subsampled
Gaussian a divergence $\\rho(\\alpha)$ at every order $\\alpha$, and $T$ steps compose by adding: $T\\rho(\\alpha)$. The classic
conversion to $(\\varepsilon, \\delta)$,
$$\\varepsilon = \\min_\\alpha \\Big( T\\rho(\\alpha) + \\frac{\\log(1/\\delta)}{\\alpha - 1} \\Big),$$
is what older tables used; Balle et al. (2020) tightened it, and the PRV accountant (Gopi et al. 2021, Opacus's default today)
composes the privacy-loss distribution numerically. Same training, three bounds: the card lists them. Below them, the RDP
accountant of the lab recomputes ε for the same σ and q over other training lengths.`,
      figures: ['setup'],
      numbers: (v) => {
        const c = dpCard(v);
        if (!c) return null;
        const p = c.privacy;
        const rows = p.epsilon.map((e) => ({
          label: `ε, ${ACCOUNTANT_LABEL[e.accountant] ?? e.accountant} (card)`,
          value: e.epsilon.toFixed(3) + (e.order ? ` (order ${e.order})` : ''),
        }));
        for (const epochs of [1, 5, 15, 30, 60])
          rows.push({
            label: `ε, RDP, ${epochs} epoch${epochs === 1 ? '' : 's'} at σ = ${p.noiseMultiplier}`,
            value: epsilonAfterEpochs(p.noiseMultiplier, p.sampleRate, epochs, p.delta).toFixed(3),
          });
        return rows;
      },
      question: {
        prompt: `Which accountant gives ${DP_MODEL} the smallest ε?`,
        choices: ['rdp', 'rdp-classic', 'prv'],
        answer: (v) => {
          const c = dpCard(v);
          if (!c) return null;
          let best: string | null = null;
          for (const a of ['rdp', 'rdp-classic', 'prv']) {
            const e = epsilonOf(c, a);
            if (e !== null && (best === null || e < epsilonOf(c, best)!)) best = a;
          }
          return best;
        },
        pending: `Wait for the model list to load (${DP_MODEL} must be in the zoo).`,
        explain: 'All three bound the same training; the tighter the analysis, the smaller the ε it can prove.',
      },
    },
    {
      title: 'What it costs',
      text: `The noise and the clipping slow learning down. The zoo's cards measure every model on the 10,000 MNIST test images.
Compare the DP model with the same task trained without privacy (${PLAIN_MODEL}; a different, larger network, trained normally).`,
      figures: ['setup'],
      numbers: (v) => {
        const models = (v.catalog?.models ?? []).filter((m) => m.dataset === 'mnist' && (m.id === PLAIN_MODEL || m.privacy));
        return models.map((m) => {
          const e = epsilonOf(m, 'rdp');
          return {
            label: m.id,
            value: `${pct(m.cleanAccuracy.accuracy, 2)} clean accuracy${e !== null ? `, ε = ${e.toFixed(2)} (RDP)` : ', no privacy guarantee'}`,
          };
        });
      },
      question: {
        prompt: `How many percentage points of clean accuracy does ${DP_MODEL} give up against ${PLAIN_MODEL}?`,
        answer: (v) => {
          const a = cardOf(v, PLAIN_MODEL);
          const b = cardOf(v, DP_MODEL);
          return a && b ? 100 * (a.cleanAccuracy.accuracy - b.cleanAccuracy.accuracy) : null;
        },
        tolerance: 0.02,
        pending: 'Wait for the model list to load.',
      },
    },
    {
      title: 'What a model without it leaks',
      text: `Membership inference asks: was this image in the training set? The loss threshold (Yeom et al. 2018) calls an image a
member when the model's loss on it is low; LiRA (Carlini et al. 2022) trains shadow models with and without each image and runs a
likelihood-ratio test per example. The lab set a small, deliberately overfit target: a pool of 200 MNIST images, each model trained
on half of it for 10 epochs, 4 shadow models. Run it in the membership-inference panel; the ROC is on log-log axes because what
matters is the true-positive rate at a very low false-positive rate.`,
      link: MIA_LINK,
      figures: ['pv-mia-panel'],
      task: {
        prompt: 'Run membership inference.',
        done: (v) => miaRun(v) !== null,
      },
      numbers: (v) => {
        const r = miaRun(v);
        if (!r) return null;
        return [
          { label: 'target: train / test accuracy', value: `${pct(r.targetTrainAccuracy)} / ${pct(r.targetTestAccuracy)}` },
          ...r.attacks.map((a) => ({ label: a.attack, value: `AUC ${a.auc.toFixed(3)}, TPR at 1% FPR ${pct(a.tprAt01)}` })),
        ];
      },
      question: {
        prompt: 'What is the highest AUC of the five attacks on this target?',
        answer: (v) => {
          const r = miaRun(v);
          return r && r.attacks.length > 0 ? Math.max(...r.attacks.map((a) => a.auc)) : null;
        },
        tolerance: 0.01,
        pending: 'Run membership inference first.',
        explain:
          "0.5 is a coin toss; the gap between train and test accuracy is what the attacks read. With 4 shadows LiRA's per-example fits are rough (its paper uses 16 to 256; rlab mia --shadows 16).",
      },
    },
    {
      title: 'What DP buys',
      text: `Differential privacy bounds every membership test at once, whatever the attacker knows (Kairouz, Oh and Viswanath 2015):
for an $(\\varepsilon, \\delta)$-DP training,
$$\\mathrm{TPR} \\le e^{\\varepsilon}\\, \\mathrm{FPR} + \\delta .$$
The table puts the bound for ${DP_MODEL}'s ε (RDP, from its card) beside what the attacks reached on the overfit target above. The
same membership-inference run with DP-SGD training is \`rlab mia --dp sigma,C\` on the command line (issue 21 asks for AUC at most 0.55
there). The bound holds for the DP model's own training set of 60,000 images; the small target here only shows how far an unprotected
model is from it.`,
      figures: ['pv-mia-panel'],
      numbers: (v) => {
        const c = dpCard(v);
        const e = c ? epsilonOf(c, 'rdp') : null;
        if (!c || e === null) return null;
        const rows = [0.001, 0.01, 0.1].map((fpr) => ({
          label: `bound on TPR at ${pct(fpr, 1)} FPR (ε = ${e.toFixed(3)})`,
          value: pct(tprBound(e, c.privacy.delta, fpr), 2),
        }));
        const best = miaRun(v)?.attacks.reduce((m, a) => Math.max(m, a.tprAt01), 0);
        if (best !== undefined) rows.push({ label: 'best attack at 1% FPR on the overfit target', value: pct(best, 2) });
        return rows;
      },
      question: {
        prompt: `What is the highest TPR, in per cent, that any attack can reach at 1% FPR against ${DP_MODEL}?`,
        answer: (v) => {
          const c = dpCard(v);
          const e = c ? epsilonOf(c, 'rdp') : null;
          return c && e !== null ? 100 * tprBound(e, c.privacy.delta, 0.01) : null;
        },
        tolerance: 0.02,
        pending: `Wait for the model list to load (${DP_MODEL} must be in the zoo).`,
        explain: 'At FPR 1% the attacker can do little better than guessing; the price was the accuracy of step 3.',
      },
    },
  ],
};
