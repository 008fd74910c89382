/**
 * A faster wasm MaxPoolGrad, written in JavaScript over the wasm heap, and a SIMD forward MaxPool for the
 * 2x2 stride-2 case (TensorFlow.js's took about 3x as long on the MNIST CNN's [26, 26, 32] activations, one
 * thread: ~33 against ~11 us an image; the whole forward pass gains ~2%).
 *
 * TensorFlow.js's wasm MaxPoolGrad scans every filter window once per input pixel; on a
 * [128, 32, 32, 32] activation it took ~115 ms per call (1 thread), as long as the convolution
 * next to it. This kernel scans each pooling window once, channels innermost (contiguous in NHWC),
 * and routes dy to the window's first maximum in row-major order: the same position TensorFlow.js's
 * CPU and wasm kernels and PyTorch pick (`>`, so ties go to the earliest pixel). Results are equal to
 * the original kernel's bit for bit (fast-pool.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { replaceKernel, type KernelArgs, type KernelFn, type TensorInfo } from './kernels';
import { runByImages, simdKernels } from './simd';
interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** dx of a max pool over NHWC `x` given `dy` (every element of `dx` is written). */
export function maxPoolBackprop(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  info: {
    batchSize: number;
    inHeight: number;
    inWidth: number;
    inChannels: number;
    outHeight: number;
    outWidth: number;
    strideHeight: number;
    strideWidth: number;
    filterHeight: number;
    filterWidth: number;
    padTop: number;
    padLeft: number;
  },
): void {
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  if (isTiling2x2(info)) {
    // the windows tile the image and every pixel in them is written; only an uncovered edge needs zeros
    if (2 * OH !== H || 2 * OW !== W) dx.fill(0);
    maxPool2x2Backprop(x, dy, dx, batchSize, H, W, C, OH, OW);
    return;
  }
  dx.fill(0);
  const best = new Float32Array(C);
  const where = new Int32Array(C);
  let o = 0; // offset into dy
  for (let b = 0; b < batchSize; b++) {
    const xb = b * H * W * C;
    for (let oh = 0; oh < OH; oh++) {
      const y0 = oh * info.strideHeight - info.padTop;
      const yStart = Math.max(0, y0);
      const yEnd = Math.min(H, y0 + info.filterHeight);
      for (let ow = 0; ow < OW; ow++, o += C) {
        const x0 = ow * info.strideWidth - info.padLeft;
        const xStart = Math.max(0, x0);
        const xEnd = Math.min(W, x0 + info.filterWidth);
        best.fill(-Infinity);
        where.fill(-1);
        for (let yy = yStart; yy < yEnd; yy++) {
          for (let xx = xStart; xx < xEnd; xx++) {
            const p = xb + (yy * W + xx) * C;
            for (let c = 0; c < C; c++) {
              const v = x[p + c];
              if (v > best[c] || where[c] < 0) {
                best[c] = v;
                where[c] = p + c;
              }
            }
          }
        }
        for (let c = 0; c < C; c++) if (where[c] >= 0) dx[where[c]] += dy[o + c];
      }
    }
  }
}

type PoolInfo = Parameters<typeof maxPoolBackprop>[3];

/** 2x2 windows, stride 2, no padding: the windows tile the image (but for an odd last row or column). */
const isTiling2x2 = (i: PoolInfo) =>
  i.filterHeight === 2 &&
  i.filterWidth === 2 &&
  i.strideHeight === 2 &&
  i.strideWidth === 2 &&
  i.padTop === 0 &&
  i.padLeft === 0 &&
  2 * i.outHeight <= i.inHeight &&
  2 * i.outWidth <= i.inWidth;

