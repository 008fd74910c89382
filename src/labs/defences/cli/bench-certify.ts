/**
 * rlab bench-certify: the speed of randomized smoothing's sampling in Node, in noisy forward passes per
 * second (what certification is made of: 10,100 per image at n0 = 100, n = 10,000), on a zoo model (the
 * MNIST CNN by default) and the first test image. It prints three figures: the noise alone (the
 * seeded Gaussian stream writing image + sigma * z), the forward passes and votes alone (one fixed
 * batch), and the two together exactly as `rlab certify` runs them (`sampleNoiseCounts`, one read).
 */
import * as tf from '@tensorflow/tfjs';
import { getDataset } from '../../../core/data/datasets';
import { initNodeBackend, wasmThreads, type NodeBackend } from '../../../core/engine/node-backend';
import { isPosInt, num, parse, UsageError } from '../../../cli/args';
import type { Command } from '../../../cli/command';
import { loadNodeModel, loadNodeSplit } from '../../../cli/node-io';
import { GaussianStream, sampleNoiseCounts } from '../algorithms/smoothing';
import { setConvAlgorithm } from '../../../core/engine/winograd';
import { CONV_FLAG, convFlag } from './certify';

export async function runBenchCertify(args: string[]): Promise<number> {
  const { values } = parse(args, {
    model: { type: 'string', default: 'mnist-cnn' },
    batch: { type: 'string' },
    samples: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    conv: { type: 'string', default: 'direct' },
    json: { type: 'boolean', default: false },
  });
  if (values.backend !== 'wasm' && values.backend !== 'cpu')
    throw new UsageError(`--backend ${values.backend} is not available in Node (wasm, cpu)`);
  const batch = num(values.batch, 'batch', 1000, isPosInt, 'a whole number >= 1');
  const samples = num(values.samples, 'samples', 20000, isPosInt, 'a whole number >= 1');
  const conv = convFlag(values.conv, values.backend);
  const backend = await initNodeBackend(values.backend as NodeBackend);
  setConvAlgorithm(conv);
  const model = await loadNodeModel(values.model!);
  if (!model.card) throw new UsageError(`--model ${values.model} is not a zoo model`);
  const ds = getDataset(model.card.dataset);
  const test = await loadNodeSplit(ds.id, 'test');
  const size = ds.shape[0] * ds.shape[1] * ds.shape[2];
  const image = Float32Array.from(test.pixels.subarray(0, size), (v) => v / 255);
  const clf = model.classifier;
  const sigma = 0.25;
  const rate = (count: number, ms: number) => Math.round((1000 * count) / ms);

  // the noise alone
  const buf = new Float32Array(batch * size);
  const stream = new GaussianStream(1);
  stream.fillNoisy(buf, image, sigma);
  let t0 = performance.now();
  let done = 0;
  while (done < samples) {
    stream.fillNoisy(buf, image, sigma);
    done += batch;
  }
  const noise = rate(done, performance.now() - t0);

  // forward passes and votes alone, on one fixed noisy batch
  const x = tf.tensor4d(buf, [batch, ...ds.shape]);
  const votes = async () => {
    const c = tf.tidy(() => tf.oneHot(tf.argMax(clf.logits(x), 1) as tf.Tensor1D, clf.numClasses).sum(0));
    await c.data();
    c.dispose();
  };
  await votes();
  await votes();
  t0 = performance.now();
  done = 0;
  while (done < samples) {
    await votes();
    done += batch;
  }
  const forward = rate(done, performance.now() - t0);
  x.dispose();

  // both, as certify runs them
  const warm = await sampleNoiseCounts(clf, image, batch, sigma, new GaussianStream(2), { batch });
  warm.dispose();
  t0 = performance.now();
  const counts = await sampleNoiseCounts(clf, image, samples, sigma, new GaussianStream(3), { batch });
  await counts.data();
  const total = rate(samples, performance.now() - t0);
  counts.dispose();

  const threads = backend === 'wasm' ? wasmThreads() : 1;
  const cores = (await import('node:os')).cpus().length;
  const out = {
    model: model.label,
    dataset: ds.id,
    batch,
    samples,
    backend,
    threads,
    conv,
    noise_samples_per_second: noise,
    forward_passes_per_second: forward,
    noisy_forward_passes_per_second: total,
  };
  if (values.json) process.stdout.write(JSON.stringify(out) + '\n');
  else {
    console.log(
      `${model.label} (${ds.name}), batch ${batch}, ${samples} samples, ${backend}${backend === 'wasm' ? ` x${threads}` : ''} on ${cores} cores, ${conv} convolution`,
    );
    console.log(`noise only                     ${noise.toLocaleString('en-US').padStart(9)} samples/s`);
    console.log(`forward passes and votes only  ${forward.toLocaleString('en-US').padStart(9)} /s`);
    console.log(
      `noisy forward passes (certify) ${total.toLocaleString('en-US').padStart(9)} /s   (${((10100 * 200) / total / 60).toFixed(1)} min for 200 images at n0 100, n 10,000)`,
    );
  }
  model.model.dispose();
  tf.disposeVariables();
  return 0;
}

export const benchCertifyCommand: Command = {
  name: 'bench-certify',
  summary: 'noisy forward passes per second of randomized smoothing in Node (the work of rlab certify)',
  flags: [
    { name: 'model', value: 'zoo-id', help: 'the base classifier (default mnist-cnn)' },
    { name: 'batch', value: 'b', help: 'noisy copies per forward pass (1000)' },
    { name: 'samples', value: 'k', help: 'noisy samples timed (20000)' },
    { name: 'backend', value: 'wasm|cpu', help: 'TensorFlow.js backend in Node (wasm)' },
    CONV_FLAG,
    { name: 'json', help: 'print one JSON object' },
  ],
  run: runBenchCertify,
};
