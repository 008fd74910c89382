/**
 * A network's weights as one flat vector (the federated model and every client update), in the
 * order of `model.getWeights()`. The image and the text simulation both use it.
 */
import * as tf from '@tensorflow/tfjs';

/** The weights of `model`, concatenated. */
export function readWeights(model: tf.LayersModel): Float32Array {
  const ws = model.getWeights();
  const out = new Float32Array(ws.reduce((s, w) => s + w.size, 0));
  let o = 0;
  for (const w of ws) {
    const d = w.dataSync() as Float32Array;
    out.set(d, o);
    o += d.length;
  }
  return out;
}

/** Set `model`'s weights (of the given shapes) from a flat vector. */
export function writeWeights(model: tf.LayersModel, shapes: readonly number[][], v: Float32Array): void {
  let o = 0;
  const ts = shapes.map((s) => {
    const size = s.reduce((p, d) => p * d, 1);
    const t = tf.tensor(v.subarray(o, o + size), s);
    o += size;
    return t;
  });
  model.setWeights(ts);
  tf.dispose(ts);
}
