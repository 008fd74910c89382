/**
 * A network's loss gradient as a function that can itself be differentiated: what gradient leakage
 * (DLG, iDLG, inverting gradients) optimises through.
 *
 * Second-order gradients in TensorFlow.js 4.22 (checked in second-order.test.ts against finite
 * differences, on the CPU backend and on the wasm engine with every kernel of src/core/engine/
 * installed):
 * - tf.conv2d is NOT twice differentiable with respect to its filter's gradient: Conv2DBackpropFilter
 *   has no registered gradient in tfjs-core, and the engine's own Conv2DBackpropFilter (fast-conv.ts)
 *   handles stride 1 only, where the DLG LeNet has stride 2. Convolutions here are therefore written
 *   as a differentiable im2col: a constant 0/1 selection matrix times the input (the zero padding
 *   folded in), then a matrix product with the kernel. Reshape, Transpose and BatchMatMul have
 *   gradients made of the same ops, so any order of derivative exists. (A Slice per kernel tap works
 *   too but took ~4x longer: some 1500 small ops per second-order step; the wasm backend has no
 *   UnsortedSegmentSum, the gradient of Gather.)
 * - MaxPoolGrad has no registered gradient either (the engine's fast-pool.ts replaces its kernel, not
 *   its differentiability): networks with max pooling are refused here.
 * - The engine's BatchMatMul (transposed operands), Sum/Mean over leading axes, Tile and Identity are
 *   kernels whose gradients are TensorFlow.js's op-level ones: differentiable, and the test finds them
 *   equal to finite differences.
 * - TensorFlow.js's batch-norm and lazy conv-gradient replacements are not on this path.
 *
 * The loss is the DLG authors' cross_entropy_for_onehot: mean over the batch of
 * sum_k -target_k log softmax(z)_k, with a (soft) target distribution.
 */
import * as tf from '@tensorflow/tfjs';

type Activation = 'linear' | 'sigmoid' | 'relu' | 'tanh';

export type LayerSpec =
  | { kind: 'pad'; top: number; bottom: number; left: number; right: number }
  | { kind: 'conv'; kh: number; kw: number; stride: [number, number]; same: boolean; activation: Activation; weights: number }
  | { kind: 'flatten' }
  | { kind: 'dense'; activation: Activation; weights: number };

/** A network as a list of layer specs over a flat list of parameter tensors (kernel, bias, ...). */
export interface LeakNet {
  layers: LayerSpec[];
  params: tf.Tensor[];
  inputShape: [number, number, number];
  numClasses: number;
}

const ACTIVATIONS: readonly string[] = ['linear', 'sigmoid', 'relu', 'tanh'];

/** Reads a sequential LayersModel of zero paddings, convolutions, flattens and dense layers (weights are cloned). */
export function leakNetOf(model: tf.LayersModel): LeakNet {
  const layers: LayerSpec[] = [];
  const params: tf.Tensor[] = [];
  for (const l of model.layers) {
    const name = l.getClassName();
    const c = l.getConfig() as Record<string, unknown>;
    const act = (c.activation as string | undefined) ?? 'linear';
    if ((name === 'Conv2D' || name === 'Dense') && !ACTIVATIONS.includes(act))
      throw new Error(`gradient leakage: activation ${act} of layer ${l.name} is not supported`);
    const w = l.getWeights();
    if (name === 'ZeroPadding2D') {
      const [[top, bottom], [left, right]] = c.padding as [[number, number], [number, number]];
      layers.push({ kind: 'pad', top, bottom, left, right });
    } else if (name === 'Conv2D') {
      if (c.dataFormat !== 'channelsLast') throw new Error('gradient leakage: channels-last convolutions only');
      const dil = c.dilationRate as number[] | number;
      if ((Array.isArray(dil) ? dil : [dil]).some((d) => d !== 1)) throw new Error('gradient leakage: dilated convolutions are not supported');
      const [kh, kw] = c.kernelSize as [number, number];
      const stride = c.strides as [number, number];
      layers.push({ kind: 'conv', kh, kw, stride, same: c.padding === 'same', activation: act as Activation, weights: w.length });
      w.forEach((t) => params.push(t.clone()));
    } else if (name === 'Flatten') layers.push({ kind: 'flatten' });
    else if (name === 'Dense') {
      layers.push({ kind: 'dense', activation: act as Activation, weights: w.length });
      w.forEach((t) => params.push(t.clone()));
    } else
      throw new Error(
        `gradient leakage: layer ${name} is not supported (its gradient is not differentiable in TensorFlow.js or not written here)`,
      );
  }
  const inputShape = model.inputs[0].shape.slice(1) as [number, number, number];
  const numClasses = model.outputs[0].shape[1] as number;
  return { layers, params, inputShape, numClasses };
}

