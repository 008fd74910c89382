/**
 * Faster convolution gradients for the wasm backend (the Node engine, and the browser's last resort),
 * built from its fast forward convolution and matrix product (XNNPACK).
 *
 * TensorFlow.js's wasm backend has no Conv2DBackpropFilter kernel and a slow Conv2DBackpropInput. For
 * stride 1 and dilation 1 both gradients are ordinary convolutions:
 *   dL/dx = conv(pad(dy, k-1-p), W flipped in space with in/out channels swapped)
 *   dL/dW = conv(x^T, dy^T)  with the batch axis taking the role of the channel axis
 * Other configurations keep TensorFlow.js's own kernel. The kernels are the only place these
 * identities live: TensorFlow.js's Conv2D gradient calls them, so every caller gets them.
 * Results equal the CPU backend's up to float32 rounding (fast-conv.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import {
  addKernel,
  callKernel,
  replaceKernel,
  type Conv2DAttrs,
  type KernelArgs,
  type KernelFn,
  type TensorInfo,
  type WasmBackend,
} from './kernels';
import { simdKernels, type SimdKernels } from './simd';

/** The same bytes seen with another shape (no copy, no reference count: never dispose it). */
const view = (t: TensorInfo, shape: number[]): TensorInfo => ({ ...t, shape });

/**
 * dx[n, i, j, c] = sum over taps (a, b) of cols[n, i - a + padTop, j - b + padLeft, (a, b, c)]:
 * adds each kernel tap's contribution into place (every element of dx is written).
 */
export function col2im(
  cols: Float32Array,
  dx: Float32Array,
  d: { n: number; ho: number; wo: number; kh: number; kw: number; h: number; w: number; ci: number; padTop: number; padLeft: number },
): void {
  const { n, ho, wo, kh, kw, h, w, ci, padTop, padLeft } = d;
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
}

/**
 * Input gradient of a convolution with few input channels (a model's first layer: 1 for grey, 3 for
 * RGB). There the flipped convolution has as few output channels, and XNNPACK runs it ~15x below its
 * usual speed (127 ms for a [250, 26, 26, 32] MNIST batch). Instead one matrix product gives every
 * kernel tap's contribution, cols = dy . W^T ([N*Ho*Wo, Co] x [Co, kh*kw*Ci]), and col2im adds them
 * into place.
 */
function fewChannelInputGrad(
  backend: WasmBackend,
  dy: TensorInfo,
  filter: TensorInfo,
  inputShape: number[],
  padTop: number,
  padLeft: number,
): TensorInfo {
  const [kh, kw, ci, co] = filter.shape;
  const [n, ho, wo] = dy.shape;
  const cols = callKernel(
    'BatchMatMul',
    backend,
    { a: view(dy, [1, n * ho * wo, co]), b: view(filter, [1, kh * kw * ci, co]) },
    { transposeA: false, transposeB: true },
  );
  const out = backend.makeOutput(inputShape, 'float32');
  // heap views are taken after the last allocation (allocating may move the heap)
  const [, h, w] = inputShape;
  col2im(backend.typedArrayFromHeap(cols), backend.typedArrayFromHeap(out), { n, ho, wo, kh, kw, h, w, ci, padTop, padLeft });
  backend.disposeData(cols.dataId);
  return out;
}

/**
 * Conv2DBackpropFilter for the wasm backend, which has none: the batch-transposed convolution of the
 * identity above, written with kernels. Every Conv2D gradient asks for it.
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
  if (a.dataFormat === 'NCHW') throw new Error('the wasm backend computes convolution filter gradients for NHWC only');
  if (info.strideHeight !== 1 || info.strideWidth !== 1) return stridedFilterGrad(backend, x, dy, info);
  const simd = simdKernels();
  if (simd && info.inChannels <= 4 && info.outChannels % 8 === 0 && info.dilationHeight === 1 && info.dilationWidth === 1)
    return fewChannelFilterGrad(simd, backend, x, dy, info);
  const xt = channelsFirstBatchLast(backend, x);
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

/**
 * The filter gradient of a strided convolution (e.g. Opacus's MNIST network, stride 2): the patches of
 * x unfolded (im2col, zeros where the padding is) into cols [N*Ho*Wo, kh*kw*Ci], then one matrix
 * product dW = cols^T . dy.
 */
