/**
 * Per-example gradients of a chain of layers (a tf.Sequential, or any LayersModel whose layers run one
 * after the other) with Dense and Conv2D as its only trainable layers, computed for the whole batch at
 * once: one forward pass and one backward pass, no loop over examples.
 *
 * How (the "probe" form of the identities Opacus's grad samplers use, Goodfellow 2015 for dense layers,
 * Rochette et al. 2019 for convolutions):
 *   - the forward pass adds a zero probe p_l to each trainable layer's pre-activation output z_l and
 *     keeps the layer's input a_l;
 *   - one backward pass of the SUMMED per-example loss to the probes gives g_l = dL/dp_l, whose row i is
 *     dL_i/dz_l for example i alone (example i's loss depends on no other example's z);
 *   - dense:  dW_i = a_i^T g_i (a batched outer product), db_i = g_i, and the norm identity
 *     ||a_i^T g_i||_F = ||a_i|| ||g_i|| gives the norm without forming dW_i;
 *   - conv2d: a_i is unfolded (im2col: one gather of the padded input with precomputed indices that
 *     follow the layer's stride, padding and dilation) into U_i [positions, kh*kw*cin]; dW_i = U_i^T G_i
 *     (one batched matMul), db_i = sum over positions of G_i. On the wasm engine the unfolding is a
 *     kernel of its own (a copy on the wasm heap, written straight in the [B, K, P] layout the matMul
 *     wants: TensorFlow.js's wasm gather took 5x the whole backward pass); elsewhere a gather.
 * The clipped sum (DP-SGD) needs no second backward pass (Opacus's ghost clipping runs one): with the
 * per-example factors c_i, sum_i c_i dW_i is A^T (c . G) for a dense layer and a c-weighted reduction of
 * the per-example conv gradients.
 * Loss: per-example softmax cross-entropy on the model's logits (Opacus's CrossEntropyLoss per sample).
 * Layers with trainable weights other than Dense and Conv2D (batch normalisation mixes examples) are
 * refused, as Opacus refuses them. Channels-last only.
 */
import * as tf from '@tensorflow/tfjs';
import { addKernel, type KernelArgs, type TensorInfo } from '../../../core/engine/kernels';

type Kind = 'dense' | 'conv2d';

interface ConvGeometry {
  kh: number;
  kw: number;
  strides: [number, number];
  dilation: [number, number];
  padding: 'valid' | 'same';
}

/** One trainable layer as the forward pass saw it. */
interface Traced {
  kind: Kind;
  /** Indices in model.trainableWeights of its kernel and bias (-1: no bias). */
  kernel: number;
  bias: number;
  kernelShape: number[];
  /** Its input a_l (kept) and dL_i/dz_l (from the backward pass). */
  input: tf.Tensor;
  grad: tf.Tensor;
  conv?: ConvGeometry;
}

interface Trace {
  layers: Traced[];
  /** Per-example losses [B]. */
  losses: tf.Tensor1D;
}

const pair = (v: number | number[] | undefined, d: number): [number, number] =>
  v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : [v[0], v[1] ?? v[0]];

function apply(layer: tf.layers.Layer, z: tf.Tensor): tf.Tensor {
  const act = (layer as unknown as { activation?: { apply(x: tf.Tensor): tf.Tensor } }).activation;
  return act ? act.apply(z) : z;
}

/** The per-example cross-entropy of logits against integer labels. */
function perExampleLoss(logits: tf.Tensor2D, y: tf.Tensor1D): tf.Tensor1D {
  return tf.neg(tf.sum(tf.mul(tf.oneHot(tf.cast(y, 'int32'), logits.shape[1]), tf.logSoftmax(logits)), 1));
}

/** The trainable layers of the model with their weight indices (and a check that nothing else trains). */
function plan(model: tf.LayersModel): { layer: tf.layers.Layer; kind: Kind | null; kernel: number; bias: number }[] {
  const all = model.trainableWeights;
  const index = (w: tf.LayerVariable) => all.indexOf(w);
  const seen = new Set<number>();
  const out = model.layers
    .filter((l) => l.getClassName() !== 'InputLayer')
    .map((layer) => {
      const name = layer.getClassName();
      const tw = layer.trainableWeights;
      if (tw.length === 0) return { layer, kind: null, kernel: -1, bias: -1 };
      if (name !== 'Dense' && name !== 'Conv2D')
        throw new Error(
          `per-example gradients: layer ${layer.name} (${name}) has trainable weights; only Dense and Conv2D are supported (batch normalisation mixes the examples of a batch, as Opacus says)`,
        );
      const k = tw.find((w) => /kernel$/.test(w.originalName));
      const b = tw.find((w) => /bias$/.test(w.originalName));
      if (!k) throw new Error(`per-example gradients: layer ${layer.name} has no kernel`);
      const kernel = index(k);
      const bias = b ? index(b) : -1;
      seen.add(kernel);
      if (bias >= 0) seen.add(bias);
      return { layer, kind: (name === 'Dense' ? 'dense' : 'conv2d') as Kind, kernel, bias };
    });
  if (seen.size !== all.length) throw new Error('per-example gradients: the model has trainable weights outside its layers chain');
  return out;
}

