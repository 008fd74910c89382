/**
 * Lesson: a gradient is a photograph. iDLG (and DLG) on one MNIST test image in the gradient-leakage
 * panel: the reconstruction beside the original with its MSE and PSNR; then the DLG paper's defences
 * (Gaussian noise on the gradient, pruning its small entries) and the reconstruction failing. Checks and
 * answers read the leakage runs the panel publishes, with the settings each ran with (view.ts).
 */
import { defendedLeak, leakRuns, undefendedLeak, type PrivacyLesson } from './view';

const fmtMse = (x: number): string => (x < 1e-3 ? x.toExponential(2) : x.toFixed(4));

export const gradientPhotoLesson: PrivacyLesson = {
  id: 'gradient-photo',
  lab: 'privacy',
  order: 2,
  title: 'A gradient is a photograph',
  summary:
    "From one shared gradient, rebuild the client's image pixel by pixel (DLG, iDLG); then add noise or prune it and watch the picture go.",
  link: 'ds=mnist&model=mnist-cnn&backend=wasm&lab=privacy&pv.v=1&pv.lm=idlg&pv.li=3&pv.lb=1&pv.lt=20&pv.ln=0&pv.lp=0&pv.lc=0&pv.ls=0',
  lock: ['ds', 'pv.li', 'pv.lb', 'pv.ls'],
  hide: ['pv.lv'],
  steps: [
    {
      title: 'Deep leakage from gradients',
      text: `In federated learning a client sends the gradient of its loss, not its image. Zhu, Liu and Han
([Deep leakage from gradients](https://arxiv.org/abs/1906.08935), 2019) showed that the gradient is enough: start from random
noise $x'$ and a random soft label $y'$, and optimise them until their gradient matches the one that was shared,
$g = \\nabla_\\theta L(f_\\theta(x), y)$:
$$x'^{*}, y'^{*} = \\arg\\min_{x', y'} \\big\\| \\nabla_\\theta L(f_\\theta(x'), y') - g \\big\\|^2 .$$
It needs the gradient of a gradient (second derivatives), found with L-BFGS. iDLG (Zhao, Mopuri and Bilen 2020) first reads the
label off the last layer's gradient: for cross-entropy, the true class is the only one whose bias gradient is negative. The network
is the DLG paper's LeNet with sigmoid activations, the image is MNIST test image 3.`,
      figures: ['leak-panel'],
    },
    {
      title: 'Rebuild the image',
      text: `Run iDLG for 20 L-BFGS steps and watch the reconstruction form beside the original. Quality is measured as
$$\\mathrm{MSE} = \\frac{1}{d}\\sum_j (x'_j - x_j)^2,$$
$$\\mathrm{PSNR} = 10 \\log_{10} \\frac{1}{\\mathrm{MSE}}\\ \\text{dB}$$
(pixels in $[0, 1]$): 20 dB is a blurred likeness, above 40 dB the eye sees no difference.`,
      link: 'pv.lm=idlg&pv.ln=0&pv.lp=0&pv.lc=0',
      figures: ['leak-panel'],
      task: {
        prompt: 'Run the reconstruction (Reconstruct) with no defence.',
        done: (v) => undefendedLeak(v) !== null,
      },
      question: {
        prompt: 'What PSNR did the reconstruction reach, in dB?',
        answer: (v) => undefendedLeak(v)?.psnr ?? null,
        tolerance: 0.01,
        pending: 'Run the reconstruction first.',
        explain: 'The shared gradient held the picture: the label came free with it.',
      },
    },
    {
      title: 'Add noise',
      text: `The DLG paper's first defence is Gaussian noise on the shared gradient, $\\tilde g = g + \\mathcal N(0, s^2 I)$ (DP-SGD's
noise, without the accounting). The lab set $s = 0.1$. Run again.`,
      link: 'pv.ln=0.1&pv.lp=0',
      figures: ['leak-panel'],
      task: {
        prompt: 'Run the reconstruction with noise on the gradient.',
        done: (v) => defendedLeak(v) !== null,
      },
      question: {
        prompt: 'By how many dB did the PSNR drop against the run without defence?',
        answer: (v) => {
          const a = undefendedLeak(v);
          const b = defendedLeak(v);
          return a && b ? a.psnr - b.psnr : null;
        },
        tolerance: 0.02,
        pending: 'Run both reconstructions first.',
      },
    },
    {
      title: 'Prune, and what each defence costs',
      text: `The second defence keeps only the largest entries of the gradient: pruning a share $p$ of them (by magnitude) sets the rest
to zero. Zhu et al. report that their attack failed once more than about 20% was pruned. The lab set $p = 0.5$ (noise off): run it, and
look at the picture, not only the number: PSNR is a crude measure of what a person recognises. Then try $p = 0.9$, or your own noise
and pruning levels; each run is added to the table. Both defences also spoil the gradient the server learns from; the other answers
are larger batches (each gradient is a mean over many images), DP-SGD's clipping with calibrated noise, and secure aggregation (the
federated lab's first lesson: the server sees only the sum of the clients' updates).`,
      link: 'pv.ln=0&pv.lp=0.5',
      figures: ['leak-panel'],
      task: {
        prompt: 'Run the reconstruction with pruning.',
        done: (v) => leakRuns(v).some((r) => r.settings.prune > 0),
      },
      numbers: (v) => {
        const runs = leakRuns(v);
        if (runs.length === 0) return null;
        return runs.map((r, k) => ({
          label: `run ${k + 1}: ${r.settings.method}, noise ${r.settings.noise}, pruned ${r.settings.prune}${r.settings.clip > 0 ? `, clip ${r.settings.clip}` : ''}`,
          value: `PSNR ${r.psnr.toFixed(1)} dB, MSE ${fmtMse(r.mse)}, label ${r.labelCorrect ? 'right' : 'wrong'}`,
        }));
      },
      question: {
        prompt: 'Did the pruned gradient still give the image away (PSNR above 30 dB)?',
        choices: ['yes', 'no'],
        answer: (v) => {
          const r = [...leakRuns(v)].reverse().find((x) => x.settings.prune > 0);
          return r ? (r.psnr > 30 ? 'yes' : 'no') : null;
        },
        pending: 'Run the reconstruction with pruning first.',
      },
    },
  ],
};