export function disposeLeakNet(net: LeakNet): void {
  tf.dispose(net.params);
}

function activate(x: tf.Tensor, a: Activation): tf.Tensor {
  if (a === 'sigmoid') return tf.sigmoid(x);
  if (a === 'relu') return tf.relu(x);
  if (a === 'tanh') return tf.tanh(x);
  return x;
}

/** Geometry of one convolution: input size, kernel, stride, padding (top, left) and output size. */
interface ConvGeometry {
  h: number;
  w: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  top: number;
  left: number;
  ho: number;
  wo: number;
}

const selections = new Map<string, { s: tf.Tensor2D; t: tf.Tensor2D }>();

/**
 * The im2col selection matrix S [ho*wo*kh*kw, h*w] and its transpose: row ((i, j), (a, b)) picks input pixel
 * (i*sh + a - top, j*sw + b - left), or nothing where that falls in the zero padding. Kept per geometry
 * (a few MB for the LeNet; freed by releaseSelections).
 */
function selection(g: ConvGeometry): { s: tf.Tensor2D; t: tf.Tensor2D } {
  const key = JSON.stringify(g);
  let s = selections.get(key);
  if (!s) {
    const rows = g.ho * g.wo * g.kh * g.kw;
    const data = new Float32Array(rows * g.h * g.w);
    let r = 0;
    for (let i = 0; i < g.ho; i++)
      for (let j = 0; j < g.wo; j++)
        for (let a = 0; a < g.kh; a++)
          for (let b = 0; b < g.kw; b++, r++) {
            const y = i * g.sh + a - g.top;
            const x = j * g.sw + b - g.left;
            if (y >= 0 && y < g.h && x >= 0 && x < g.w) data[r * g.h * g.w + y * g.w + x] = 1;
          }
    const m = tf.keep(tf.tensor2d(data, [rows, g.h * g.w]));
    s = { s: m, t: tf.keep(tf.transpose(m)) };
    selections.set(key, s);
  }
  return s;
}

/** Frees the cached selection matrices. */
export function releaseSelections(): void {
  selections.forEach((s) => tf.dispose([s.s, s.t]));
  selections.clear();
}

/**
 * a -> a m for a constant m, whose gradient dy -> dy m^T is the same function of the transposed
 * constant: differentiable to any order. The constant stays the second operand, whose packed form the
 * wasm backend (XNNPACK) keeps between calls; as the first operand, or transposed by the engine on
 * every backward pass, the LeNet's forward pass took 17 ms instead of ~2.
 */
function select(a: tf.Tensor2D, m: tf.Tensor2D, mt: tf.Tensor2D): tf.Tensor2D {
  return tf.customGrad((x: tf.Tensor) => ({
    value: tf.matMul(x as tf.Tensor2D, m),
    gradFunc: (dy: tf.Tensor) => select(dy as tf.Tensor2D, mt, m),
  }))(a) as tf.Tensor2D;
}

/**
 * A convolution as im2col + matrix products, every piece differentiable to any order (see the header):
 * cols = S x (a constant 0/1 selection, the padding folded in), y = cols K. kernel [kh, kw, ci, co].
 */
