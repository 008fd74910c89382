/**
 * A network's loss gradient as a function that can itself be differentiated: what gradient leakage
 * (DLG, iDLG, inverting gradients) optimises through.
 *
 * Second-order gradients in TensorFlow.js 4.22 (second-order.test.ts compares with central finite
 * differences, on the CPU backend and on the wasm engine with every kernel of src/core/engine/
 * installed):
 * - tf.grad of tf.grads (the nested tape) is WRONG even for flatten-dense-sigmoid-dense: it misses
 *   terms (-0.35 against -0.61 by finite differences on a test direction). So the parameter gradient
 *   is written out by hand here (backpropagation with ordinary ops, equal to tf.grads: net.test.ts),
 *   and the attacks differentiate it with a first-order tf.grad only.
 * - tf.conv2d is not twice differentiable anyway: Conv2DBackpropFilter has no registered gradient in
 *   tfjs-core, and the engine's own Conv2DBackpropFilter (fast-conv.ts) handles stride 1 only, where
 *   the DLG LeNet has stride 2. Convolutions here are a differentiable im2col: a constant 0/1
 *   selection matrix times the input (the zero padding folded in), then a matrix product with the
 *   kernel; its backward pass is the transposed selection.
 * - MaxPoolGrad has no registered gradient (the engine's fast-pool.ts replaces its kernel, not its
 *   differentiability): networks with max pooling are refused here.
 * - The engine's kernels on this path, BatchMatMul (transposed operands), Sum/Mean over leading axes,
 *   Tile and Identity, give the same first-order gradients of this hand-written gradient as the CPU
 *   backend's, equal to finite differences. Its batch-norm and lazy conv-gradient replacements are not
 *   on this path.
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
      if ((Array.isArray(dil) ? dil : [dil]).some((d) => d !== 1))
        throw new Error('gradient leakage: dilated convolutions are not supported');
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
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.matMul(args[0] as tf.Tensor2D, m),
    gradFunc: (dy: tf.Tensor) => select(dy as tf.Tensor2D, mt, m),
  }))(a) as tf.Tensor2D;
}

/** TensorFlow's 'same' padding of one axis. */
function samePad(size: number, k: number, s: number): [number, number] {
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

type Pad = { top: number; bottom: number; left: number; right: number };

/** What the hand-written backward pass needs of each layer. */
type Step =
  | { kind: 'pad'; pad: Pad; shape: number[] }
  | { kind: 'reshape'; shape: number[] }
  | { kind: 'im2col'; sel: { s: tf.Tensor2D; t: tf.Tensor2D }; n: number; h: number; w: number; ci: number; rows: number }
  | { kind: 'linear'; input: tf.Tensor2D; kernel: number; bias: number; shape: number[] }
  | { kind: 'act'; activation: Activation; input: tf.Tensor; output: tf.Tensor };

const NO_PAD: Pad = { top: 0, bottom: 0, left: 0, right: 0 };
const padded = (p: Pad) => p.top + p.bottom + p.left + p.right > 0;

/** The forward pass, recording what its backward pass reads. */
function trace(net: LeakNet, params: readonly tf.Tensor[], x: tf.Tensor4D): { logits: tf.Tensor2D; steps: Step[] } {
  const steps: Step[] = [];
  let h: tf.Tensor = x;
  let p = 0;
  // a zero padding right before a convolution is folded into its selection matrix
  let pending = NO_PAD;
  const pad = (q: Pad) => {
    if (!padded(q)) return;
    steps.push({ kind: 'pad', pad: q, shape: h.shape });
    h = tf.pad(h, [
      [0, 0],
      [q.top, q.bottom],
      [q.left, q.right],
      [0, 0],
    ]);
  };
  const linear = (x2: tf.Tensor2D, weights: number, outShape: number[], activation: Activation) => {
    let z: tf.Tensor = tf.matMul(x2, params[p] as tf.Tensor2D);
    if (weights > 1) z = tf.add(z, params[p + 1]);
    z = tf.reshape(z, outShape);
    steps.push({ kind: 'linear', input: x2, kernel: p, bias: weights > 1 ? p + 1 : -1, shape: outShape });
    p += weights;
    const y = activate(z, activation);
    if (activation !== 'linear') steps.push({ kind: 'act', activation, input: z, output: y });
    h = y;
  };
  for (const l of net.layers) {
    if (l.kind === 'pad') {
      pad(pending);
      pending = { top: l.top, bottom: l.bottom, left: l.left, right: l.right };
    } else if (l.kind === 'conv') {
      let q = pending;
      pending = NO_PAD;
      if (l.same) {
        pad(q);
        const [top, bottom] = samePad(h.shape[1]!, l.kh, l.stride[0]);
        const [left, right] = samePad(h.shape[2]!, l.kw, l.stride[1]);
        q = { top, bottom, left, right };
      }
      const [n, hh, ww, ci] = h.shape as number[];
      const [sh, sw] = l.stride;
      const ho = Math.floor((hh + q.top + q.bottom - l.kh) / sh) + 1;
      const wo = Math.floor((ww + q.left + q.right - l.kw) / sw) + 1;
      const sel = selection({ h: hh, w: ww, kh: l.kh, kw: l.kw, sh, sw, top: q.top, left: q.left, ho, wo });
      const rows = ho * wo * l.kh * l.kw;
      steps.push({ kind: 'im2col', sel, n, h: hh, w: ww, ci, rows });
      // [n, h, w, ci] -> [n*ci, h*w]: one product selects every tap of every image and channel
      const xt = tf.reshape(tf.transpose(h, [0, 3, 1, 2]), [n * ci, hh * ww]) as tf.Tensor2D;
      const colsT = select(xt, sel.t, sel.s); // [(n, ci), (ho, wo, a, b)]
      const cols = tf.reshape(tf.transpose(tf.reshape(colsT, [n, ci, rows]), [0, 2, 1]), [n * ho * wo, l.kh * l.kw * ci]) as tf.Tensor2D;
      const kernel = params[p];
      const co = kernel.shape[3]!;
      const k2 = tf.reshape(kernel, [l.kh * l.kw * ci, co]) as tf.Tensor2D;
      let z: tf.Tensor = tf.matMul(cols, k2);
      if (l.weights > 1) z = tf.add(z, params[p + 1]);
      z = tf.reshape(z, [n, ho, wo, co]);
      steps.push({ kind: 'linear', input: cols, kernel: p, bias: l.weights > 1 ? p + 1 : -1, shape: [n, ho, wo, co] });
      p += l.weights;
      const y = activate(z, l.activation);
      if (l.activation !== 'linear') steps.push({ kind: 'act', activation: l.activation, input: z, output: y });
      h = y;
    } else if (l.kind === 'flatten') {
      pad(pending);
      pending = NO_PAD;
      steps.push({ kind: 'reshape', shape: h.shape });
      h = tf.reshape(h, [h.shape[0], -1]);
    } else {
      pad(pending);
      pending = NO_PAD;
      linear(h as tf.Tensor2D, l.weights, [h.shape[0], params[p].shape[1]!], l.activation);
    }
  }
  pad(pending);
  return { logits: h as tf.Tensor2D, steps };
}

/** Logits of the network with the given parameters (equal to the LayersModel's: net.test.ts). */
export function forward(net: LeakNet, params: readonly tf.Tensor[], x: tf.Tensor4D): tf.Tensor2D {
  return trace(net, params, x).logits;
}

/** The DLG authors' cross_entropy_for_onehot: mean over the batch of sum_k -target_k log softmax(z)_k. */
export function softCrossEntropy(logits: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
  return tf.mean(tf.sum(tf.mul(tf.neg(target), tf.logSoftmax(logits)), 1));
}

/**
 * The gradient of the loss with respect to every parameter, for inputs x and target distributions:
 * what a client shares. Written out by hand (backpropagation with ordinary ops), so that tf.grad of
 * anything computed from it is a FIRST-order gradient of ordinary ops: TensorFlow.js's nested
 * gradients (tf.grad of tf.grads) miss terms, see second-order.test.ts. Equal to tf.grads of
 * softCrossEntropy (net.test.ts).
 */
export function parameterGradients(net: LeakNet, x: tf.Tensor4D, target: tf.Tensor2D): tf.Tensor[] {
  const { logits, steps } = trace(net, net.params, x);
  const b = logits.shape[0];
  // d/dz of mean_b sum_k -t_k log softmax(z)_k = (softmax(z) sum_k t_k - t) / B
  let d: tf.Tensor = tf.div(tf.sub(tf.mul(tf.softmax(logits), tf.sum(target, 1, true)), target), b);
  const grads: tf.Tensor[] = net.params.map(() => tf.scalar(0));
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i];
    if (s.kind === 'act') {
      const y = s.output;
      if (s.activation === 'sigmoid') d = tf.mul(d, tf.mul(y, tf.sub(1, y)));
      else if (s.activation === 'tanh') d = tf.mul(d, tf.sub(1, tf.square(y)));
      else if (s.activation === 'relu') d = tf.mul(d, tf.step(s.input));
    } else if (s.kind === 'linear') {
      const k = net.params[s.kernel];
      const d2 = tf.reshape(d, [-1, k.shape[k.shape.length - 1]!]) as tf.Tensor2D;
      grads[s.kernel] = tf.reshape(tf.matMul(s.input, d2, true, false), k.shape);
      if (s.bias >= 0) grads[s.bias] = tf.sum(d2, 0);
      if (i > 0) d = tf.matMul(d2, tf.reshape(k, [-1, k.shape[k.shape.length - 1]!]) as tf.Tensor2D, false, true);
      else break;
    } else if (s.kind === 'im2col') {
      const { n, h, w, ci, rows, sel } = s;
      const dT = tf.reshape(tf.transpose(tf.reshape(d, [n, rows, ci]), [0, 2, 1]), [n * ci, rows]) as tf.Tensor2D;
      d = tf.transpose(tf.reshape(select(dT, sel.s, sel.t), [n, ci, h, w]), [0, 2, 3, 1]);
    } else if (s.kind === 'reshape') d = tf.reshape(d, s.shape);
    else d = tf.slice(d, [0, s.pad.top, s.pad.left, 0], s.shape);
  }
  return grads;
}

/** The same gradient by TensorFlow.js's autodiff (first order only: the reference for tests). */
export function parameterGradientsByTape(net: LeakNet, x: tf.Tensor4D, target: tf.Tensor2D): tf.Tensor[] {
  return tf.grads((...ps: tf.Tensor[]) => softCrossEntropy(forward(net, ps, x), target))(net.params);
}
