/** Lesson 7: CIFAR-10 (colour, 8/255 budgets) and an attack on your own photo. */
import { flipped, lastResult, type AttackLesson } from './view';

export const cifarPhotoLesson: AttackLesson = {
  id: 'cifar-photo',
  lab: 'attacks',
  order: 7,
  title: 'CIFAR-10 and your own photo',
  summary: 'Colour images, budgets in 255ths, and an adversarial version of a picture you take.',
  link: 'ds=cifar10&model=cifar10-cnn&lab=attacks&atk.v=2&atk.name=pgd&atk.eps=0.03137254901960784&atk.steps=10',
  lock: ['atk.name', 'atk.norm'],
  steps: [
    {
      title: 'Colour images and 8/255',
      text: `CIFAR-10 has 32×32 colour images of ten classes (planes, cars, birds, cats, ...), $d = 3072$ values. Budgets are written
in 255ths of the pixel range: $\\varepsilon = 8/255 \\approx 0.031$ is the usual L∞ budget, a change of 8 grey levels out of 255.
CIFAR-10 is not bundled with the lab: if the image panel asks for it, import the official binary files once (they stay in this browser).`,
      figures: ['setup', 'image-panel'],
      task: {
        prompt: 'Have CIFAR-10 selected with the zoo’s cifar10-cnn.',
        done: (v) => v.experiment.dataset === 'cifar10' && v.model?.id === 'cifar10-cnn',
      },
    },
    {
      title: 'Your own photo',
      text: `Use a photo of your own (the image panel: choose a file, or the camera). It is resized to 32×32 and never leaves this
browser. The model’s prediction on it is its own business: it was trained on ten classes only.`,
      figures: ['image-panel', 'prediction-panel'],
      task: {
        prompt: 'Choose a photo (or take one with the camera).',
        done: (v) => v.custom !== null && v.customPrediction !== null,
      },
      question: {
        prompt: 'Which class does the model give your photo?',
        answer: (v) => (v.customPrediction && v.model ? (v.model.classNames[v.customPrediction.predicted] ?? null) : null),
        pending: 'Choose a photo first.',
      },
    },
    {
      title: 'Attack it',
      text: `Run PGD at $\\varepsilon = 8/255$ on your photo. For a picture of yours there is no true label: the attack pushes
the model away from its own clean prediction.`,
      figures: ['attack-panel'],
      task: {
        prompt: 'Run PGD on your photo until the prediction changes.',
        done: (v) => {
          const r = lastResult(v, 'pgd');
          return !!r && r.custom && flipped(r);
        },
      },
      question: {
        prompt: 'What L∞ norm, in 255ths, did the attack use (e.g. 8)?',
        answer: (v) => {
          const r = lastResult(v, 'pgd');
          return r?.custom && r.adversarial ? r.adversarial.norms.linf * 255 : null;
        },
        tolerance: 0.05,
        pending: 'Run the attack on your photo first.',
      },
    },
  ],
};
