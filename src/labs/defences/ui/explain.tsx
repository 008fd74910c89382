/**
 * The defence lab's panels explained in place, for a student: what each does, its formula, its paper.
 * Parameter meanings come from the slice's field tables (the controls' tooltips), by path prefix.
 */
import { Explain, type Explanation } from '../../../ui/lessons/Explain';
import { DEFENCES_SLICE } from '../index';

const ARXIV = (id: string) => `https://arxiv.org/abs/${id}`;

const TEXTS: Readonly<Record<string, { title: string; prefix: string; x: Omit<Explanation, 'params'> }>> = {
  defence: {
    title: 'an input-transformation defence',
    prefix: 'defence.',
    x: {
      what: 'Transformations put in front of the model (fewer bits per pixel, a median filter, JPEG, noise) to wash out small perturbations. They often only break the attacker’s gradients: BPDA (differentiate the transformation as the identity) and EOT (average the gradient over random draws) get around them.',
      formula:
        "\\tilde f(x) = f(t(x)),\\qquad \\nabla_x \\tilde f \\approx \\nabla_{x'} f(x')\\big|_{x' = t(x)}\\ \\text{(BPDA)},\\quad \\mathbb{E}_{r}[\\nabla_x f(t_r(x))]\\ \\text{(EOT)}",
      paper: {
        cite: 'Athalye, Carlini & Wagner, Obfuscated gradients give a false sense of security, ICML 2018',
        url: ARXIV('1802.00420'),
      },
    },
  },
  train: {
    title: 'adversarial training',
    prefix: 'training.',
    x: {
      what: 'Training on attacked images: each batch is replaced (PGD adversarial training) or accompanied (TRADES) by its worst case inside the ε-ball, found by PGD. The model learns to keep its answer over the whole ball, at some cost in clean accuracy.',
      formula:
        '\\min_\\theta \\mathbb{E}\\Big[\\max_{\\|\\delta\\|\\le\\varepsilon} L(f_\\theta(x+\\delta), y)\\Big]\\ \\text{(Madry)},\\qquad \\min_\\theta \\mathbb{E}\\Big[L(f_\\theta(x), y) + \\beta\\max_{\\|\\delta\\|\\le\\varepsilon}\\mathrm{KL}(f_\\theta(x)\\|f_\\theta(x+\\delta))\\Big]\\ \\text{(TRADES)}',
      paper: { cite: 'Madry et al., ICLR 2018; Zhang et al., TRADES, ICML 2019', url: ARXIV('1901.08573') },
    },
  },
  certify: {
    title: 'randomized smoothing',
    prefix: 'certify.',
    x: {
      what: 'The smoothed classifier answers the class the model gives most often under Gaussian noise. If that class is likely enough, no L2 perturbation smaller than the certified radius can change the answer: a proof, not an attack that failed.',
      formula:
        'g(x) = \\arg\\max_c \\Pr_{\\eta\\sim\\mathcal N(0,\\sigma^2 I)}[f(x+\\eta) = c],\\qquad R = \\sigma\\,\\Phi^{-1}(\\underline{p_A})',
      paper: {
        cite: 'Cohen, Rosenfeld & Kolter, Certified adversarial robustness via randomized smoothing, ICML 2019',
        url: ARXIV('1902.02918'),
      },
    },
  },
  detector: {
    title: 'feature squeezing',
    prefix: 'detector.',
    x: {
      what: 'A detector: compare the model’s output on the image and on squeezed copies (fewer bits, a median filter). Adversarial images often move more; an image whose L1 distance exceeds a threshold set on clean images (at a chosen false-positive rate) is flagged.',
      formula: '\\text{score}(x) = \\max_{s}\\ \\|f(x) - f(s(x))\\|_1,\\qquad \\text{flag if score}(x) > \\tau_{\\text{FPR}}',
      paper: { cite: 'Xu, Evans & Qi, Feature squeezing, NDSS 2018', url: ARXIV('1704.01155') },
    },
  },
  tradeoff: {
    title: 'the clean/robust trade-off',
    prefix: '',
    x: {
      what: 'Each model as a point: accuracy on clean test images against accuracy under the same attack. Robust training moves points up (robust) and often left (less clean accuracy).',
      formula:
        '\\text{clean} = \\tfrac1n\\sum_i [f(x_i) = y_i],\\qquad \\text{robust} = \\tfrac1n\\sum_i [f(x_i^{\\prime}) = y_i]\\ \\text{with}\\ x_i^{\\prime}\\ \\text{the attacked image}',
      paper: { cite: 'Tsipras et al., Robustness may be at odds with accuracy, ICLR 2019', url: ARXIV('1805.12152') },
    },
  },
  models: {
    title: 'your models',
    prefix: '',
    x: {
      what: 'Models you trained or imported, kept in this browser (IndexedDB). They appear in the setup panel beside the zoo, with a model card that says how they were made.',
    },
  },
};

export function DefenceExplain({ panel }: { panel: keyof typeof TEXTS }) {
  const t = TEXTS[panel];
  const fields =
    t.prefix === ''
      ? []
      : (DEFENCES_SLICE.fields as readonly { path: string; label: string; help?: string }[]).filter(
          (f) => f.path.startsWith(t.prefix) && f.help,
        );
  return (
    <Explain title={t.title} x={{ ...t.x, params: fields.map((f) => ({ label: f.label, help: f.help! })) }} testId={`explain-${panel}`} />
  );
}
