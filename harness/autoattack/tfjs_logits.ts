/**
 * Logits of a zoo model on the first N test images, computed by plain TensorFlow.js (the npm package,
 * cpu backend) from model.json + weights.bin -- no lab source is imported. Used to check
 * tfjs_to_torch.py image by image:
 *
 *   npx tsx harness/autoattack/tfjs_logits.ts --model mnist-cnn --dataset mnist --n 1000 --out /tmp/l.f32
 *   /usr/bin/python3 harness/autoattack/tfjs_to_torch.py --model mnist-cnn --dataset mnist --n 1000 --tfjs-logits /tmp/l.f32
 *
 * Writes N x classes little-endian float32 values; prints {n, clean_accuracy} as JSON.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    dataset: { type: 'string' },
    n: { type: 'string', default: '1000' },
    out: { type: 'string' },
  },
});
if (!values.model || !values.dataset || !values.out) {
  console.error('usage: tfjs_logits.ts --model <zoo-id | model.json> --dataset <mnist|fashion-mnist> --n N --out file.f32');
  process.exit(2);
}
const n = Number(values.n);

function readIdx(path: string): { shape: number[]; data: Uint8Array } {
  const b = readFileSync(path);
  const ndim = b[3];
  const shape = Array.from({ length: ndim }, (_, i) => b.readUInt32BE(4 + 4 * i));
  return { shape, data: new Uint8Array(b.buffer, b.byteOffset + 4 + 4 * ndim, b.length - 4 - 4 * ndim) };
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const modelJson = values.model!.endsWith('.json') ? resolve(values.model!) : join(repo, 'models', values.model!, 'model.json');
  const mj = JSON.parse(readFileSync(modelJson, 'utf8'));
  const specs = mj.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights);
  const bins = mj.weightsManifest.flatMap((g: { paths: string[] }) => g.paths.map((p) => readFileSync(join(dirname(modelJson), p))));
  const all = Buffer.concat(bins);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.length);
  const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: mj.modelTopology, weightSpecs: specs, weightData }));
  const dir = join(repo, 'public', 'data', values.dataset!);
  const imgPath = join(dir, 'test-images.idx');
  if (!existsSync(imgPath)) throw new Error(`${imgPath} not found (run npm run prepare-data)`);
  const img = readIdx(imgPath);
  const [, h, w] = img.shape;
  const c = img.shape[3] ?? 1;
  const per = h * w * c;
  const labels = readIdx(join(dir, 'test-labels.idx')).data;
  const out: Float32Array[] = [];
  let correct = 0;
  for (let s = 0; s < n; s += 250) {
    const m = Math.min(250, n - s);
    const x = new Float32Array(m * per);
    for (let i = 0; i < m * per; i++) x[i] = img.data[s * per + i] / 255;
    const logits = tf.tidy(() => model.predict(tf.tensor4d(x, [m, h, w, c])) as tf.Tensor2D);
    const v = (await logits.data()) as Float32Array;
    const k = logits.shape[1];
    logits.dispose();
    for (let i = 0; i < m; i++) {
      let arg = 0;
      for (let j = 1; j < k; j++) if (v[i * k + j] > v[i * k + arg]) arg = j;
      if (arg === labels[s + i]) correct++;
    }
    out.push(v);
  }
  const flat = new Float32Array(out.reduce((a, v) => a + v.length, 0));
  let o = 0;
  for (const v of out) {
    flat.set(v, o);
    o += v.length;
  }
  writeFileSync(values.out!, Buffer.from(flat.buffer));
  console.log(JSON.stringify({ model: values.model, dataset: values.dataset, n, clean_accuracy: correct / n, backend: 'cpu' }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
