/** Lesson 1: the threats to a machine-learning system, and which tab of the lab shows each. */
import { flipped, lastResult, type AttackLesson } from './view';
import { EXAMPLES } from './examples';

export const threatMap: AttackLesson = {
  id: 'threat-map',
  lab: 'attacks',
  order: 1,
  title: 'The threat map of machine learning',
  summary: 'Evasion, poisoning, extraction, inference: what each is, who names them (OWASP, NIST), and where the lab shows them.',
  link: `ds=mnist&model=mnist-cnn&i=${EXAMPLES.fgsm.sample}&lab=attacks&atk.v=2&atk.name=fgsm&atk.eps=${EXAMPLES.fgsm.eps}`,
  steps: [
    {
      title: 'Four ways to attack a model',
      text: `A trained classifier is a function $f_\\theta$ from an input $x$ to class scores. An attacker can act at
different moments of its life:

**Evasion** (test time): change the input $x$ a little so that $f_\\theta(x + \\delta)$ is wrong. OWASP ML01 "Input manipulation".

**Poisoning** (training time): change the training data or the updates, so that $\\theta$ itself is bad. OWASP ML02 "Data poisoning", ML10 "Model poisoning".

**Extraction** (after deployment): query $f_\\theta$ until a copy $\\hat f \\approx f_\\theta$ can be trained. OWASP ML05 "Model theft".

**Inference** (after deployment): learn something about the training data from $f_\\theta$, e.g. whether a given record was in it. OWASP ML03 "Model inversion", ML04 "Membership inference".

NIST's taxonomy of adversarial machine learning (NIST AI 100-2) uses the same classes (evasion, poisoning, privacy attacks); the NIST AI Risk Management Framework (AI RMF 1.0) asks an organisation to map, measure and manage these risks. Sources: [OWASP ML Security Top 10](https://owasp.org/www-project-machine-learning-security-top-10/), [NIST AI RMF](https://www.nist.gov/itl/ai-risk-management-framework).`,
    },
    {
      title: 'Where the lab shows each threat',
      text: `**Evasion**: the [Attacks tab](tab:attacks) (this one): the attack studio and the batch check.

**Poisoning**: the [Poisoning and federated tab](tab:federated): a backdoor trigger in the training data, malicious clients in federated learning, and the aggregation rules that resist them.

**Inference** and **extraction**: the [Privacy tab](tab:privacy) (membership inference, reconstruction from gradients, as that lab grows).

**Defences** against evasion: the [Defences tab](tab:defences): adversarial training, input transformations, certification, detection.`,
      task: {
        prompt: 'Open the poisoning lab (its tab above), look at its panels, then come back here.',
        done: (v) => v.experiment.lab === 'federated',
        hint: () => 'Click the tab "Poisoning" (or the link in the text).',
      },
    },
    {
      title: 'Evasion, live',
      text: `Back on the Attacks tab, the studio attacks test image ${EXAMPLES.fgsm.sample} with FGSM at $\\varepsilon = ${EXAMPLES.fgsm.eps}$: every pixel may move by at most ${EXAMPLES.fgsm.eps} (on a 0..1 scale). Run it and watch the prediction panel.`,
      link: `lab=attacks&atk.name=fgsm&atk.eps=${EXAMPLES.fgsm.eps}`,
      figures: ['attack-panel'],
      task: {
        prompt: 'Press "Run attack" and see the prediction change.',
        done: (v) => flipped(lastResult(v, 'fgsm')),
        hint: (v) => (lastResult(v, 'fgsm') ? 'The model held here: raise ε a little and run again.' : null),
      },
      question: {
        prompt: 'Which kind of threat did you just carry out?',
        choices: ['evasion', 'poisoning', 'extraction', 'inference'],
        answer: () => 'evasion',
        pending: '',
        explain: 'The model was not changed, only its input at test time: evasion.',
      },
    },
  ],
};
