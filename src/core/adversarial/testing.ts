/**
 * For the attack tests: a tiny classifier trained in about a second on synthetic 8x8 images (class
 * prototypes plus noise), so that attacks face a model whose decisions mean something, without
 * files or downloads.
 */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../models/classifier';
import { Rng } from '../random';

export interface TinyTask {
  model: tf.Sequential;
  clf: Classifier;
  /** Held-out images the model classifies correctly, with their labels. */
  x: tf.Tensor4D;
  y: Int32Array;
  dispose(): void;
}

function sample(rng: Rng, protos: Float32Array[], n: number, d: number, noise: number): { x: Float32Array; y: Int32Array } {
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(protos.length);
    y[i] = c;
    for (let q = 0; q < d; q++) {
      // Box-Muller
      const g = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
      x[i * d + q] = Math.min(1, Math.max(0, protos[c][q] + noise * g));
    }
  }
  return { x, y };
}

/** Train an MLP (64 -> hidden relu -> classes) on synthetic data; returns up to `keep` correctly classified test images. */
export async function tinyTask(
  seed = 1,
  opts: { classes?: number; hidden?: number; steps?: number; keep?: number; noise?: number } = {},
): Promise<TinyTask> {
  const k = opts.classes ?? 4;
  const shape: [number, number, number] = [8, 8, 1];
  const d = 64;
  const rng = new Rng(seed);
  const protos = Array.from({ length: k }, () => Float32Array.from({ length: d }, () => 0.25 + 0.5 * rng.next()));
  const noise = opts.noise ?? 0.2;
  const train = sample(rng, protos, 512, d, noise);
  const test = sample(rng, protos, 128, d, noise);
  const model = tf.sequential();
  model.add(tf.layers.flatten({ inputShape: shape }));
  model.add(tf.layers.dense({ units: opts.hidden ?? 32, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed }) }));
  model.add(tf.layers.dense({ units: k, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }));
  const xs = tf.tensor4d(train.x, [512, ...shape]);
  const ys = tf.oneHot(tf.tensor1d(train.y, 'int32'), k);
  const opt = tf.train.adam(0.01);
  for (let step = 0; step < (opts.steps ?? 150); step++) {
    const start = (step * 64) % 512;
    const l = opt.minimize(
      () =>
        tf.losses.softmaxCrossEntropy(
          tf.slice(ys, [start, 0], [64, k]),
          model.apply(tf.slice(xs, [start, 0, 0, 0], [64, ...shape])) as tf.Tensor,
        ) as tf.Scalar,
      true,
    );
    l?.dispose();
  }
  opt.dispose();
  tf.dispose([xs, ys]);
  const clf: Classifier = { logits: (x) => model.apply(x) as tf.Tensor2D, inputShape: shape, numClasses: k, outputKind: 'logits' };
  const xt = tf.tensor4d(test.x, [128, ...shape]);
  const predT = tf.tidy(() => tf.argMax(clf.logits(xt), 1));
  const pred = await predT.data();
  predT.dispose();
  const idx = Array.from({ length: 128 }, (_, i) => i)
    .filter((i) => pred[i] === test.y[i])
    .slice(0, opts.keep ?? 32);
  const x = tf.tidy(() => tf.gather(xt, tf.tensor1d(idx, 'int32')) as tf.Tensor4D);
  xt.dispose();
  return {
    model,
    clf,
    x,
    y: Int32Array.from(idx, (i) => test.y[i]),
    dispose() {
      x.dispose();
      model.dispose();
    },
  };
}
