import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from './node-backend';
import { installLazyConvGradients, uninstallLazyConvGradients } from './lazy-conv-gradients';
import { buildModel } from '../models/architectures';

/** Linear convolutions (one before batch norm, one with a bias), a relu one and a strided one. */
function net(): tf.Sequential {
  const init = (seed: number) => tf.initializers.glorotNormal({ seed });
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 6, kernelSize: 3, useBias: false, kernelInitializer: init(1) }));
  m.add(tf.layers.batchNormalization());
  m.add(tf.layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same', biasInitializer: 'ones', kernelInitializer: init(2) }));
  m.add(tf.layers.conv2d({ filters: 4, kernelSize: 2, strides: 2, activation: 'relu', kernelInitializer: init(3) }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 3, kernelInitializer: init(4) }));
  return m;
}

interface Measured {
  forward: number[];
  input: number[];
  weights: number[][];
  /** kernels an input gradient runs, by name */
  inputKernels: string[];
}

/**
 * Outputs, the input gradient and the weight gradients of a loss on the model's outputs (training mode),
 * from the given weights (a training-mode call moves batch norm's statistics).
 */
async function measure(m: tf.LayersModel, x: tf.Tensor4D, weights: tf.Tensor[]): Promise<Measured> {
  m.setWeights(weights);
  const loss = (xx: tf.Tensor) => tf.sum(tf.square(m.apply(xx, { training: true }) as tf.Tensor)) as tf.Scalar;
  const inputGrad = () => tf.grad(loss)(x);
  const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
  const { grads } = tf.variableGrads(() => loss(x), vars);
  const measured = {
    forward: Array.from((m.predict(x) as tf.Tensor).dataSync()),
    input: Array.from(inputGrad().dataSync()),
    weights: vars.map((v) => Array.from(grads[v.name].dataSync())),
    inputKernels: (await tf.profile(() => void inputGrad())).kernels.map((k) => k.name),
  };
  tf.dispose(Object.values(grads));
  return measured;
}

const count = (names: string[], kernel: string) => names.filter((k) => k === kernel).length;

describe('lazy convolution gradients', () => {
  afterAll(() => installLazyConvGradients());

  for (const backend of ['cpu', 'wasm'] as const)
    it(`equal the stock layer's outputs and gradients on ${backend} and skip the filter gradients of an input gradient`, async () => {
      if (backend === 'cpu') await tf.setBackend('cpu');
      else await initNodeBackend('wasm', 1);
      const [m, x] =
        backend === 'cpu'
          ? [net(), tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 5) as tf.Tensor4D]
          : [buildModel('vgg-cifar-bn', [32, 32, 3], 10, 1), tf.randomUniform([4, 32, 32, 3], 0, 1, 'float32', 5) as tf.Tensor4D];
      const linearConvs = m.layers.filter(
        (l) => l.getClassName() === 'Conv2D' && (l.getConfig() as { activation: string }).activation === 'linear',
      ).length;
      const weights = m.getWeights().map((w) => w.clone());
      uninstallLazyConvGradients();
      const stock = await measure(m, x, weights);
      installLazyConvGradients();
      const lazy = await measure(m, x, weights);
      // the stock fused op computes a filter gradient for every linear convolution, wanted or not
      expect(count(stock.inputKernels, 'Conv2DBackpropFilter')).toBeGreaterThanOrEqual(linearConvs);
      expect(count(lazy.inputKernels, 'Conv2DBackpropFilter')).toBe(0);
      expect(count(lazy.inputKernels, 'Conv2DBackpropInput')).toBe(count(stock.inputKernels, 'Conv2DBackpropInput'));
      // the same kernels on the same inputs: equal bit for bit
      expect(lazy.forward).toEqual(stock.forward);
      expect(lazy.input).toEqual(stock.input);
      expect(lazy.weights).toEqual(stock.weights);
    });
});
