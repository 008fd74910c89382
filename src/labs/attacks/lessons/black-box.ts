/** Lesson 5: black-box attacks that only query the model (Square Attack). */
import { flipped, lastResult, type AttackLesson } from './view';
import { EXAMPLES } from './examples';

const ex = EXAMPLES.square;

export const blackBoxLesson: AttackLesson = {
  id: 'black-box',
  lab: 'attacks',
  order: 5,
  title: 'Black-box attacks: queries only',
  summary: 'An attacker who sees only the scores, never the gradients: Square Attack, and what it costs in queries.',
  link: `ds=mnist&model=mnist-cnn&i=${ex.sample}&lab=attacks&atk.v=2&atk.name=square&atk.eps=${ex.eps}&atk.q=${ex.queries}`,
  lock: ['ds', 'model', 'i', 'atk.name'],
  hide: ['atk.tgt', 'atk.target'],
  steps: [
    {
      title: 'No gradients',
      text: `A deployed model behind an API gives scores, not gradients. Square Attack (Andriushchenko et al., 2020) is a
random search: at each query it changes one random square of the image to $\\pm\\varepsilon$ per channel and keeps the change
if the margin loss
$$\\ell(x) = f_y(x) - \\max_{k \\ne y} f_k(x)$$
went down. The squares shrink on a fixed schedule (the fraction $p$ of pixels, from $p_{\\text{init}}$). It never computes a gradient.`,
      figures: ['attack-panel'],
      task: {
        prompt: 'Run Square Attack.',
        done: (v) => flipped(lastResult(v, 'square')),
        hint: (v) => (lastResult(v, 'square') ? 'Not fooled within the queries: raise the number of queries or ε a little.' : null),
      },
      question: {
        prompt: 'How many queries (forward passes) did it use?',
        answer: (v) => lastResult(v, 'square')?.adversarial?.queries ?? null,
        pending: 'Run Square Attack first.',
        explain:
          'It stops at the first query that fools the model. Compare with PGD’s 40 gradients: each gradient costs about as much as two or three forward passes.',
      },
    },
    {
      title: 'Gradients it did not use',
      text: `The result reports the gradient evaluations too. A defence that only hides or breaks gradients (gradient masking)
does not stop an attack of this kind: that is why AutoAttack includes it.`,
      question: {
        prompt: 'How many gradient evaluations did Square Attack use?',
        answer: (v) => lastResult(v, 'square')?.adversarial?.gradientEvaluations ?? null,
        pending: 'Run Square Attack first.',
      },
    },
  ],
};
