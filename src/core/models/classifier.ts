import * as tf from '@tensorflow/tfjs';

/**
 * The contract every attack and evaluation uses: a function from a batch of images in [0, 1]
 * (N x H x W x C) to logits (N x K). Gradients are always taken of a loss on these logits, never on
 * probabilities: a model that ends in softmax is unwrapped by `asClassifier`.
 */
export interface Classifier {
  logits(x: tf.Tensor4D): tf.Tensor2D;
  inputShape: [number, number, number];
  numClasses: number;
  /** How the logits were obtained, for cards and reports. */
  outputKind: 'logits' | 'pre-softmax' | 'log-probabilities';
  /** Set on a defended classifier (src/core/defences/defend.ts): input transformations in front of a model. */
  defence?: ClassifierDefence;
}

/** What a defended classifier tells attacks and the shared gradient helpers (src/core/defences/defend.ts). */
export interface ClassifierDefence {
  /** The transformations, as text ('bit-depth:1,median:2'). */
  spec: string;
  /** How attacks get gradients through the transformations. */
  adaptive: 'none' | 'bpda' | 'eot';
  /** Draws whose loss gradients gradWithLogits / inputGradient average (EOT); 1 otherwise. */
  gradientSamples: number;
  /**
   * Set when attacks cannot differentiate the defence (JPEG under 'none'): the undefended classifier
   * attacks run on; their result is then passed through the defence (src/core/defences/through.ts).
   */
  attackOn?: Classifier;
  /** The transformations alone (a new draw of a randomised one): what the defence makes of an input. */
  transform(x: tf.Tensor4D): tf.Tensor4D;
}

function lastActivation(layer: tf.layers.Layer): string | undefined {
  const cfg = layer.getConfig() as { activation?: string };
  return cfg.activation;
}

/** Wrap a LayersModel as a Classifier, taking logits from before a final softmax when there is one. */
export function asClassifier(model: tf.LayersModel): Classifier {
  const inShape = model.inputs[0].shape;
  const outShape = model.outputs[0].shape;
  if (inShape.length !== 4 || inShape.slice(1).some((d) => d === null)) {
    throw new Error(`the model takes input ${JSON.stringify(inShape)}; an image classifier takes [N, H, W, C]`);
  }
  if (outShape.length !== 2 || !outShape[1] || outShape[1] < 2) {
    throw new Error(`the model outputs ${JSON.stringify(outShape)}; a classifier outputs [N, classes]`);
  }
  const inputShape = inShape.slice(1) as [number, number, number];
  const numClasses = outShape[1];
  const last = model.layers[model.layers.length - 1];
  const act = lastActivation(last);
  if (act !== 'softmax') {
    return { logits: (x) => model.apply(x) as tf.Tensor2D, inputShape, numClasses, outputKind: 'logits' };
  }
  const className = last.getClassName();
  if (className === 'Activation' && model.layers.length >= 2) {
    const pre = tf.model({ inputs: model.inputs, outputs: last.input as tf.SymbolicTensor });
    return { logits: (x) => pre.apply(x) as tf.Tensor2D, inputShape, numClasses, outputKind: 'pre-softmax' };
  }
  if (className === 'Dense') {
    const features = tf.model({ inputs: model.inputs, outputs: last.input as tf.SymbolicTensor });
    const [kernel, bias] = last.getWeights();
    return {
      logits: (x) =>
        tf.tidy(() => {
          const z = tf.matMul(features.apply(x) as tf.Tensor2D, kernel);
          return (bias ? tf.add(z, bias) : z) as tf.Tensor2D;
        }),
      inputShape,
      numClasses,
      outputKind: 'pre-softmax',
    };
  }
  // Unknown softmax layer: log-probabilities differ from logits by a per-row constant, so
  // cross-entropy and logit margins are unchanged (only float32 underflow differs).
  return {
    logits: (x) => tf.tidy(() => tf.log(tf.maximum(model.apply(x) as tf.Tensor2D, 1e-30)) as tf.Tensor2D),
    inputShape,
    numClasses,
    outputKind: 'log-probabilities',
  };
}

/** Predicted class per image (read with an awaited `data()`, never synchronously). */
export async function predict(clf: Classifier, x: tf.Tensor4D): Promise<Int32Array> {
  const pred = tf.tidy(() => tf.argMax(clf.logits(x), 1));
  try {
    return (await pred.data()) as Int32Array;
  } finally {
    pred.dispose();
  }
}
