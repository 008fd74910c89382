/**
 * The studio's explanation of each attack of the registry, for a student: what it does, its update
 * rule (TeX), its paper. explain.tsx lays them out with the parameter meanings of the field tables.
 */
import type { Explanation } from '../../../ui/lessons/Explain';

export type Text = Omit<Explanation, 'params'>;

const ARXIV = (id: string) => `https://arxiv.org/abs/${id}`;

const APGD: Text = {
  what: 'Auto-PGD: PGD with momentum that halves its step size when the loss stops rising, so it needs no step size. APGD-CE uses the cross-entropy loss, APGD-DLR the scale-invariant difference-of-logits ratio, APGD-T the targeted DLR against the most likely other classes.',
  formula:
    'z^{k+1} = \\Pi_{B_\\varepsilon}\\big(x^k + \\eta^k \\operatorname{sign}\\nabla L(x^k)\\big),\\quad x^{k+1} = \\Pi_{B_\\varepsilon}\\big(x^k + \\alpha(z^{k+1}-x^k) + (1-\\alpha)(x^k - x^{k-1})\\big)',
  paper: {
    cite: 'Croce & Hein, Reliable evaluation of adversarial robustness with an ensemble of diverse parameter-free attacks, ICML 2020',
    url: ARXIV('2003.01690'),
  },
};

export const ATTACK_EXPLANATIONS: Readonly<Record<string, Text>> = {
  fgsm: {
    what: 'Fast gradient sign method: one step that moves every pixel by ε in the direction that raises the loss. Fast, and weak against models whose loss is not linear around the image.',
    formula: "x' = \\operatorname{clip}_{[0,1]}\\big(x + \\varepsilon\\,\\operatorname{sign}(\\nabla_x L(f(x), y))\\big)",
    paper: { cite: 'Goodfellow, Shlens & Szegedy, Explaining and harnessing adversarial examples, ICLR 2015', url: ARXIV('1412.6572') },
  },
  bim: {
    what: 'Basic iterative method (I-FGSM): FGSM repeated with a small step, clipping to the ε-ball after each step, from the clean image.',
    formula: 'x^{t+1} = \\operatorname{clip}_{x,\\varepsilon}\\big(x^t + \\alpha\\,\\operatorname{sign}(\\nabla_x L(f(x^t), y))\\big)',
    paper: { cite: 'Kurakin, Goodfellow & Bengio, Adversarial examples in the physical world, 2017', url: ARXIV('1607.02533') },
  },
  pgd: {
    what: 'Projected gradient descent: many steps of size α up the loss, each projected back into the ε-ball, from a random point of the ball; with restarts an image counts as robust only if every run fails.',
    formula:
      'x^{t+1} = \\Pi_{B_\\varepsilon(x)}\\big(x^t + \\alpha\\,\\operatorname{sign}(\\nabla_x L(f(x^t), y))\\big)\\quad(L_2: \\alpha\\,g/\\|g\\|_2)',
    paper: { cite: 'Madry et al., Towards deep learning models resistant to adversarial attacks, ICLR 2018', url: ARXIV('1706.06083') },
  },
  mifgsm: {
    what: 'Momentum iterative FGSM: accumulates the normalised gradients with a decay μ, which steadies the direction and transfers better to other models.',
    formula:
      'g^{t+1} = \\mu g^t + \\frac{\\nabla_x L(x^t)}{\\|\\nabla_x L(x^t)\\|_1},\\quad x^{t+1} = \\operatorname{clip}_{x,\\varepsilon}(x^t + \\alpha\\,\\operatorname{sign}(g^{t+1}))',
    paper: { cite: 'Dong et al., Boosting adversarial attacks with momentum, CVPR 2018', url: ARXIV('1710.06081') },
  },
  'apgd-ce': APGD,
  'apgd-dlr': {
    ...APGD,
    formula: '\\mathrm{DLR}(x,y) = -\\frac{z_y - \\max_{i\\ne y} z_i}{z_{\\pi_1} - z_{\\pi_3}}',
  },
  'apgd-t': {
    ...APGD,
    formula: '\\mathrm{DLR}_t(x,y) = -\\frac{z_y - z_t}{z_{\\pi_1} - (z_{\\pi_3} + z_{\\pi_4})/2}',
  },
  'fab-t': {
    what: 'Fast adaptive boundary attack (targeted): linearises the boundary to a target class, projects onto it, and biases the step back towards the clean image, finding small perturbations.',
    formula:
      '\\delta = \\operatorname{proj}_p\\big(x^k,\\ \\pi_t(x^k)\\big),\\quad x^{k+1} = (1-\\alpha)(x^k + \\eta\\delta) + \\alpha(x + \\eta\\delta_{\\text{orig}})',
    paper: {
      cite: 'Croce & Hein, Minimally distorted adversarial examples with a fast adaptive boundary attack, ICML 2020',
      url: ARXIV('1907.02044'),
    },
  },
  autoattack: {
    what: 'AutoAttack (standard): APGD-CE, APGD-T, FAB-T and Square run one after another; an image is robust only if all four fail. The reference evaluation of RobustBench.',
    paper: { cite: 'Croce & Hein, ICML 2020', url: ARXIV('2003.01690') },
  },
  cw: {
    what: 'Carlini-Wagner L2: finds a small L2 perturbation by optimisation (Adam on a tanh change of variables), searching the trade-off constant c by bisection.',
    formula: '\\min_w \\|\\tfrac12(\\tanh w + 1) - x\\|_2^2 + c\\cdot\\max\\big(Z_y - \\max_{i\\ne y} Z_i,\\ -\\kappa\\big)',
    paper: { cite: 'Carlini & Wagner, Towards evaluating the robustness of neural networks, IEEE S&P 2017', url: ARXIV('1608.04644') },
  },
  deepfool: {
    what: 'DeepFool: linearises the classifier and steps to the nearest class boundary, repeating until the label changes, then overshoots a little. Gives a small L2 perturbation fast.',
    formula:
      'r = \\frac{|f_k - f_y|}{\\|\\nabla f_k - \\nabla f_y\\|_2^2}(\\nabla f_k - \\nabla f_y),\\quad k = \\arg\\min_{i\\ne y}\\frac{|f_i - f_y|}{\\|\\nabla f_i - \\nabla f_y\\|_2}',
    paper: { cite: 'Moosavi-Dezfooli, Fawzi & Frossard, DeepFool, CVPR 2016', url: ARXIV('1511.04599') },
  },
  square: {
    what: 'Square Attack: a black-box random search that only queries the model’s scores. Each query changes a random square to ±ε and keeps it if the margin loss drops; the squares shrink on a schedule.',
    formula: '\\ell(x) = f_y(x) - \\max_{k\\ne y} f_k(x)\\quad\\text{(kept if it decreases)}',
    paper: {
      cite: 'Andriushchenko et al., Square Attack: a query-efficient black-box adversarial attack via random search, ECCV 2020',
      url: ARXIV('1912.00049'),
    },
  },
};
