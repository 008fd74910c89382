/** Lesson 3: PGD, its step size and restarts, and why evaluations use APGD / AutoAttack. */
import { flipped, lastResult, type AttackLesson } from './view';
import { EXAMPLES } from './examples';

const ex = EXAMPLES.pgd;

export const pgdLesson: AttackLesson = {
  id: 'pgd',
  lab: 'attacks',
  order: 3,
  title: 'PGD: many small steps, restarts, and stronger attacks',
  summary: 'Where one FGSM step fails, projected gradient descent succeeds; a bad step size fails again; APGD chooses the step itself.',
  link: `ds=mnist&model=mnist-cnn&i=${ex.sample}&lab=attacks&atk.v=2&atk.name=fgsm&atk.eps=${ex.eps}`,
  lock: ['ds', 'model', 'i', 'atk.eps', 'atk.norm'],
  hide: ['atk.tgt', 'atk.target'],
  steps: [
    {
      title: 'One step is not enough here',
      text: `Test image ${ex.sample} with budget $\\varepsilon = ${ex.eps}$. Run FGSM first: one linear step from $x$.`,
      figures: ['attack-panel'],
      task: {
        prompt: 'Run FGSM at this ε.',
        done: (v) => lastResult(v, 'fgsm') !== null,
      },
      question: {
        prompt: 'Did FGSM fool the model on this image?',
        choices: ['yes', 'no'],
        answer: (v) => {
          const r = lastResult(v, 'fgsm');
          return r ? (flipped(r) ? 'yes' : 'no') : null;
        },
        pending: 'Run FGSM first.',
        explain: 'The loss is not linear over the whole ball: one step in the gradient sign direction at x misses.',
      },
    },
    {
      title: 'Projected gradient descent',
      text: `Madry et al. (2018) take many small steps of size $\\alpha$ and project back into the ball after each:
$$x^{t+1} = \\Pi_{B_\\varepsilon(x)}\\Big(x^t + \\alpha\\,\\operatorname{sign}\\big(\\nabla_x L(f_\\theta(x^t), y)\\big)\\Big)$$
where $\\Pi$ clips every pixel to $[x-\\varepsilon, x+\\varepsilon] \\cap [0,1]$, starting from a random point $x^0$ of the ball.
The step follows the loss where it bends. The lab set PGD with 40 steps of $\\alpha = 0.01$.`,
      link: 'atk.name=pgd&atk.steps=40&atk.step=0.01&atk.rs=true&atk.restarts=1',
      figures: ['attack-panel'],
      task: {
        prompt: 'Run PGD and watch the loss climb in the trace chart.',
        done: (v) => flipped(lastResult(v, 'pgd')),
        hint: (v) => (lastResult(v, 'pgd') ? 'Still robust: check that the step size is 0.01 and the steps 40.' : null),
      },
      question: {
        prompt: 'How many gradient evaluations did PGD spend?',
        answer: (v) => lastResult(v, 'pgd')?.adversarial?.gradientEvaluations ?? null,
        pending: 'Run PGD first.',
        explain: 'One gradient per step, against one for FGSM: the price of a stronger attack.',
      },
    },
    {
      title: 'A step size that is too small',
      text: `With $\\alpha = 0.001$, 40 steps move a pixel by at most $40 \\times 0.001 = 0.04 < \\varepsilon$: PGD cannot even reach the
corners of the ball. Set the step size to 0.001 and run again.`,
      figures: ['attack-panel'],
      task: {
        prompt: 'Run PGD with step size 0.001.',
        done: (v) => {
          const r = lastResult(v, 'pgd');
          return !!r && r.attack.stepSize <= 0.0015;
        },
      },
      question: {
        prompt: 'Did PGD with the tiny step fool the model?',
        choices: ['yes', 'no'],
        answer: (v) => {
          const r = lastResult(v, 'pgd');
          return r && r.attack.stepSize <= 0.0015 ? (flipped(r) ? 'yes' : 'no') : null;
        },
        pending: 'Run PGD with step size 0.001 first.',
        explain:
          'A failed attack proves nothing about robustness: the attack may simply be badly tuned. Restarts (several random starts) help against bad luck, not against a bad step.',
      },
    },
    {
      title: 'Attacks that tune themselves: APGD and AutoAttack',
      text: `Croce and Hein (2020) showed that many published defences looked robust only because PGD was badly tuned.
**APGD** halves its step size when progress stalls and keeps momentum, so it needs no step size. **AutoAttack** runs APGD-CE,
APGD-T (targeted, DLR loss), FAB-T and the black-box Square Attack one after another: an image counts as robust only if all
four fail. It is the standard of [RobustBench](https://robustbench.github.io). Run APGD-CE.`,
      link: 'atk.name=apgd-ce&atk.steps=100&atk.restarts=1',
      figures: ['attack-panel'],
      task: {
        prompt: 'Run APGD-CE (100 steps) on this image.',
        done: (v) => lastResult(v, 'apgd-ce') !== null,
      },
      question: {
        prompt: 'What L∞ norm did APGD-CE use?',
        answer: (v) => lastResult(v, 'apgd-ce')?.adversarial?.norms.linf ?? null,
        pending: 'Run APGD-CE first.',
        explain: 'At most ε: the budget is the same, only the search is better.',
      },
    },
  ],
};