/**
 * The forward pass with probes and the backward pass to them: each trainable layer's input and
 * dL_i/dz_l, and the per-example losses (all kept: the caller disposes them with disposeTrace).
 */
function trace(model: tf.LayersModel, x: tf.Tensor4D, y: tf.Tensor1D): Trace {
  const steps = plan(model);
  const weights = model.trainableWeights;
  const n = x.shape[0];
  const trainable = steps.filter((s) => s.kind !== null);
  const probes = trainable.map((s) => tf.zeros([n, ...(s.layer.outputShape as number[]).slice(1)]));
  const inputs: tf.Tensor[] = [];
  const geometry: (ConvGeometry | undefined)[] = [];
  let losses: tf.Tensor1D | null = null;
  const f = (...ps: tf.Tensor[]): tf.Scalar => {
    let h: tf.Tensor = x;
    let t = 0;
    for (const s of steps) {
      if (s.kind === null) {
        h = s.layer.apply(h, { training: true }) as tf.Tensor;
        continue;
      }
      // the caller's x is kept as a copy: the trace's inputs are disposed with it
      inputs.push(tf.keep(h === x ? tf.clone(x) : h));
      const kernel = weights[s.kernel].read();
      let z: tf.Tensor;
      if (s.kind === 'dense') {
        if (h.rank !== 2) throw new Error(`per-example gradients: dense layer ${s.layer.name} needs a flat input (got rank ${h.rank})`);
        z = tf.matMul(h as tf.Tensor2D, kernel as tf.Tensor2D);
        geometry.push(undefined);
      } else {
        const c = s.layer.getConfig() as {
          kernelSize: number | number[];
          strides?: number | number[];
          padding?: string;
          dilationRate?: number | number[];
          dataFormat?: string;
        };
        if (c.dataFormat === 'channelsFirst') throw new Error(`per-example gradients: conv layer ${s.layer.name} is channels-first`);
        if (c.padding !== 'valid' && c.padding !== 'same') throw new Error(`per-example gradients: padding ${c.padding} is not supported`);
        const [kh, kw] = pair(c.kernelSize, 1);
        const g: ConvGeometry = { kh, kw, strides: pair(c.strides, 1), dilation: pair(c.dilationRate, 1), padding: c.padding };
        geometry.push(g);
        z = tf.conv2d(h as tf.Tensor4D, kernel as tf.Tensor4D, g.strides, g.padding, 'NHWC', g.dilation);
      }
      if (s.bias >= 0) z = tf.add(z, weights[s.bias].read());
      h = apply(s.layer, tf.add(z, ps[t++]));
    }
    losses = tf.keep(perExampleLoss(h as tf.Tensor2D, y));
    return tf.sum(losses);
  };
  let grads: tf.Tensor[];
  try {
    grads = tf.grads(f)(probes);
  } catch (e) {
    tf.dispose(inputs);
    if (losses) (losses as tf.Tensor).dispose();
    throw e;
  } finally {
    tf.dispose(probes);
  }
  return {
    losses: losses!,
    layers: trainable.map((s, i) => ({
      kind: s.kind!,
      kernel: s.kernel,
      bias: s.bias,
      kernelShape: weights[s.kernel].shape as number[],
      input: inputs[i],
      grad: grads[i],
      conv: geometry[i],
    })),
  };
}

function disposeTrace(t: Trace): void {
  t.losses.dispose();
  for (const l of t.layers) tf.dispose([l.input, l.grad]);
}

/** The paddings TensorFlow gives an input of size `size` (same: output ceil(size / stride), the odd pixel at the end). */
function padAmounts(size: number, k: number, stride: number, dilation: number, padding: 'valid' | 'same'): [number, number, number] {
  const span = (k - 1) * dilation + 1;
  if (padding === 'valid') return [0, 0, Math.floor((size - span) / stride) + 1];
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + span - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2), out];
}

interface UnfoldAttrs {
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  top: number;
  left: number;
  ho: number;
  wo: number;
}

const UNFOLD = 'RlabUnfoldTransposed';