export function differentiableConv2d(
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  stride: [number, number],
  pad: { top: number; bottom: number; left: number; right: number },
): tf.Tensor4D {
  const [n, h, w, ci] = x.shape;
  const [kh, kw, , co] = kernel.shape;
  const [sh, sw] = stride;
  const ho = Math.floor((h + pad.top + pad.bottom - kh) / sh) + 1;
  const wo = Math.floor((w + pad.left + pad.right - kw) / sw) + 1;
  const s = selection({ h, w, kh, kw, sh, sw, top: pad.top, left: pad.left, ho, wo });
  // [n, h, w, ci] -> [n*ci, h*w]: one product selects every tap of every image and channel
  const xt = tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [n * ci, h * w]);
  const colsT = select(xt, s.t, s.s); // [(n, ci), (ho, wo, a, b)]
  const cols = tf.transpose(tf.reshape(colsT, [n, ci, ho * wo * kh * kw]), [0, 2, 1]); // [n, (ho, wo, a, b), ci]
  const y = tf.matMul(tf.reshape(cols, [n * ho * wo, kh * kw * ci]), tf.reshape(kernel, [kh * kw * ci, co]));
  return tf.reshape(y, [n, ho, wo, co]);
}

/** TensorFlow's 'same' padding of one axis. */
function samePad(size: number, k: number, s: number): [number, number] {
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** Logits of the network with the given parameters (equal to the LayersModel's: net.test.ts). */
export function forward(net: LeakNet, params: readonly tf.Tensor[], x: tf.Tensor4D): tf.Tensor2D {
  let h: tf.Tensor = x;
  let p = 0;
  // a zero padding right before a convolution is folded into its selection matrix
  let pending = { top: 0, bottom: 0, left: 0, right: 0 };
  const flush = () => {
    if (pending.top + pending.bottom + pending.left + pending.right > 0)
      h = tf.pad(h, [[0, 0], [pending.top, pending.bottom], [pending.left, pending.right], [0, 0]]);
    pending = { top: 0, bottom: 0, left: 0, right: 0 };
  };
  for (const l of net.layers) {
    if (l.kind === 'pad') {
      flush();
      pending = { top: l.top, bottom: l.bottom, left: l.left, right: l.right };
    } else if (l.kind === 'flatten') {
      flush();
      h = tf.reshape(h, [h.shape[0], -1]);
    } else if (l.kind === 'conv') {
      let pad = pending;
      pending = { top: 0, bottom: 0, left: 0, right: 0 };
      if (l.same) {
        if (pad.top + pad.bottom + pad.left + pad.right > 0) {
          h = tf.pad(h, [[0, 0], [pad.top, pad.bottom], [pad.left, pad.right], [0, 0]]);
        }
        const [top, bottom] = samePad(h.shape[1]!, l.kh, l.stride[0]);
        const [left, right] = samePad(h.shape[2]!, l.kw, l.stride[1]);
        pad = { top, bottom, left, right };
      }
      h = differentiableConv2d(h as tf.Tensor4D, params[p] as tf.Tensor4D, l.stride, pad);
      if (l.weights > 1) h = tf.add(h, params[p + 1]);
      h = activate(h, l.activation);
      p += l.weights;
    } else {
      flush();
      h = tf.matMul(h as tf.Tensor2D, params[p] as tf.Tensor2D);
      if (l.weights > 1) h = tf.add(h, params[p + 1]);
      h = activate(h, l.activation);
      p += l.weights;
    }
  }
  flush();
  return h as tf.Tensor2D;
}

/** The DLG authors' cross_entropy_for_onehot: mean over the batch of sum_k -target_k log softmax(z)_k. */
export function softCrossEntropy(logits: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
  return tf.mean(tf.sum(tf.mul(tf.neg(target), tf.logSoftmax(logits)), 1));
}

/**
 * The gradient of the loss with respect to every parameter, for inputs x and target distributions:
 * what a client shares. Differentiable with respect to x and target (call it inside tf.grad).
 */
export function parameterGradients(net: LeakNet, x: tf.Tensor4D, target: tf.Tensor2D): tf.Tensor[] {
  return tf.grads((...ps: tf.Tensor[]) => softCrossEntropy(forward(net, ps, x), target))(net.params);
}
