import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../../../../core/models/architectures';
import { disposeLeakNet, forward, leakNetOf, parameterGradients, parameterGradientsByTape, releaseSelections } from './net';

describe('the leakage network (im2col convolutions, hand-written backward pass)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const [arch, shape] of [
    ['lenet-sigmoid', [12, 12, 3]],
    ['cnn-small', [12, 12, 1]],
  ] as const)
    it(`${arch}: logits equal the LayersModel's, or the network is refused`, () => {
      const model = buildModel(arch, [...shape], 10, 2);
      if (arch === 'cnn-small') {
        expect(() => leakNetOf(model)).toThrow(/MaxPooling2D/);
        model.dispose();
        return;
      }
      const net = leakNetOf(model);
      const x = tf.randomUniform([2, ...shape], 0, 1, 'float32', 3) as tf.Tensor4D;
      const a = tf.tidy(() => (model.predict(x) as tf.Tensor).arraySync() as number[][]);
      const b = tf.tidy(() => forward(net, net.params, x).arraySync());
      a.flat().forEach((v, i) => expect(b.flat()[i]).toBeCloseTo(v, 4));
      tf.dispose([x]);
      disposeLeakNet(net);
      model.dispose();
    });

  it("the hand-written parameter gradient equals TensorFlow.js's tape (soft targets, batch 2, 'same' padding too)", () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [7, 7, 2], filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh' }));
    m.add(tf.layers.zeroPadding2d({ padding: 1 }));
    m.add(tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', useBias: false }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 5, activation: 'sigmoid' }));
    m.add(tf.layers.dense({ units: 3 }));
    const net = leakNetOf(m);
    tf.tidy(() => {
      const x = tf.randomUniform([2, 7, 7, 2], 0, 1, 'float32', 4) as tf.Tensor4D;
      const t = tf.softmax(tf.randomNormal([2, 3], 0, 1, 'float32', 5)) as tf.Tensor2D;
      const a = parameterGradientsByTape(net, x, t);
      const b = parameterGradients(net, x, t);
      expect(b.map((g) => g.shape)).toEqual(a.map((g) => g.shape));
      a.forEach((g, k) => {
        const gv = g.dataSync();
        const hv = b[k].dataSync();
        gv.forEach((v, i) => expect(hv[i]).toBeCloseTo(v, 5));
      });
    });
    disposeLeakNet(net);
    m.dispose();
    releaseSelections();
  });
});
