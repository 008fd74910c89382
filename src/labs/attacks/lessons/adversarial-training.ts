/** Lesson 6: adversarial training and the clean/robust trade-off. */
import { flipped, lastResult, type AttackLesson } from './view';
import { EXAMPLES } from './examples';

const ex = EXAMPLES.robust;

export const adversarialTrainingLesson: AttackLesson = {
  id: 'adversarial-training',
  lab: 'attacks',
  order: 6,
  title: 'Adversarial training and the clean/robust trade-off',
  summary: 'The same PGD attack on a standard and on an adversarially trained model; what robustness costs in clean accuracy.',
  link: `ds=mnist&model=mnist-cnn&i=${ex.sample}&lab=attacks&atk.v=2&atk.name=pgd&atk.eps=${ex.eps}&atk.steps=40&atk.step=0.01`,
  lock: ['ds', 'i', 'atk.name', 'atk.eps', 'atk.norm'],
  steps: [
    {
      title: 'The standard model falls',
      text: `Test image ${ex.sample}, PGD with $\\varepsilon = ${ex.eps}$, 40 steps. The model is the zoo's standard CNN.`,
      figures: ['attack-panel'],
      task: {
        prompt: 'Run PGD on the standard model.',
        done: (v) => v.experiment.model === 'mnist-cnn' && flipped(lastResult(v, 'pgd')),
      },
    },
    {
      title: 'Train on the attacks',
      text: `Madry et al. (2018) train on the worst case inside the ball instead of on the clean image:
$$\\min_\\theta\\; \\mathbb{E}_{(x,y)}\\Big[\\max_{\\|\\delta\\|_\\infty \\le \\varepsilon} L\\big(f_\\theta(x+\\delta), y\\big)\\Big],$$
the inner maximum found by PGD at every batch. The zoo's mnist-cnn-robust was trained this way (its card, in the setup panel,
gives the command). The lab switched to it: run the same attack.`,
      link: 'model=mnist-cnn-robust',
      figures: ['setup', 'attack-panel'],
      task: {
        prompt: 'Run the same PGD attack on mnist-cnn-robust.',
        done: (v) => {
          const r = lastResult(v, 'pgd');
          return v.experiment.model === 'mnist-cnn-robust' && r !== null && r.model === 'mnist-cnn-robust';
        },
      },
      question: {
        prompt: 'Did PGD fool the robust model on this image?',
        choices: ['yes', 'no'],
        answer: (v) => {
          const r = lastResult(v, 'pgd');
          return r && r.model === 'mnist-cnn-robust' ? (flipped(r) ? 'yes' : 'no') : null;
        },
        pending: 'Run PGD on mnist-cnn-robust first.',
        explain: 'Check other images with the batch check below: robust accuracy is a rate over the test set, not one image.',
      },
    },
    {
      title: 'What it costs',
      text: `Robustness is not free: training on perturbed images lowers accuracy on clean ones, more so on harder data
(CIFAR-10) than on MNIST. TRADES (Zhang et al., 2019) makes the trade explicit with a weight $\\beta$:
$$\\min_\\theta\\; \\mathbb{E}\\Big[L\\big(f_\\theta(x), y\\big) + \\beta \\max_{\\|\\delta\\|\\le\\varepsilon} \\mathrm{KL}\\big(f_\\theta(x)\\,\\|\\,f_\\theta(x+\\delta)\\big)\\Big].$$
The setup panel's model card gives each model's measured clean accuracy.`,
      figures: ['setup'],
      question: {
        prompt: 'What is the clean accuracy of mnist-cnn-robust, from its card (a fraction, e.g. 0.98)?',
        answer: (v) => (v.model?.id === 'mnist-cnn-robust' ? v.model.cleanAccuracy.accuracy : null),
        tolerance: 0.005,
        pending: 'Select mnist-cnn-robust (previous step).',
      },
    },
    {
      title: 'Train one yourself',
      text: `The [Defences tab](tab:defences) trains a model in your browser (standard, PGD adversarial training or TRADES),
stores it here, and draws the trade-off: clean against robust accuracy, per model. Open it and look at the training panel
and the trade-off chart.`,
      task: {
        prompt: 'Open the Defences tab.',
        done: (v) => v.experiment.lab === 'defences',
      },
      figures: ['train-panel', 'tradeoff-panel'],
    },
  ],
};
