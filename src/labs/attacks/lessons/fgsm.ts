/** Lesson 2: FGSM, and what an ε-ball is in pixel space. */
import { epsWords, flipped, lastResult, type AttackLesson } from './view';
import { EXAMPLES } from './examples';

const ex = EXAMPLES.fgsm;

export const fgsmLesson: AttackLesson = {
  id: 'fgsm',
  lab: 'attacks',
  order: 2,
  title: 'FGSM and the geometry of ε',
  summary: 'One gradient step, every pixel moved by ±ε: run it, raise ε until the prediction flips, and measure the ball you searched.',
  link: `ds=mnist&model=mnist-cnn&i=${ex.sample}&lab=attacks&atk.v=2&atk.name=fgsm&atk.eps=0.02`,
  lock: ['ds', 'model', 'i', 'atk.name', 'atk.norm'],
  hide: ['atk.tgt', 'atk.target', 'atk.seed'],
  steps: [
    {
      title: 'The fast gradient sign method',
      text: `Goodfellow, Shlens and Szegedy (2015) observed that a network is close to linear around an input. To
raise the loss $L(f_\\theta(x), y)$ as much as possible with every pixel moving by at most $\\varepsilon$,
move each pixel by $\\varepsilon$ in the direction that raises the loss:

$$x' = \\operatorname{clip}_{[0,1]}\\big(x + \\varepsilon \\cdot \\operatorname{sign}(\\nabla_x L(f_\\theta(x), y))\\big)$$

One gradient, one step. The set of images it may reach is the $L_\\infty$ ball $\\{x' : \\|x' - x\\|_\\infty \\le \\varepsilon\\}$: a cube around $x$ with side $2\\varepsilon$.`,
      figures: ['attack-panel', 'prediction-panel'],
    },
    {
      title: 'A small ε',
      text: `The lab opened test image ${ex.sample} with FGSM at $\\varepsilon = 0.02$, about 5/255: a change no one sees. Run it.`,
      link: 'atk.eps=0.02',
      figures: ['attack-panel'],
      task: {
        prompt: 'Run FGSM at ε = 0.02.',
        done: (v) => lastResult(v, 'fgsm') !== null,
      },
      question: {
        prompt: 'What is the L∞ norm of the perturbation FGSM made (the largest change of one pixel)?',
        answer: (v) => lastResult(v, 'fgsm')?.adversarial?.norms.linf ?? null,
        pending: 'Run the attack first: the answer is read from its result.',
        explain: 'Every pixel that could move moved by exactly ε: the sign step always uses the whole budget.',
      },
    },
    {
      title: 'Raise ε until the prediction flips',
      text: `At $\\varepsilon = 0.02$ the model most likely held. Raise $\\varepsilon$ with the slider and run again, until the
prediction changes. The image panel shows the perturbation $\\delta = x' - x$; the probability bars show how the
model's confidence moves.`,
      figures: ['attack-panel', 'prediction-panel'],
      task: {
        prompt: 'Raise ε and run FGSM until the model is fooled.',
        done: (v) => flipped(lastResult(v, 'fgsm')),
        hint: (v) => {
          const r = lastResult(v, 'fgsm');
          if (!r) return null;
          return `At ε = ${epsWords(r.attack.eps, v.experiment.dataset, r.attack.norm)} the model still says the true class: try a larger ε (it flips by ${ex.eps}).`;
        },
      },
      question: {
        prompt: 'At which ε did it flip (the ε of your last run)?',
        answer: (v) => {
          const r = lastResult(v, 'fgsm');
          return r && flipped(r) ? r.attack.eps : null;
        },
        pending: 'Fool the model first.',
        explain: 'FGSM is not monotone in ε (one linear step), but on this image a small budget already suffices.',
      },
    },
    {
      title: 'How big is that, in L2?',
      text: `An MNIST image has $d = 28 \\times 28 = 784$ pixels. A perturbation with every pixel at $\\pm\\varepsilon$ has
$$\\|\\delta\\|_2 = \\varepsilon\\sqrt{d} = 28\\,\\varepsilon.$$
Pixels already at 0 (the black background) cannot go lower, so clipping makes the real L2 norm smaller. The ball is a cube: its
corners are far from the centre. That is why an "invisible" $\\varepsilon$ in $L_\\infty$ can be a large change in $L_2$.`,
      question: {
        prompt: 'What L2 norm did your flipping perturbation have?',
        answer: (v) => {
          const r = lastResult(v, 'fgsm');
          return r && flipped(r) ? r.adversarial!.norms.l2 : null;
        },
        pending: 'Fool the model with FGSM first (previous step).',
        explain: 'Compare with 28 ε: the gap is the pixels clipped at 0 or 1.',
      },
    },
  ],
};
