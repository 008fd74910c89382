/**
 * A defended classifier: input transformations in front of a classifier (`Classifier -> Classifier`),
 * usable by every attack, the evaluation, the studio and the CLI. Its `logits` always transform the
 * input (a randomised transform draws anew at every call); what differs between the modes is the
 * gradient attacks get (Athalye, Carlini & Wagner 2018, "Obfuscated Gradients Give a False Sense of
 * Security"):
 *
 * - `none`: the gradient TensorFlow.js computes through the transforms: zero through bit-depth's
 *   rounding, the selected pixel's through the median, through the noise and its clip for Gaussian
 *   noise. JPEG has no gradient path at all: then the defence says `attackOn` = the undefended model,
 *   and the attack runner (the attacks lab's `runAttack` / `attackRunner`, through `throughDefence`)
 *   attacks that model and passes the result through the defence (predictions and success are those of
 *   the defended classifier).
 * - `bpda`: Backward Pass Differentiable Approximation with the identity: the forward pass is the
 *   transform, the backward pass treats it as g(x) = x (tf.customGrad), so the attack gets the model's
 *   gradient at the transformed point, grad f(T(x)).
 * - `eot`: Expectation over Transformation: the shared gradient helpers of src/core/adversarial
 *   (gradWithLogits, inputGradient) average the per-draw gradients of the loss over `eotSamples` draws
 *   of the randomised transform, with the BPDA backward pass for each draw (as ART's
 *   ExpectationOverTransformations wrapper averages class gradients over its samples). Attacks that
 *   take their own gradients (C&W, DeepFool) refuse it with a message: with them each gradient would be
 *   a single draw.
 */
import * as tf from '@tensorflow/tfjs';
import type { Classifier, ClassifierDefence } from '../models/classifier';
import { Rng } from '../random';
import { compose } from './compose';
import { transformsOf } from './make';
import { parseDefence, formatDefence } from './spec';

export type AdaptiveMode = ClassifierDefence['adaptive'];
export const ADAPTIVE_MODES: readonly AdaptiveMode[] = ['none', 'bpda', 'eot'];

export interface DefenceSettings {
  /** The spec: 'bit-depth:1,median:2'. */
  transforms: string;
  adaptive: AdaptiveMode;
  eotSamples: number;
}

/**
 * The defended classifier, or clf itself when the spec names no transform. seed: of the random draws
 * (Gaussian noise); throws one-line errors for a bad spec or mode.
 */
export function defend(clf: Classifier, spec: string, adaptive: AdaptiveMode = 'none', eotSamples = 1, seed = 0): Classifier {
  const parsed = parseDefence(spec);
  if ('error' in parsed) throw new Error(parsed.error);
  if (parsed.transforms.length === 0) return clf;
  if (clf.defence) throw new Error('defence: the classifier is defended already');
  if (!ADAPTIVE_MODES.includes(adaptive))
    throw new Error(`defence: adaptive "${String(adaptive).slice(0, 20)}" is not one of none, bpda, eot`);
  const chain = compose(transformsOf(spec));
  if (adaptive === 'eot') {
    if (!Number.isInteger(eotSamples) || eotSamples < 1 || eotSamples > 1000)
      throw new Error(`defence: EOT samples ${eotSamples} is not a whole number from 1 to 1000`);
    if (!chain.randomised) throw new Error('defence: EOT averages over random draws; the defence has no randomised transform (gaussian:S)');
  }
  const rng = new Rng(seed);
  const forward = (x: tf.Tensor4D) => chain.apply(x, rng);
  const identityBackward = tf.customGrad(((x: tf.Tensor) => ({
    value: forward(x as tf.Tensor4D),
    gradFunc: (dy: tf.Tensor) => dy,
  })) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor4D) => tf.Tensor4D;
  const transformed = adaptive === 'none' ? forward : identityBackward;
  const defence: ClassifierDefence = {
    spec: formatDefence(parsed.transforms),
    adaptive,
    gradientSamples: adaptive === 'eot' ? eotSamples : 1,
    transform: (x) => forward(x),
    ...(adaptive === 'none' && !chain.differentiable ? { attackOn: clf } : {}),
  };
  return {
    logits: (x) => tf.tidy(() => clf.logits(transformed(x))),
    inputShape: clf.inputShape,
    numClasses: clf.numClasses,
    outputKind: clf.outputKind,
    defence,
  };
}

/** What an experiment's defence settings make of a classifier (no transform: clf itself). */
export function defendWith(clf: Classifier, s: DefenceSettings | undefined, seed = 0): Classifier {
  if (!s || s.transforms.trim() === '') return clf;
  return defend(clf, s.transforms, s.adaptive, s.eotSamples, seed);
}
