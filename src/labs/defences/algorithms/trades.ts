/**
 * TRADES (Zhang, Yu, Jiao, Xing, El Ghaoui & Jordan, ICML 2019), as a training step of the shared
 * training loop (core/train/train.ts). Convention: the authors' code, yaodongyu/TRADES `trades.py`,
 * `trades_loss` with distance 'l_inf':
 *
 *   inner maximisation, the model in inference mode (PyTorch's model.eval()):
 *     p       = softmax(f(x))                                   (a constant here)
 *     x'_0    = x + 0.001 N(0, 1)                               (not clipped before the first step)
 *     x'_{k+1} = clip_[0,1]( proj_{B_inf(x, eps)}( x'_k + stepSize sign(grad_x' KL(p || softmax f(x'_k))) ) )
 *     x'      = clip_[0,1](x'_K)
 *   outer loss, the model in training mode (model.train()):
 *     L = CE(f(x), y)  +  beta (1 / B) sum_i KL( softmax f(x_i) || softmax f(x'_i) )
 *   with CE the batch mean (F.cross_entropy) and the KL summed over the batch and the classes and
 *   divided by the batch size B (nn.KLDivLoss(size_average=False) times 1 / batch_size). The KL is on
 *   the model's own clean prediction, and the gradient flows through both of its arguments: the authors
 *   do not detach softmax(f(x)) (PyTorch's kl_div differentiates its target). Some reimplementations
 *   detach it, or use the batch mean of the KL per class (KLDivLoss's default), which divides the
 *   regulariser by the number of classes; those are not this.
 *
 * Training mode and inference mode differ only in layers such as batch norm and dropout. The zoo's
 * MNIST and Fashion-MNIST networks (cnn-small, cnn-wide, cnn-madry) and vgg-cifar have neither, so
 * for them the two modes are the same network; vgg-cifar-bn and vgg-cifar-bn-wide have batch norm:
 * the inner loop then uses the moving statistics and leaves them alone, as model.eval() does. For a
 * model with such layers the outer loss also calls the network as the authors do, three times in
 * training mode (f(x) for the cross-entropy, then f(x'), then f(x) again for the KL's target), so the
 * batch-norm moving averages move three times per step, in that order; without them f(x) is computed
 * once and used for both terms (the same value and the same gradient).
 *
 * Differences from the authors' code, none of which changes the loss: the clean prediction p of the
 * inner loop is computed once instead of at every step (in inference mode it is the same each time);
 * the sign is the exact sign (core/adversarial/common.ts exactSign), as torch.sign, where TensorFlow.js's
 * wasm tf.sign rounds tiny gradients to 0; the noise comes from the run's seeded generator. The
 * recipe's label smoothing, if any, applies to the cross-entropy term (the authors have none).
 */
import * as tf from '@tensorflow/tfjs';
import { exactSign } from '../../../core/adversarial/common';
import { adversarialStep, crossEntropyStep, type StepContext, type TrainStep } from '../../../core/train/train';

export interface TradesSettings {
  /** L-inf radius of the inner maximisation. */
  eps: number;
  /** Step size of its sign steps. */
  stepSize: number;
  /** Number of its steps (the authors: 40 of 0.01 at MNIST eps 0.3, 10 of 0.007 at CIFAR-10 eps 0.031). */
  steps: number;
  /** Weight of the KL term (1/lambda; the paper's MNIST and CIFAR-10 models: 6). */
  beta: number;
}

/** The scale of the inner loop's Gaussian start (the authors' 0.001). */
export const TRADES_START_SCALE = 0.001;

/**
 * Summed KL( softmax(cleanLogits) || softmax(advLogits) ) over the batch and the classes (KLDivLoss
 * with size_average=False). Written with log-softmax so that a clean probability that underflows to 0
 * contributes 0, as kl_div does.
 */
export function tradesKlSum(cleanLogits: tf.Tensor2D, advLogits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(cleanLogits);
    return tf.sum(tf.mul(tf.exp(logp), tf.sub(logp, tf.logSoftmax(advLogits)))) as tf.Scalar;
  });
}

/**
 * The outer loss: mean CE(cleanLogits, y) + beta * tradesKlSum(targetLogits, advLogits) / B.
 * `targetLogits` is f(x) once more (the authors' second training-mode call); by default the same
 * tensor as `cleanLogits`. Differentiable in all three logits.
 */
export function tradesLoss(
  cleanLogits: tf.Tensor2D,
  advLogits: tf.Tensor2D,
  y: tf.Tensor1D,
  beta: number,
  opts: { targetLogits?: tf.Tensor2D; labelSmoothing?: number } = {},
): tf.Scalar {
  return tf.tidy(() => {
    const b = cleanLogits.shape[0];
    const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(y, cleanLogits.shape[1]), cleanLogits, undefined, opts.labelSmoothing ?? 0);
    const kl = tradesKlSum(opts.targetLogits ?? cleanLogits, advLogits);
    return tf.add(ce, tf.mul(kl, beta / b)) as tf.Scalar;
  });
}

