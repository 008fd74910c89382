/**
 * Architectures of the model zoo. Every model outputs logits (no softmax layer): the lab applies
 * softmax for display and takes gradients of losses on the logits.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormalization } from './batch-norm-layer';

import { ARCHITECTURES, type ArchitectureId } from './architecture-ids';

export { ARCHITECTURES, type ArchitectureId };

/** Convolution widths of the three blocks of the batch-normalised VGGs. */
const VGG_BN_WIDTHS: Partial<Record<ArchitectureId, number[]>> = {
  'vgg-cifar-bn': [32, 64, 128],
  // adversarial training needs capacity (Madry et al. 2018, section 4): 4x the multiply-adds
  'vgg-cifar-bn-wide': [64, 128, 256],
};

export interface BuildOptions {
  /**
   * Momentum of the batch-norm layers' moving averages (TensorFlow.js's and Keras's default: 0.99, a
   * window of about 100 steps; PyTorch's momentum 0.1 is 0.9 here).
   */
  batchNormMomentum?: number;
}

export function buildModel(
  arch: ArchitectureId,
  inputShape: [number, number, number],
  numClasses: number,
  seed: number,
  options: BuildOptions = {},
): tf.Sequential {
  let s = seed;
  const init = () => tf.initializers.heNormal({ seed: s++ });
  const conv = (filters: number, first = false, padding: 'valid' | 'same' = 'valid', kernelSize = 3) =>
    tf.layers.conv2d({
      ...(first ? { inputShape } : {}),
      filters,
      kernelSize,
      activation: 'relu',
      padding,
      kernelInitializer: init(),
    });
  const dense = (units: number, activation: 'relu' | 'linear') =>
    tf.layers.dense({ units, activation, kernelInitializer: activation === 'relu' ? init() : tf.initializers.glorotUniform({ seed: s++ }) });
  const m = tf.sequential({ name: arch });
  if (arch === 'lenet-sigmoid') return lenetSigmoid(m, inputShape, numClasses, seed);
  if (arch === 'cnn-opacus') {
    // PyTorch's default initialisation of Conv2d and Linear (kaiming_uniform with a = sqrt(5)): weights and
    // biases uniform in +-1/sqrt(fan_in), which DP-SGD's published settings were tuned with
    const torchInit = (fanIn: number) => ({
      kernelInitializer: tf.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed: s++ }),
      biasInitializer: tf.initializers.randomUniform({ minval: -1 / Math.sqrt(fanIn), maxval: 1 / Math.sqrt(fanIn), seed: s++ }),
    });
    const c = inputShape[2];
    m.add(tf.layers.rescaling({ inputShape, scale: 1 / 0.3081, offset: -0.1307 / 0.3081 }));
    // 8x8 stride 2 with PyTorch's padding 3 on 28x28 is TensorFlow's same padding (3 before, 3 after)
    m.add(tf.layers.conv2d({ filters: 16, kernelSize: 8, strides: 2, padding: 'same', activation: 'relu', ...torchInit(64 * c) }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 1 }));
    m.add(tf.layers.conv2d({ filters: 32, kernelSize: 4, strides: 2, padding: 'valid', activation: 'relu', ...torchInit(16 * 16) }));
    m.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 1 }));
    m.add(tf.layers.flatten());
    const flat = (m.outputShape as number[]).slice(1).reduce((a, b) => a * b, 1);
    m.add(tf.layers.dense({ units: 32, activation: 'relu', ...torchInit(flat) }));
    m.add(tf.layers.dense({ units: numClasses, ...torchInit(32) }));
    return m;
  }
  if (arch === 'cnn-small') {
    m.add(conv(32, true));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(conv(64));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.flatten());
    m.add(dense(128, 'relu'));
  } else if (arch === 'cnn-madry') {
    // robustness at MNIST eps 0.3 needs capacity (Madry et al., section 4): this is their network
    m.add(conv(32, true, 'same', 5));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(conv(64, false, 'same', 5));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.flatten());
    m.add(dense(1024, 'relu'));
  } else if (arch === 'vgg-cifar') {
    // no batch normalisation (vgg-cifar-bn has it; its training step costs ~1.15x on the wasm engine)
    [32, 64, 128].forEach((w, i) => {
      m.add(conv(w, i === 0, 'same'));
      m.add(conv(w, false, 'same'));
      m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    });
    m.add(tf.layers.flatten());
    m.add(dense(256, 'relu'));
  } else if (VGG_BN_WIDTHS[arch]) {
    VGG_BN_WIDTHS[arch].forEach((w, i) => {
      for (let j = 0; j < 2; j++) {
        m.add(
          tf.layers.conv2d({
            ...(i + j === 0 ? { inputShape } : {}),
            filters: w,
            kernelSize: 3,
            padding: 'same',
            useBias: false,
            kernelInitializer: init(),
          }),
        );
        m.add(batchNormalization(options.batchNormMomentum === undefined ? undefined : { momentum: options.batchNormMomentum }));
        m.add(tf.layers.reLU());
      }
      m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    });
    m.add(tf.layers.flatten());
    m.add(dense(256, 'relu'));
  } else {
    m.add(conv(32, true));
    m.add(conv(32));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(conv(64));
    m.add(conv(64));
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.flatten());
    m.add(dense(256, 'relu'));
  }
  m.add(dense(numClasses, 'linear'));
  return m;
}

/**
 * The LeNet of the DLG authors' code (mit-han-lab/dlg, models/vision.py): PyTorch's padding 2 on every
 * side is an explicit zero padding before a 'valid' convolution (TensorFlow.js's 'same' pads stride-2
 * convolutions asymmetrically, 1 and 2); their weights_init draws every weight and bias from
 * uniform(-0.5, 0.5). The dense layer reads the features channels-last (PyTorch flattens channels-first:
 * the same network up to a permutation of the dense layer's rows).
 */
function lenetSigmoid(m: tf.Sequential, inputShape: [number, number, number], numClasses: number, seed: number): tf.Sequential {
  let s = seed;
  const uniform = () => tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: s++ });
  [2, 2, 1].forEach((strides, i) => {
    m.add(tf.layers.zeroPadding2d({ ...(i === 0 ? { inputShape } : {}), padding: 2 }));
    m.add(
      tf.layers.conv2d({ filters: 12, kernelSize: 5, strides, padding: 'valid', activation: 'sigmoid', kernelInitializer: uniform(), biasInitializer: uniform() }),
    );
  });
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: numClasses, kernelInitializer: uniform(), biasInitializer: uniform() }));
  return m;
}

export function describeModel(m: tf.LayersModel): string {
  return m.layers
    .map((l) => {
      const c = l.getConfig() as { filters?: number; kernelSize?: number[]; units?: number; poolSize?: number[]; activation?: string };
      const name = l.getClassName();
      if (name === 'Conv2D') return `Conv2D(${c.filters}, ${c.kernelSize?.join('x')}, ${c.activation})`;
      if (name === 'Dense') return `Dense(${c.units}, ${c.activation})`;
      if (name === 'MaxPooling2D') return `MaxPool(${c.poolSize?.join('x')})`;
      return name;
    })
    .join(' -> ');
}