/** The wasm kernel: x [B, H, W, C] to its patches transposed, [B, kh*kw*C, Ho*Wo] (zeros where the padding is). */
function unfoldKernel({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x } = inputs;
  const { kh, kw, sh, sw, dh, dw, top, left, ho, wo } = attrs as unknown as UnfoldAttrs;
  const [n, h, w, c] = x.shape;
  const k = kh * kw * c;
  const p = ho * wo;
  const out = backend.makeOutput([n, k, p], 'float32');
  // heap views after the last allocation
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out).fill(0);
  for (let img = 0; img < n; img++) {
    const ob = img * k * p;
    for (let oh = 0; oh < ho; oh++)
      for (let ow = 0; ow < wo; ow++) {
        const pos = oh * wo + ow;
        for (let r = 0; r < kh; r++) {
          const i = oh * sh + r * dh - top;
          if (i < 0 || i >= h) continue;
          for (let t = 0; t < kw; t++) {
            const j = ow * sw + t * dw - left;
            if (j < 0 || j >= w) continue;
            const sb = ((img * h + i) * w + j) * c;
            let d = ob + (r * kw + t) * c * p + pos;
            for (let ch = 0; ch < c; ch++, d += p) dst[d] = src[sb + ch];
          }
        }
      }
  }
  return out;
}

/**
 * im2col, transposed: the patches each output position of the convolution sees, [B, kh*kw*cin, Ho*Wo],
 * in the kernel's [kh, kw, cin] order (so that U_i^T G_i has the kernel's layout).
 */
export function unfoldTransposed(a: tf.Tensor4D, g: ConvGeometry): tf.Tensor3D {
  const [, h, w] = a.shape;
  const [sh, sw] = g.strides;
  const [dh, dw] = g.dilation;
  const [top, , ho] = padAmounts(h, g.kh, sh, dh, g.padding);
  const [left, , wo] = padAmounts(w, g.kw, sw, dw, g.padding);
  if (tf.getBackend() === 'wasm') {
    addKernel(UNFOLD, 'wasm', unfoldKernel);
    const attrs: UnfoldAttrs = { kh: g.kh, kw: g.kw, sh, sw, dh, dw, top, left, ho, wo };
    return tf.engine().runKernel(UNFOLD, { x: a }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor3D;
  }
  return tf.tidy(() => tf.transpose(unfold(a, g), [0, 2, 1]));
}

/**
 * im2col: the patches each output position of the convolution sees, [B, Ho*Wo, kh*kw*cin], in the
 * kernel's [kh, kw, cin] order. One pad and one gather (any backend).
 */
export function unfold(a: tf.Tensor4D, g: ConvGeometry): tf.Tensor3D {
  return tf.tidy(() => {
    const [n, h, w, cin] = a.shape;
    const [sh, sw] = g.strides;
    const [dh, dw] = g.dilation;
    const [top, bottom, ho] = padAmounts(h, g.kh, sh, dh, g.padding);
    const [left, right, wo] = padAmounts(w, g.kw, sw, dw, g.padding);
    const hp = h + top + bottom;
    const wp = w + left + right;
    const padded =
      top + bottom + left + right > 0
        ? tf.pad(a, [
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ])
        : a;
    const k = g.kh * g.kw * cin;
    const idx = new Int32Array(ho * wo * k);
    let o = 0;
    for (let i = 0; i < ho; i++)
      for (let j = 0; j < wo; j++)
        for (let r = 0; r < g.kh; r++)
          for (let s = 0; s < g.kw; s++) {
            const base = ((i * sh + r * dh) * wp + (j * sw + s * dw)) * cin;
            for (let c = 0; c < cin; c++) idx[o++] = base + c;
          }
    const flat = tf.reshape(padded, [n, hp * wp * cin]);
    return tf.reshape(tf.gather(flat, tf.tensor1d(idx, 'int32'), 1), [n, ho * wo, k]) as tf.Tensor3D;
  });
}

/** Per-example kernel gradients of a conv layer, [B, kh*kw*cin, cout], and its per-example bias gradients [B, cout]. */
function convPerExample(l: Traced): { kernel: tf.Tensor3D; bias: tf.Tensor2D } {
  return tf.tidy(() => {
    const n = l.grad.shape[0];
    const cout = l.kernelShape[3];
    const ut = unfoldTransposed(l.input as tf.Tensor4D, l.conv!);
    const g = tf.reshape(l.grad, [n, -1, cout]) as tf.Tensor3D;
    return { kernel: tf.matMul(ut, g), bias: tf.sum(g, 1) as tf.Tensor2D };
  });
}

export interface PerExampleGradients {
  /** Per-example losses [B]. */
  losses: tf.Tensor1D;
  /** In model.trainableWeights order, each [B, ...weight shape]: row i is example i's gradient of its own loss. */
  grads: tf.Tensor[];
}

/** Every example's gradient of its own loss, for every trainable weight (the caller disposes them). */
export function perExampleGradients(model: tf.LayersModel, x: tf.Tensor4D, y: tf.Tensor1D): PerExampleGradients {
  const t = trace(model, x, y);
  try {
    const grads: tf.Tensor[] = new Array(model.trainableWeights.length);
    const n = x.shape[0];
    for (const l of t.layers) {
      if (l.kind === 'dense') {
        grads[l.kernel] = tf.tidy(() => tf.matMul(tf.expandDims(l.input, 2), tf.expandDims(l.grad, 1)));
        if (l.bias >= 0) grads[l.bias] = l.grad.clone();
      } else {
        const c = convPerExample(l);
        grads[l.kernel] = tf.reshape(c.kernel, [n, ...l.kernelShape]);
        c.kernel.dispose();
        if (l.bias >= 0) grads[l.bias] = c.bias;
        else c.bias.dispose();
      }
    }
    return { losses: t.losses.clone(), grads };
  } finally {
    disposeTrace(t);
  }
}

/** The L2 norm of each example's whole gradient (all trainable weights together), [B]. */
export function perExampleNorms(grads: tf.Tensor[]): tf.Tensor1D {
  return tf.tidy(() => tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(tf.reshape(g, [g.shape[0], -1])), 1)))) as tf.Tensor1D);
}

