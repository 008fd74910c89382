/**
 * rlab bench-attacks: attack throughput in Node. PGD-40 (L-inf, eps 0.3, step 0.01, random start) on
 * the first N MNIST test images, reported as images x steps per second, and the time PGD-40 takes on
 * 1000 images (measured, or extrapolated from N when N < 1000 and --full is not given).
 * Model: the zoo's mnist-cnn if it exists, else a freshly initialised reference CNN (cnn-small).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { runAttack } from '../../labs/attacks/algorithms/registry';
import { initNodeBackend, type NodeBackend } from '../../core/engine/node-backend';
import { buildModel } from '../../core/models/architectures';
import type { Classifier } from '../../core/models/classifier';
import { batchTensor, sliceSplit } from '../../core/data/batches';
import { isPosInt, num, parse, UsageError } from '../args';
import { loadNodeModel, loadNodeSplit } from '../node-io';
import { projectRoot } from '../paths';

export async function runBenchAttacks(args: string[]): Promise<number> {
  const { values } = parse(args, {
    model: { type: 'string' },
    n: { type: 'string' },
    'batch-size': { type: 'string' },
    steps: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    full: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  if (values.backend !== 'wasm' && values.backend !== 'cpu')
    throw new UsageError(`--backend ${values.backend} is not available in Node (wasm, cpu)`);
  const n = num(values.n, 'n', 100, (v) => isPosInt(v) && v <= 10000, 'a whole number from 1 to 10000');
  const bs = num(values['batch-size'], 'batch-size', 250, isPosInt, 'a whole number >= 1');
  const steps = num(values.steps, 'steps', 40, isPosInt, 'a whole number >= 1');
  const backend = await initNodeBackend(values.backend as NodeBackend);
  let clf: Classifier;
  let label: string;
  let dispose: () => void;
  const zoo = values.model ?? (existsSync(join(projectRoot(), 'models', 'mnist-cnn', 'model.json')) ? 'mnist-cnn' : null);
  if (zoo) {
    const m = await loadNodeModel(zoo, [28, 28, 1]);
    clf = m.classifier;
    label = m.label;
    dispose = () => m.model.dispose();
  } else {
    const m = buildModel('cnn-small', [28, 28, 1], 10, 1);
    clf = { logits: (x) => m.apply(x) as tf.Tensor2D, inputShape: [28, 28, 1], numClasses: 10, outputKind: 'logits' };
    label = 'cnn-small (freshly initialised, untrained)';
    dispose = () => m.dispose();
  }
  const test = await loadNodeSplit('mnist', 'test');
  const time = async (count: number): Promise<number> => {
    const split = sliceSplit(test, 0, count);
    let ms = 0;
    for (let start = 0; start < count; start += bs) {
      const idx = Array.from({ length: Math.min(bs, count - start) }, (_, i) => start + i);
      const { x, y } = batchTensor(split, idx);
      const labels = (await y.data()) as Int32Array;
      const t0 = performance.now();
      const r = await runAttack(
        clf,
        x,
        labels,
        { name: 'pgd', eps: 0.3, steps, stepSize: 0.01, randomStart: true, seed: start },
        { keepTrace: false },
      );
      await r.adversarial.data();
      ms += performance.now() - t0;
      tf.dispose([r.adversarial, x, y]);
    }
    return ms;
  };
  await time(Math.min(n, 8)); // warm-up: kernels and caches
  const ms = await time(n);
  const rate = (n * steps) / (ms / 1000);
  const full = values.full || n >= 1000;
  const ms1000 = full ? (n === 1000 ? ms : await time(1000)) : (ms * 1000) / n;
  const out = {
    model: label,
    backend,
    attack: `PGD-${steps} L-inf eps 0.3 step 0.01 random start`,
    n,
    batch_size: bs,
    seconds: Number((ms / 1000).toFixed(3)),
    image_steps_per_second: Math.round(rate),
    seconds_for_1000_images: Number((ms1000 / 1000).toFixed(2)),
    seconds_for_1000_images_measured: full,
  };
  if (values.json) {
    process.stdout.write(JSON.stringify(out) + '\n');
  } else {
    console.log(`${out.attack} on ${n} MNIST test images, model ${label}, backend ${backend}, batch ${bs}`);
    console.log(`throughput ${out.image_steps_per_second} image-steps/s (${(n / (ms / 1000)).toFixed(1)} images/s)`);
    console.log(`PGD-${steps} on 1000 images: ${out.seconds_for_1000_images} s${full ? '' : ' (extrapolated; --full measures it)'}`);
  }
  dispose();
  return 0;
}
