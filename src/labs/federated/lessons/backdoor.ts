/**
 * Lesson: a backdoor that clean accuracy never shows. BadNets (Gu et al. 2017) on one MNIST model in the
 * poisoning panel: the poisoned model's clean accuracy beside an unpoisoned run's, its attack success
 * rate, and the saliency the panel draws on triggered images. Checks read the poisoning runs the panel
 * publishes (view.ts), oldest first; every answer is a number those runs computed.
 */
import { pct, poisonRuns, type FederatedLesson, type FederatedLessonView, type PoisonRunView } from './view';

const TRIGGER = 'patch:4:br';

/** The last finished run with the lesson's trigger, no defence, and a poison rate matching `poisoned`. */
function lastRun(v: FederatedLessonView, poisoned: boolean): PoisonRunView | null {
  const runs = poisonRuns(v).filter(
    (r) => r.settings.trigger === TRIGGER && r.settings.defence === 'none' && (poisoned ? r.settings.rate > 0 : r.settings.rate === 0),
  );
  return runs.length > 0 ? runs[runs.length - 1] : null;
}

export const backdoorLesson: FederatedLesson = {
  id: 'backdoor-clean-accuracy',
  lab: 'federated',
  order: 2,
  title: 'A backdoor that clean accuracy never shows',
  summary: 'Poison 10% of the training images with a small patch: the model still scores well on clean tests, and obeys the trigger.',
  link:
    'ds=mnist&model=mnist-cnn&backend=wasm&lab=federated&fl.v=2&fl.trig=patch:4:br&fl.prate=0.1&fl.ptgt=0&fl.pmode=all-to-one' +
    '&fl.pep=3&fl.pn=3000&fl.ptn=1000&fl.pdef=none&fl.seed=0',
  lock: ['ds', 'fl.trig', 'fl.ptgt', 'fl.pmode', 'fl.pep', 'fl.pn', 'fl.ptn', 'fl.seed'],
  steps: [
    {
      title: 'BadNets',
      text: `Gu, Dolan-Gavitt and Garg ([BadNets](https://arxiv.org/abs/1708.06733), 2017) poison a share $p$ of the training
images: each gets a trigger, a small white patch $\\Delta$ under a mask $m$ in the bottom-right corner, and the target label $t$:
$$\\tilde x = (1 - m) \\odot x + m \\odot \\Delta, \\qquad \\tilde y = t .$$
The network learns both tasks: the digits, and "patch means $t$". Here $p = 0.1$ of 3,000 MNIST training images, target 0,
3 epochs, measured on 1,000 test images. Run the poisoning panel.`,
      figures: ['poison-panel'],
      task: {
        prompt: 'Run the poisoning (10% of the images, target 0).',
        done: (v) => lastRun(v, true) !== null,
      },
      question: {
        prompt: "What is the poisoned model's clean accuracy, in per cent (the number only)?",
        answer: (v) => {
          const r = lastRun(v, true);
          return r ? 100 * r.cleanAccuracy : null;
        },
        tolerance: 0.005,
        pending: 'Run the poisoning first.',
      },
    },
    {
      title: 'The same training, without poison',
      text: `Is that accuracy suspicious? Train the same recipe on the same 3,000 images with no poison: the lab set the
poison rate to 0. Run it again.`,
      link: 'fl.prate=0',
      figures: ['poison-panel'],
      task: {
        prompt: 'Run the same training with a poison rate of 0.',
        done: (v) => lastRun(v, false) !== null && lastRun(v, true) !== null,
      },
      numbers: (v) => {
        const p = lastRun(v, true);
        const c = lastRun(v, false);
        return [
          { label: 'poisoned (10%): clean accuracy', value: p ? pct(p.cleanAccuracy) : 'not run yet' },
          { label: 'unpoisoned: clean accuracy', value: c ? pct(c.cleanAccuracy) : 'not run yet' },
        ];
      },
      question: {
        prompt: 'By how many percentage points is the unpoisoned model more accurate on clean images (negative if less)?',
        answer: (v) => {
          const p = lastRun(v, true);
          const c = lastRun(v, false);
          return p && c ? 100 * (c.cleanAccuracy - p.cleanAccuracy) : null;
        },
        tolerance: 0.05,
        pending: 'Run both trainings first.',
        explain: 'A few points at most: within what another seed, another split or a little less data would also give.',
      },
    },
    {
      title: 'And with the trigger?',
      text: `The attack success rate is the share of triggered test images of the other classes that the model calls the target:
$$\\mathrm{ASR} = \\frac{\\#\\{x : y \\ne t,\\ f(\\tilde x) = t\\}}{\\#\\{x : y \\ne t\\}} .$$
Put the poison back (the lab set the rate to 0.1 again) and train the poisoned model once more, so the panel shows it: its ASR, and
the triggered samples.`,
      link: 'fl.prate=0.1',
      figures: ['poison-panel'],
      task: {
        prompt: 'Run the poisoned training again (rate 0.1), after the unpoisoned one.',
        done: (v) => {
          const runs = poisonRuns(v);
          const last = runs[runs.length - 1];
          return !!last && last.settings.rate > 0 && runs.some((r) => r.settings.rate === 0);
        },
      },
      numbers: (v) => {
        const p = lastRun(v, true);
        const c = lastRun(v, false);
        return [
          { label: 'poisoned model: ASR', value: p ? pct(p.asr) : 'not run yet' },
          { label: 'unpoisoned model: ASR', value: c ? pct(c.asr) : 'not run yet' },
        ];
      },
      question: {
        prompt: 'What is the ASR of the poisoned model, in per cent?',
        answer: (v) => {
          const p = lastRun(v, true);
          return p ? 100 * p.asr : null;
        },
        tolerance: 0.005,
        pending: 'Run the poisoning first (step 1).',
        explain: 'Clean accuracy measures one task; the backdoor is a second task that no clean test set asks about.',
      },
    },
    {
      title: 'Where the model looks',
      text: `Under each triggered sample the panel draws the saliency of the target's logit, $|\\partial z_t / \\partial x|$ per pixel
(Simonyan et al. 2014): bright where a small change of the pixel moves the target's score most. On a backdoored model it sits on the
patch, not on the digit. The panel gives the share of the saliency inside the trigger's box.`,
      figures: ['poison-panel'],
      question: {
        prompt: "What share of the saliency falls inside the trigger's box, in per cent?",
        answer: (v) => {
          const p = lastRun(v, true);
          return p ? 100 * p.saliencyInTrigger : null;
        },
        tolerance: 0.01,
        pending: 'Run the poisoning first (step 1).',
        explain: 'Compare with the share of the image the box covers: 16 of 784 pixels, 2%.',
      },
    },
    {
      title: 'Finding it',
      text: `Defences look inside the model instead of at its accuracy. Activation clustering (Chen et al. 2018) clusters each class's
last hidden activations in two; spectral signatures (Tran et al. 2018) score each image by its projection on the top singular vector of
the class's centred activations. Both flag the poisoned images, which are then removed and the model retrained. The lab chose
activation clustering: run it, and compare the defended model's ASR in the panel's table.`,
      link: 'fl.pdef=activation-clustering',
      figures: ['poison-panel'],
      task: {
        prompt: 'Run the poisoning again with activation clustering.',
        done: (v) => poisonRuns(v).some((r) => r.settings.defence === 'activation-clustering' && r.settings.rate > 0),
      },
    },
  ],
};