export interface ClippedSum {
  /** Per-example losses [B]. */
  losses: tf.Tensor1D;
  /** Each example's gradient norm before clipping [B]. */
  norms: tf.Tensor1D;
  /** sum_i min(1, C / (norm_i + 1e-6)) grad_i, in model.trainableWeights order (weight shapes). */
  sum: tf.Tensor[];
}

/**
 * DP-SGD's clipped gradient sum in one forward and one backward pass: every example's gradient is
 * scaled by Opacus's factor min(1, C / (norm + 1e-6)) and the results summed. Dense layers never form
 * per-example gradients (norms by ||a|| ||g||, sums by A^T (c . G)); conv layers form them once.
 */
export function clippedGradientSum(model: tf.LayersModel, x: tf.Tensor4D, y: tf.Tensor1D, clip: number): ClippedSum {
  const t = trace(model, x, y);
  const convs = new Map<Traced, { kernel: tf.Tensor3D; bias: tf.Tensor2D }>();
  try {
    for (const l of t.layers) if (l.kind === 'conv2d') convs.set(l, convPerExample(l));
    return tf.tidy(() => {
      const n = x.shape[0];
      const sq: tf.Tensor[] = [];
      for (const l of t.layers) {
        if (l.kind === 'dense') {
          const gg = tf.sum(tf.square(l.grad), 1);
          sq.push(tf.mul(tf.sum(tf.square(l.input), 1), gg));
          if (l.bias >= 0) sq.push(gg);
        } else {
          const c = convs.get(l)!;
          sq.push(tf.sum(tf.square(tf.reshape(c.kernel, [n, -1])), 1));
          if (l.bias >= 0) sq.push(tf.sum(tf.square(c.bias), 1));
        }
      }
      const norms = tf.sqrt(tf.addN(sq)) as tf.Tensor1D;
      const factor = tf.minimum(1, tf.div(clip, tf.add(norms, 1e-6)));
      const row = tf.reshape(factor, [1, n]) as tf.Tensor2D;
      const sum: tf.Tensor[] = new Array(model.trainableWeights.length);
      for (const l of t.layers) {
        if (l.kind === 'dense') {
          const scaled = tf.mul(l.grad, tf.reshape(factor, [n, 1])) as tf.Tensor2D;
          sum[l.kernel] = tf.matMul(l.input as tf.Tensor2D, scaled, true, false);
          if (l.bias >= 0) sum[l.bias] = tf.sum(scaled, 0);
        } else {
          const c = convs.get(l)!;
          sum[l.kernel] = tf.reshape(tf.matMul(row, tf.reshape(c.kernel, [n, -1]) as tf.Tensor2D), l.kernelShape);
          if (l.bias >= 0) sum[l.bias] = tf.reshape(tf.matMul(row, c.bias), [-1]);
        }
      }
      return { losses: t.losses.clone(), norms, sum };
    });
  } finally {
    for (const c of convs.values()) tf.dispose([c.kernel, c.bias]);
    disposeTrace(t);
  }
}
