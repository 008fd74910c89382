/**
 * Faster gradients for the convolution, built from the backend's forward convolution.
 *
 * TensorFlow.js's wasm backend (the Node engine, and the browser's last resort) has a fast forward
 * convolution (XNNPACK) but no Conv2DBackpropFilter kernel and a slow Conv2DBackpropInput. For stride 1
 * and dilation 1 both gradients are ordinary convolutions:
 *   dL/dx = conv(pad(dy, k-1-p), W flipped in space with in/out channels swapped)
 *   dL/dW = conv(x^T, dy^T)  with the batch axis taking the role of the channel axis
 * Other configurations keep TensorFlow.js's own gradient.
 *
 * The results equal the reference gradient up to float32 rounding (see fast-gradients.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { addKernel, callKernel, quietly, replaceKernel, type KernelArgs, type KernelFn, type TensorInfo } from './kernels';

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

interface Conv2DAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const pair = (v: number | [number, number]): [number, number] => (Array.isArray(v) ? v : [v, v]);

/** Explicit [top, bottom, left, right] padding of a stride-1 convolution. */
function explicitPadding(pad: Pad, kh: number, kw: number): [number, number, number, number] | null {
  if (pad === 'valid') return [0, 0, 0, 0];
  if (pad === 'same') {
    const ph = kh - 1;
    const pw = kw - 1;
    return [Math.floor(ph / 2), ph - Math.floor(ph / 2), Math.floor(pw / 2), pw - Math.floor(pw / 2)];
  }
  if (typeof pad === 'number') return [pad, pad, pad, pad];
  if (Array.isArray(pad)) return [pad[1][0], pad[1][1], pad[2][0], pad[2][1]];
  return null;
}

/**
 * Input gradient of a convolution with few input channels (a model's first layer: 1 for grey, 3 for
 * RGB). There the flipped convolution has as few output channels, and XNNPACK runs it ~15x below its
 * usual speed (127 ms for a [250, 26, 26, 32] MNIST batch). Instead one matrix product gives every
 * kernel tap's contribution, cols = dy . W^T ([N*Ho*Wo, Co] x [Co, kh*kw*Ci]), and the RlabCol2Im
 * kernel adds each tap's contribution into place (wasm only; other backends keep the convolution).
 */
const COL2IM = 'RlabCol2Im';
interface Col2ImAttrs {
  kh: number;
  kw: number;
  h: number;
  w: number;
  padTop: number;
  padLeft: number;
}