/** The common 2x2 stride-2 unpadded case: four loads per output, no per-window state. */
function maxPool2x2Backprop(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  N: number,
  H: number,
  W: number,
  C: number,
  OH: number,
  OW: number,
): void {
  const row = W * C;
  let o = 0;
  for (let b = 0; b < N; b++) {
    for (let oh = 0; oh < OH; oh++) {
      let p = b * H * row + 2 * oh * row;
      for (let ow = 0; ow < OW; ow++, p += 2 * C) {
        for (let c = 0; c < C; c++, o++) {
          const i00 = p + c;
          const i01 = i00 + C;
          const i10 = i00 + row;
          const i11 = i10 + C;
          // the first maximum in row-major order: later pixels must be strictly larger
          let at = i00;
          let m = x[i00];
          if (x[i01] > m) {
            m = x[i01];
            at = i01;
          }
          if (x[i10] > m) {
            m = x[i10];
            at = i10;
          }
          if (x[i11] > m) at = i11;
          // all four pixels are written (the window's others get 0), so dx needs no fill first
          dx[i00] = 0;
          dx[i01] = 0;
          dx[i10] = 0;
          dx[i11] = 0;
          dx[at] = dy[o];
        }
      }
    }
  }
}

/** The pooling geometry of an NHWC input under a pool kernel's attributes. */
function poolInfo(shape: number[], attrs: unknown): PoolInfo {
  const a = attrs as PoolAttrs;
  const info = tf.backend_util.computePool2DInfo(
    shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  return {
    ...info,
    filterHeight: info.effectiveFilterHeight,
    filterWidth: info.effectiveFilterWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** The SIMD pool kernels' size arguments: n, h, w, c, oh, ow. */
const dims = (p: PoolInfo) => [p.batchSize, p.inHeight, p.inWidth, p.inChannels, p.outHeight, p.outWidth] as const;

let installed = false;

/**
 * MaxPool by the SIMD kernel for unpadded 2x2 windows at stride 2 over NHWC float32 with channels a
 * multiple of 4: each output is its window's first maximum in row-major order, the pixel the gradient
 * goes to. Other cases run TensorFlow.js's kernel.
 */
const maxPool =
  (original: KernelFn): KernelFn =>
  (args: KernelArgs): TensorInfo => {
    const simd = simdKernels();
    const { x } = args.inputs;
    if (!simd || x.dtype !== 'float32' || x.shape.length !== 4 || x.shape[3] % 4 !== 0) return original(args);
    const p = poolInfo(x.shape, args.attrs);
    if (!isTiling2x2(p)) return original(args);
    const out = args.backend.makeOutput([p.batchSize, p.outHeight, p.outWidth, p.inChannels], 'float32');
    // heap views after the last allocation; with kernel threads, a share of the images each
    const from = args.backend.typedArrayFromHeap(x).byteOffset;
    const to = args.backend.typedArrayFromHeap(out).byteOffset;
    const [, h, w, c, oh, ow] = dims(p);
    runByImages('maxPool2x2', p.batchSize, (a, b) => [from + 4 * a * h * w * c, to + 4 * a * oh * ow * c, b - a, h, w, c, oh, ow]);
    return out;
  };

/** Register the JavaScript MaxPoolGrad and the SIMD MaxPool on the wasm backend (idempotent; no-op without it). */
export function installFastPool(): void {
  if (installed) return;
  if (tf.getKernel('MaxPool', 'wasm')) replaceKernel('MaxPool', 'wasm', maxPool);
  installed = replaceKernel('MaxPoolGrad', 'wasm', () => ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs;
    const p = poolInfo(input.shape, attrs);
    const dx = backend.makeOutput(input.shape, input.dtype);
    const out = backend.typedArrayFromHeap(dx);
    const x = backend.typedArrayFromHeap(input);
    const g = backend.typedArrayFromHeap(dy);
    const simd = simdKernels();
    if (simd && isTiling2x2(p) && p.inChannels % 4 === 0) {
      // the SIMD twin of maxPool2x2Backprop, in place on the heap
      if (2 * p.outHeight !== p.inHeight || 2 * p.outWidth !== p.inWidth) out.fill(0);
      simd.maxPool2x2Backprop(x.byteOffset, g.byteOffset, out.byteOffset, ...dims(p));
    } else maxPoolBackprop(x, g, out, p);
    return dx;
  });
}
