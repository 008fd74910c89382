/**
 * Input gradients through convolution layers without their filter gradients, on every backend.
 *
 * TensorFlow.js's Conv2D layer always calls tf.fused.conv2d. With a linear activation (the zoo's
 * convolutions before batch norm) that op stays fused under a gradient tape, and its gradient is a
 * customGrad that computes the input AND the filter gradient every time, although an attack asks only
 * for the input gradient. On vgg-cifar-bn-wide (wasm engine, batch 128) the unused filter gradients
 * were 40% of an input gradient's time; the same waste fell on WebGL and WebGPU.
 *
 * While a gradient is being taped, a channels-last Conv2D layer with a linear activation here computes
 * the same thing with tf.conv2d (plus the bias), whose registered gradient is lazy: the tape runs only
 * the filter or input gradients on a path to what was asked for. The kernels are the same ones the
 * fused op calls (equal outputs and gradients: lazy-conv-gradients.test.ts). Every other case, and
 * every call outside a gradient, is the stock call. The layer class and its saved form are untouched.
 */
import * as tf from '@tensorflow/tfjs';

type Conv2DLayer = ReturnType<typeof tf.layers.conv2d>;

/** The stock layer's fields the call reads (protected in its typings). */
interface Internals {
  rank: number;
  dataFormat: 'channelsFirst' | 'channelsLast';
  padding: 'valid' | 'same' | 'causal';
  strides: [number, number];
  dilationRate: number | [number, number];
  activation: { getClassName(): string };
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
}

type Call = Conv2DLayer['call'];

let patched: { proto: { call: Call }; stock: Call } | null = null;

/** Patches Conv2D's call (idempotent). */
export function installLazyConvGradients(): void {
  if (patched) return;
  // the class is only reachable through an instance; an explicit name leaves the layer-name counters alone
  const proto = Object.getPrototypeOf(tf.layers.conv2d({ filters: 1, kernelSize: 1, name: 'rlab_conv2d_probe' })) as {
    call: Call;
  };
  const stock = proto.call;
  patched = { proto, stock };
  proto.call = function lazyGradientCall(this: Conv2DLayer, inputs, kwargs) {
    const self = this as unknown as Internals;
    const taping = tf.engine().state.gradientDepth > 0;
    if (
      !taping ||
      self.rank !== 2 ||
      self.dataFormat !== 'channelsLast' ||
      self.padding === 'causal' ||
      self.activation.getClassName() !== 'linear'
    ) {
      return stock.call(this, inputs, kwargs);
    }
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const y = tf.conv2d(x, self.kernel.read() as tf.Tensor4D, self.strides, self.padding as 'valid' | 'same', 'NHWC', self.dilationRate);
      return self.bias ? tf.add(y, self.bias.read()) : y;
    });
  };
}

/** Puts the stock call back (for tests that compare the two). */
export function uninstallLazyConvGradients(): void {
  if (!patched) return;
  patched.proto.call = patched.stock;
  patched = null;
}