function fewChannelInputGrad(dy: tf.Tensor4D, filter: tf.Tensor4D, p: [number, number, number, number]): tf.Tensor4D {
  const [kh, kw, ci, co] = filter.shape;
  const [n, ho, wo] = dy.shape;
  const cols = tf.reshape(tf.matMul(tf.reshape(dy, [n * ho * wo, co]), tf.reshape(filter, [kh * kw * ci, co]), false, true), [
    n,
    ho,
    wo,
    kh * kw * ci,
  ]);
  const attrs: Col2ImAttrs = { kh, kw, h: ho + kh - 1 - p[0] - p[1], w: wo + kw - 1 - p[2] - p[3], padTop: p[0], padLeft: p[2] };
  return tf.engine().runKernel(COL2IM, { x: cols }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

/** dx[n, i, j, c] = sum over taps (a, b) of cols[n, i - a + padTop, j - b + padLeft, (a, b, c)]. */
function col2im({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const x = inputs.x;
  const { kh, kw, h, w, padTop, padLeft } = attrs as unknown as Col2ImAttrs;
  const [n, ho, wo, k] = x.shape;
  const ci = k / (kh * kw);
  const out = backend.makeOutput([n, h, w, ci], 'float32');
  const dx = backend.typedArrayFromHeap(out);
  const cols = backend.typedArrayFromHeap(x);
  dx.fill(0);
  let src = 0;
  for (let img = 0; img < n; img++) {
    const base = img * h * w * ci;
    for (let oh = 0; oh < ho; oh++) {
      for (let ow = 0; ow < wo; ow++) {
        for (let a = 0; a < kh; a++) {
          const i = oh + a - padTop;
          for (let b = 0; b < kw; b++, src += ci) {
            const j = ow + b - padLeft;
            if (i < 0 || i >= h || j < 0 || j >= w) continue;
            const dst = base + (i * w + j) * ci;
            for (let c = 0; c < ci; c++) dx[dst + c] += cols[src + c];
          }
        }
      }
    }
  }
  return out;
}

export function conv2dInputGrad(dy: tf.Tensor4D, filter: tf.Tensor4D, p: [number, number, number, number]): tf.Tensor4D {
  return tf.tidy(() => {
    if (filter.shape[2] <= 4 && tf.getBackend() === 'wasm') return fewChannelInputGrad(dy, filter, p);
    const [kh, kw] = filter.shape;
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    return tf.conv2d(
      dy,
      flipped,
      1,
      [
        [0, 0],
        [kh - 1 - p[0], kh - 1 - p[1]],
        [kw - 1 - p[2], kw - 1 - p[3]],
        [0, 0],
      ],
      'NHWC',
    );
  });
}

export function conv2dFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, p: [number, number, number, number]): tf.Tensor4D {
  return tf.tidy(() => {
    const xt = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D; // [Ci, H, W, N]
    const dyt = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [Ho, Wo, N, Co]
    const g = tf.conv2d(xt, dyt, 1, [
      [0, 0],
      [p[0], p[1]],
      [p[2], p[3]],
      [0, 0],
    ]); // [Ci, kh, kw, Co]
    return tf.transpose(g, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/**
 * Conv2DBackpropFilter for the wasm backend, which has none: the same batch-transposed convolution
 * as conv2dFilterGrad, written with kernels. TensorFlow.js's fused convolution (a Conv2D layer with a
 * linear activation, as before batch normalisation) asks for this kernel in its gradient.
 */
function backpropFilter({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x, dy } = inputs;
  const a = attrs as unknown as Conv2DAttrs & { filterShape: [number, number, number, number] };
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    1,
    a.pad as 'valid',
    a.dimRoundingMode,
  );
  if (info.strideHeight !== 1 || info.strideWidth !== 1 || a.dataFormat === 'NCHW')
    throw new Error('the wasm backend computes convolution filter gradients for stride 1, NHWC only');
  const xt = callKernel('Transpose', backend, { x }, { perm: [3, 1, 2, 0] });
  const dyt = callKernel('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] });
  const p = info.padInfo;
  const g = callKernel(
    'Conv2D',
    backend,
    { x: xt, filter: dyt },
    { strides: 1, dilations: 1, dataFormat: 'NHWC', pad: explicit(p.top, p.bottom, p.left, p.right) },
  );
  const out = callKernel('Transpose', backend, { x: g }, { perm: [1, 2, 0, 3] });
  [xt, dyt, g].forEach((t) => backend.disposeData(t.dataId));
  return out;
}

const explicit = (top: number, bottom: number, left: number, right: number) => [
  [0, 0],
  [top, bottom],
  [left, right],
  [0, 0],
];

/**
 * Conv2DBackpropInput for the wasm backend: its own kernel is a direct loop, about 10x slower than
 * the flipped convolution (the identity of conv2dInputGrad). Stride 1 only; others keep it.
 */
const backpropInput =
  (original: KernelFn): KernelFn =>
  (args: KernelArgs): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs;
    const a = attrs as unknown as Conv2DAttrs & { inputShape: [number, number, number, number] };
    const info = tf.backend_util.computeConv2DInfo(
      a.inputShape,
      filter.shape as [number, number, number, number],
      a.strides,
      1,
      a.pad as 'valid',
      a.dimRoundingMode,
    );
    if (info.strideHeight !== 1 || info.strideWidth !== 1 || a.dataFormat === 'NCHW') return original(args);
    const [kh, kw] = filter.shape;
    const p = info.padInfo;
    const reversed = callKernel('Reverse', backend, { x: filter }, { dims: [0, 1] });
    const flipped = callKernel('Transpose', backend, { x: reversed }, { perm: [0, 1, 3, 2] });
    const out = callKernel(
      'Conv2D',
      backend,
      { x: dy, filter: flipped },
      { strides: 1, dilations: 1, dataFormat: 'NHWC', pad: explicit(kh - 1 - p.top, kh - 1 - p.bottom, kw - 1 - p.left, kw - 1 - p.right) },
    );
    [reversed, flipped].forEach((t) => backend.disposeData(t.dataId));
    return out;
  };

let installed = false;

/**
 * Register the faster convolution gradients (idempotent): the Conv2D gradient for every backend, and
 * on wasm the Conv2DBackpropInput / Conv2DBackpropFilter / RlabCol2Im kernels.
 */
export function installFastConvGradients(): void {
  if (installed) return;
  installed = true;
  if (tf.getKernel('Conv2D', 'wasm')) {
    addKernel('Conv2DBackpropFilter', 'wasm', backpropFilter);
    addKernel(COL2IM, 'wasm', col2im);
    replaceKernel('Conv2DBackpropInput', 'wasm', backpropInput);
  }
  const original = tf.getGradient('Conv2D');
  if (!original) throw new Error('TensorFlow.js has no Conv2D gradient to replace');
  quietly(() =>
    tf.registerGradient({
      kernelName: 'Conv2D',
      inputsToSave: ['x', 'filter'],
      gradFunc: (dy, saved, attrs) => {
        const a = attrs as unknown as Conv2DAttrs;
        const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
        const [sh, sw] = pair(a.strides);
        const [dh, dw] = pair(a.dilations);
        const p = explicitPadding(a.pad, filter.shape[0], filter.shape[1]);
        if (sh !== 1 || sw !== 1 || dh !== 1 || dw !== 1 || a.dataFormat !== 'NHWC' || !p) {
          return original.gradFunc(dy, saved, attrs as unknown as tf.NamedAttrMap);
        }
        const g = dy as tf.Tensor4D;
        return {
          x: () => conv2dInputGrad(g, filter, p),
          filter: () => conv2dFilterGrad(x, g, p),
        };
      },
    }),
  );
}
