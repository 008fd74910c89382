/** Lesson 4: minimal perturbations (DeepFool, C&W) and L2 against L∞. */
import { flipped, lastResult, type AttackLesson } from './view';
import { EXAMPLES } from './examples';

const ex = EXAMPLES.minimal;

export const minimalLesson: AttackLesson = {
  id: 'minimal',
  lab: 'attacks',
  order: 4,
  title: 'Minimal perturbations: DeepFool, C&W, and L2 against L∞',
  summary: 'Instead of a budget, ask for the smallest change that fools the model, and measure it in two norms.',
  link: `ds=mnist&model=mnist-cnn&i=${ex.sample}&lab=attacks&atk.v=2&atk.name=deepfool&atk.norm=l2`,
  lock: ['ds', 'model', 'i'],
  hide: ['atk.tgt', 'atk.target'],
  steps: [
    {
      title: 'DeepFool: walk to the nearest boundary',
      text: `A bounded attack asks "is there an adversarial example within $\\varepsilon$?". A minimal attack asks "how far is the
nearest one?". DeepFool (Moosavi-Dezfooli et al., 2016) linearises the classifier and steps to the closest linear boundary:
$$r = \\frac{|f_k(x) - f_y(x)|}{\\|\\nabla f_k(x) - \\nabla f_y(x)\\|_2^2}\\,\\big(\\nabla f_k(x) - \\nabla f_y(x)\\big)$$
for the class $k$ whose boundary is nearest, repeated until the label changes, then overshoots by 2%.`,
      figures: ['attack-panel'],
      task: {
        prompt: 'Run DeepFool.',
        done: (v) => flipped(lastResult(v, 'deepfool')),
      },
      question: {
        prompt: 'What is the L2 norm of DeepFool’s perturbation?',
        answer: (v) => lastResult(v, 'deepfool')?.adversarial?.norms.l2 ?? null,
        pending: 'Run DeepFool first.',
      },
    },
    {
      title: 'Carlini and Wagner',
      text: `C&W (2017) solve an optimisation: minimise $\\|\\delta\\|_2^2 + c\\cdot\\max\\big(Z(x+\\delta)_y - \\max_{k\\ne y} Z(x+\\delta)_k, -\\kappa\\big)$
over $\\delta$ (with $x + \\delta$ kept in $[0,1]$ through a $\\tanh$ change of variables), and search the constant $c$ by bisection.
It is slower than DeepFool and usually finds smaller perturbations.`,
      link: 'atk.name=cw',
      figures: ['attack-panel'],
      task: {
        prompt: 'Run C&W.',
        done: (v) => flipped(lastResult(v, 'cw')),
      },
      question: {
        prompt: 'What is the L2 norm of C&W’s perturbation?',
        answer: (v) => lastResult(v, 'cw')?.adversarial?.norms.l2 ?? null,
        pending: 'Run C&W first.',
      },
    },
    {
      title: 'The same change in the other norm',
      text: `An L2 attack spends its budget on a few pixels; an L∞ attack spreads it over all of them. Look at C&W’s
perturbation in the image panel: a few strokes, not a haze. Its L∞ norm is large although its L2 norm is small, because
$$\\|\\delta\\|_\\infty \\le \\|\\delta\\|_2 \\le \\sqrt{d}\\,\\|\\delta\\|_\\infty .$$`,
      question: {
        prompt: 'What is the L∞ norm of C&W’s perturbation (the largest change of one pixel)?',
        answer: (v) => lastResult(v, 'cw')?.adversarial?.norms.linf ?? null,
        pending: 'Run C&W first (previous step).',
        explain: 'Compare it with an L∞ budget such as 0.1: robustness in one norm says little about the other.',
      },
    },
  ],
};
