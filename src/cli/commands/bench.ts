/**
 * Engine benchmark: training, input-gradient and inference throughput of the reference MNIST CNN
 * (conv32-3x3, pool, conv64-3x3, pool, dense128, dense10) in Node, per backend.
 */
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend, wasmThreads, type NodeBackend } from '../../core/engine/node-backend';
import { buildModel } from '../../core/models/architectures';
import { inputGradient } from '../../core/adversarial/loss';
import { isPosInt, num, parse } from '../args';
import { dpGradient } from '../../labs/privacy/algorithms/dp-sgd';

/**
 * DP-SGD against non-private training on Opacus's MNIST network (cnn-opacus) at its batch of 240: one
 * SGD step on the mean gradient, and one DP-SGD step (per-example gradients, clipping, noise) applied
 * the same way. Returns img/s of each.
 */
async function dpBench(time: (f: () => Promise<void>) => Promise<number>): Promise<{ plain: number; dp: number }> {
  const n = 240;
  const model = buildModel('cnn-opacus', [28, 28, 1], 10, 1);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const x = tf.randomUniform([n, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.randomUniform([n], 0, 10, 'int32', 2) as tf.Tensor1D;
  const yo = tf.oneHot(y, 10);
  const sgd = (grads: tf.Tensor[]) => tf.tidy(() => vars.forEach((v, i) => v.assign(tf.sub(v, tf.mul(grads[i], 0.01)))));
  const plainMs = await time(async () => {
    const { value, grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(yo, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
      vars,
    );
    sgd(vars.map((v) => grads[v.name]));
    await value.data();
    tf.dispose([value, ...Object.values(grads)]);
  });
  let seed = 0;
  const dpMs = await time(async () => {
    const r = dpGradient(
      model,
      x,
      y,
      { noiseMultiplier: 1.3, clip: 1.5, sampleRate: 0.004 },
      n,
      vars.map(() => seed++),
    );
    sgd(r.grads);
    await r.loss.data();
    tf.dispose([...r.grads, r.loss, r.norms, r.sumNorm, r.noiseNorm]);
  });
  tf.dispose([x, y, yo]);
  model.dispose();
  return { plain: (1000 * n) / plainMs, dp: (1000 * n) / dpMs };
}

/** Mean milliseconds per call over `reps` calls, after `warmup` calls (the wasm heap grows and XNNPACK sets up its operators in the first few). */
async function timeIt(reps: number, warmup: number, f: () => Promise<void>): Promise<number> {
  for (let i = 0; i < warmup; i++) await f();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await f();
  return (performance.now() - t0) / reps;
}

export async function runBench(args: string[]): Promise<number> {
  const { values } = parse(args, { backend: { type: 'string' }, 'batch-size': { type: 'string' }, reps: { type: 'string' } });
  const backends = (values.backend ? [values.backend] : ['wasm', 'cpu']) as NodeBackend[];
  const n = num(values['batch-size'], 'batch-size', 128, isPosInt, 'a whole number >= 1');
  const rows: string[] = [];
  for (const b of backends) {
    const backend = await initNodeBackend(b);
    const reps = num(values.reps, 'reps', b === 'cpu' ? 1 : 30, isPosInt, 'a whole number >= 1');
    const warmup = b === 'cpu' ? 1 : 3;
    const time = (f: () => Promise<void>) => timeIt(reps, warmup, f);
    const model = buildModel('cnn-small', [28, 28, 1], 10, 1);
    const clf = {
      logits: (x: tf.Tensor4D) => model.apply(x) as tf.Tensor2D,
      inputShape: [28, 28, 1] as [number, number, number],
      numClasses: 10,
      outputKind: 'logits' as const,
    };
    const opt = tf.train.adam(1e-3);
    const x = tf.randomUniform([n, 28, 28, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
    const y = tf.randomUniform([n], 0, 10, 'int32', 2) as tf.Tensor1D;
    const yo = tf.oneHot(y, 10);
    const trainMs = await time(async () => {
      const l = opt.minimize(() => tf.losses.softmaxCrossEntropy(yo, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
      await l.data();
      l.dispose();
    });
    const gradMs = await time(async () => {
      const { grad } = await inputGradient(clf, x, y);
      await grad.data();
      grad.dispose();
    });
    const inferMs = await time(async () => {
      const p = model.predict(x) as tf.Tensor;
      await p.data();
      p.dispose();
    });
    rows.push(
      `${(backend === 'wasm' ? `wasm x${wasmThreads()}` : backend).padEnd(8)} train ${((1000 * n) / trainMs).toFixed(0).padStart(6)} img/s   input-gradient ${((1000 * n) / gradMs).toFixed(0).padStart(6)} img/s   inference ${((1000 * n) / inferMs).toFixed(0).padStart(6)} img/s`,
    );
    console.log(rows[rows.length - 1]);
    const d = await dpBench(time);
    rows.push(
      `${''.padEnd(8)} cnn-opacus batch 240: non-private SGD ${d.plain.toFixed(0).padStart(6)} img/s   DP-SGD ${d.dp.toFixed(0).padStart(6)} img/s   (DP / non-private ${(d.dp / d.plain).toFixed(2)})`,
    );
    console.log(rows[rows.length - 1]);
    tf.dispose([x, y, yo]);
    opt.dispose();
    model.dispose();
  }
  console.log(`(MNIST CNN, batch ${n}; reference: PyTorch CPU on this machine trains ~3,300 img/s, input gradients ~3,000 img/s)`);
  return 0;
}