/**
 * The inner maximisation on `model` in inference mode: returns x' (the caller disposes it). `seed`
 * seeds the Gaussian start.
 */
export async function tradesAdversary(
  model: tf.LayersModel,
  x: tf.Tensor4D,
  s: Pick<TradesSettings, 'eps' | 'stepSize' | 'steps'>,
  seed: number,
): Promise<tf.Tensor4D> {
  const clean = tf.tidy(() => tf.logSoftmax(model.apply(x) as tf.Tensor2D));
  const p = tf.tidy(() => tf.exp(clean));
  const lo = tf.tidy(() => tf.sub(x, s.eps));
  const hi = tf.tidy(() => tf.add(x, s.eps));
  // KL(p || q(x')) up to the constant sum p log p: its gradient in x' is that of -sum p log q(x')
  const kl = (xa: tf.Tensor) => tf.neg(tf.sum(tf.mul(p, tf.logSoftmax(model.apply(xa) as tf.Tensor2D)))) as tf.Scalar;
  const gradOf = tf.grad(kl);
  let xAdv = tf.tidy(() => tf.add(x, tf.mul(tf.randomNormal(x.shape, 0, 1, 'float32', seed), TRADES_START_SCALE)) as tf.Tensor4D);
  try {
    for (let k = 0; k < s.steps; k++) {
      const next = tf.tidy(() => {
        const stepped = tf.add(xAdv, tf.mul(exactSign(gradOf(xAdv)), s.stepSize));
        return tf.clipByValue(tf.minimum(tf.maximum(stepped, lo), hi), 0, 1) as tf.Tensor4D;
      });
      xAdv.dispose();
      xAdv = next;
      // let the event loop breathe between steps (a cancel or a progress message can get through)
      if (k % 4 === 3) await new Promise((r) => setTimeout(r, 0));
    }
    const out = tf.clipByValue(xAdv, 0, 1) as tf.Tensor4D;
    return out;
  } finally {
    xAdv.dispose();
    tf.dispose([clean, p, lo, hi]);
  }
}

/** Layer classes whose training-mode call differs from inference or moves state. */
const TRAINING_DEPENDENT = new Set([
  'BatchNormalization',
  'Dropout',
  'SpatialDropout1D',
  'GaussianDropout',
  'AlphaDropout',
  'GaussianNoise',
]);

/** Whether the network behaves differently in training mode (batch norm, dropout). */
export function hasTrainingModeLayers(model: tf.LayersModel): boolean {
  return model.layers.some((l) => TRAINING_DEPENDENT.has(l.getClassName()));
}

/** The TRADES settings of a step (the recipe's adversarial settings at this epoch). */
function settingsOf(ctx: StepContext): TradesSettings {
  const a = ctx.adversarial;
  if (!a || a.method !== 'trades') throw new Error('tradesStep needs the recipe\'s adversarial settings with method "trades"');
  if (a.beta === undefined || !(a.beta >= 0)) throw new Error('TRADES needs beta >= 0 in the recipe');
  if (a.steps === undefined || !Number.isInteger(a.steps) || a.steps < 0)
    throw new Error('TRADES needs a whole number of steps >= 0 in the recipe');
  return { eps: a.eps, stepSize: a.alpha, steps: a.steps, beta: a.beta };
}

/**
 * One TRADES step: the inner maximisation in inference mode, then one optimiser step on the outer loss
 * in training mode. Returns the batch's loss (before the step). Epochs without adversarial settings
 * (none in a TRADES recipe) train on plain cross-entropy.
 */
export const tradesStep: TrainStep = async (ctx) => {
  const { model, x, y } = ctx;
  if (!ctx.adversarial) return crossEntropyStep(ctx);
  const s = settingsOf(ctx);
  const xAdv = await tradesAdversary(model, x, s, ctx.rng.seed());
  const thrice = hasTrainingModeLayers(model);
  try {
    const loss = ctx.apply(() => {
      const clean = model.apply(x, { training: true }) as tf.Tensor2D;
      const adv = model.apply(xAdv, { training: true }) as tf.Tensor2D;
      const target = thrice ? (model.apply(x, { training: true }) as tf.Tensor2D) : clean;
      return tradesLoss(clean, adv, y, s.beta, { targetLogits: target, labelSmoothing: ctx.labelSmoothing });
    });
    try {
      return (await loss.data())[0];
    } finally {
      loss.dispose();
    }
  } finally {
    xAdv.dispose();
  }
};

/**
 * The step function of any recipe: TRADES where the recipe's adversarial method is 'trades', otherwise
 * the core loop's adversarialStep (FGSM-RS or PGD; plain cross-entropy without adversarial settings).
 */
export const recipeStep: TrainStep = (ctx) => (ctx.adversarial?.method === 'trades' ? tradesStep(ctx) : adversarialStep(ctx));