function stridedFilterGrad(backend: WasmBackend, x: TensorInfo, dy: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co, outHeight: ho, outWidth: wo } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const [n, h, w] = x.shape;
  const taps = kh * kw * ci;
  const cols = backend.makeOutput([1, n * ho * wo, taps], 'float32');
  // heap views after the last allocation
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(cols).fill(0);
  const { top, left } = info.padInfo;
  let o = 0;
  for (let img = 0; img < n; img++)
    for (let oh = 0; oh < ho; oh++)
      for (let ow = 0; ow < wo; ow++)
        for (let r = 0; r < kh; r++) {
          const i = oh * sh + r * dh - top;
          for (let t = 0; t < kw; t++, o += ci) {
            const j = ow * sw + t * dw - left;
            if (i < 0 || i >= h || j < 0 || j >= w) continue;
            const base = ((img * h + i) * w + j) * ci;
            for (let c = 0; c < ci; c++) dst[o + c] = src[base + c];
          }
        }
  const g = callKernel('BatchMatMul', backend, { a: cols, b: view(dy, [1, n * ho * wo, co]) }, { transposeA: true, transposeB: false });
  backend.disposeData(cols.dataId);
  return view(g, [kh, kw, ci, co]);
}

/**
 * x [N, H, W, C] transposed to [C, H, W, N]. The wasm Transpose kernel's general loop took 255 ms for a
 * [128, 32, 32, 64] batch; this one reads C values at a time and writes into C rows that stay in cache
 * (~70 ms).
 */
export function channelsFirstBatchLast(backend: WasmBackend, x: TensorInfo): TensorInfo {
  const [n, h, w, c] = x.shape;
  const out = backend.makeOutput([c, h, w, n], 'float32');
  // heap views after the last allocation
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const hw = h * w;
  const plane = hw * n;
  for (let p = 0; p < hw; p++)
    for (let b = 0; b < n; b++) {
      const s = (b * hw + p) * c;
      for (let k = 0, d = p * n + b; k < c; k++, d += plane) dst[d] = src[s + k];
    }
  return out;
}

/**
 * The filter gradient of a first layer (few input channels), by the SIMD kernel: the batch-transposed
 * convolution above hands XNNPACK the fresh dy as its filter, which it repacks on every call (18 ms of a
 * 96 ms MNIST training step); the kernel reads x and dy where they are, one output row at a time.
 */
function fewChannelFilterGrad(
  simd: SimdKernels,
  backend: WasmBackend,
  x: TensorInfo,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): TensorInfo {
  const { filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co } = info;
  const p = info.padInfo;
  const padded = p.top > 0 || p.bottom > 0 || p.left > 0 || p.right > 0;
  const xp = padded ? callKernel('PadV2', backend, { x }, { paddings: explicit(p.top, p.bottom, p.left, p.right), constantValue: 0 }) : x;
  const [n, hp, wp] = xp.shape;
  const taps = kh * kw * ci;
  const offs = backend.makeOutput([taps], 'int32');
  const out = backend.makeOutput([kh, kw, ci, co], 'float32');
  // heap views after the last allocation
  const table = backend.typedArrayFromHeap(offs) as unknown as Int32Array;
  for (let a = 0, t = 0; a < kh; a++) for (let e = 0; e < kw; e++) for (let c = 0; c < ci; c++, t++) table[t] = ((a * wp + e) * ci + c) * 4;
  const acc = backend.typedArrayFromHeap(out).fill(0);
  simd.convFilterGradFewChannels(
    backend.typedArrayFromHeap(xp).byteOffset,
    backend.typedArrayFromHeap(dy).byteOffset,
    acc.byteOffset,
    table.byteOffset,
    n,
    hp,
    wp,
    ci,
    info.outHeight,
    info.outWidth,
    co,
    taps,
  );
  backend.disposeData(offs.dataId);
  if (padded) backend.disposeData(xp.dataId);
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
 * the flipped convolution; few input channels take the matrix product instead. Stride 1 only; others keep it.
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
    const [kh, kw, ci] = filter.shape;
    const p = info.padInfo;
    if (ci <= 4) return fewChannelInputGrad(backend, dy, filter, a.inputShape, p.top, p.left);
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

/** Register the wasm Conv2DBackpropInput and Conv2DBackpropFilter kernels (idempotent; no-op without wasm). */
export function installFastConvGradients(): void {
  if (installed || !tf.getKernel('Conv2D', 'wasm')) return;
  installed = true;
  addKernel('Conv2DBackpropFilter', 'wasm', backpropFilter);
  replaceKernel('Conv2DBackpropInput', 'wasm', backpropInput);
}
