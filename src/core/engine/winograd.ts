/**
 * Winograd convolution F(2x2, 3x3) (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks",
 * CVPR 2016) for the wasm backend's forward Conv2D and FusedConv2D, by the SIMD kernel `winograd3x3`
 * (kernels.wat), split by images over the kernel threads. It takes 16 multiplications for each 2x2
 * output tile and channel pair where the direct convolution takes 36; on the MNIST CNN's second layer
 * (13x13x32 -> 11x11x64) it is about 2.5x as fast as XNNPACK's convolution on one thread.
 *
 * Opt-in (`setConvAlgorithm('winograd')`, `rlab certify --conv winograd`): the sums are rounded in
 * another order than the direct convolution's, so outputs differ by a few float32 ulps of the largest
 * term (about 1e-6 relative), and a vote whose two top logits are that close can go the other way. The
 * zoo's figures were computed with the direct convolution ('direct', the default), which reproduces
 * them exactly. Cases it takes: NHWC float32, 3x3 filters, stride 1, dilation 1, any zero padding,
 * input channels a multiple of 4, output channels a multiple of 8, no activation or relu; TensorFlow.js's
 * kernel runs the others. Once chosen it also serves the input gradient, which fast-conv.ts computes as
 * a convolution (the filter gradient's convolution has no 3x3 filter and stays direct).
 */
import * as tf from '@tensorflow/tfjs';
import { replaceKernel, type Conv2DAttrs, type KernelArgs, type KernelFn, type TensorInfo } from './kernels';
import { imageShares, runByImages, simdKernels } from './simd';

export type ConvAlgorithm = 'direct' | 'winograd';

let algorithm: ConvAlgorithm = 'direct';

/** Chooses the forward convolution of the cases Winograd takes (process-wide; Node's SIMD kernels only). */
export function setConvAlgorithm(a: ConvAlgorithm): void {
  algorithm = a;
}

export function convAlgorithm(): ConvAlgorithm {
  return algorithm;
}

/** G of F(2x2, 3x3): U = G g G^T maps a 3x3 filter to the 4x4 tile domain. */
const G = [
  [1, 0, 0],
  [0.5, 0.5, 0.5],
  [0.5, -0.5, 0.5],
  [0, 0, 1],
];

/**
 * The transformed filter U = G g G^T of every (input, output) channel pair, laid out [16][ci][co] (tile
 * position major) for the kernel's products; `g` is TensorFlow.js's [3][3][ci][co].
 */
export function winogradFilter(g: Float32Array, ci: number, co: number, u: Float32Array = new Float32Array(16 * ci * co)): Float32Array {
  const plane = ci * co;
  for (let pair = 0; pair < plane; pair++) {
    const w = (r: number, s: number) => g[(r * 3 + s) * plane + pair];
    for (let i = 0; i < 4; i++) {
      // row i of G g, then times G^T
      const t0 = G[i][0] * w(0, 0) + G[i][1] * w(1, 0) + G[i][2] * w(2, 0);
      const t1 = G[i][0] * w(0, 1) + G[i][1] * w(1, 1) + G[i][2] * w(2, 1);
      const t2 = G[i][0] * w(0, 2) + G[i][1] * w(1, 2) + G[i][2] * w(2, 2);
      for (let j = 0; j < 4; j++) u[(i * 4 + j) * plane + pair] = t0 * G[j][0] + t1 * G[j][1] + t2 * G[j][2];
    }
  }
  return u;
}

/** The kernel's scratch per thread, in float32s: the zero-padded image, V [16][t4][ci] and M [16][t4][co]. */
export function winogradScratch(oh: number, ow: number, ci: number, co: number): number {
  const th = Math.ceil(oh / 2);
  const tw = Math.ceil(ow / 2);
  const t4 = Math.ceil((th * tw) / 4) * 4;
  return (2 * th + 2) * (2 * tw + 2) * ci + 16 * t4 * (ci + co);
}

/** FusedConv2D's attributes (Conv2D's lack the activation). */
type ConvAttrs = Conv2DAttrs & { activation?: string };

/** The convolution's geometry when the Winograd kernel takes it, else null. */
function fits(x: TensorInfo, filter: TensorInfo, a: ConvAttrs, bias: TensorInfo | undefined) {
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape.length !== 4) return null;
  if (a.dataFormat !== undefined && a.dataFormat !== 'NHWC') return null;
  const [kh, kw, ci, co] = filter.shape;
  if (kh !== 3 || kw !== 3 || ci % 4 !== 0 || co % 8 !== 0) return null;
  if (a.activation !== undefined && a.activation !== 'linear' && a.activation !== 'relu') return null;
  if (bias && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== co)) return null;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
  );
  if (info.strideHeight !== 1 || info.strideWidth !== 1 || info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  if (info.outHeight < 1 || info.outWidth < 1) return null;
  return { ...info, ci, co, relu: a.activation === 'relu' ? 1 : 0 };
}

const conv =
  (original: KernelFn): KernelFn =>
  (args: KernelArgs): TensorInfo => {
    const simd = simdKernels();
    const { x, filter, bias } = args.inputs;
    const g = algorithm === 'winograd' && simd ? fits(x, filter, args.attrs as unknown as ConvAttrs, bias) : null;
    if (!simd || !g) return original(args);
    const { backend } = args;
    const n = g.batchSize;
    const parts = imageShares(n);
    const per = winogradScratch(g.outHeight, g.outWidth, g.ci, g.co);
    const out = backend.makeOutput([n, g.outHeight, g.outWidth, g.co], 'float32');
    // scratch for each share, the transformed filter, and (without a bias input) zeros
    const scratch = backend.makeOutput([parts * per + 16 * g.ci * g.co + g.co], 'float32');
    try {
      const s = backend.typedArrayFromHeap(scratch);
      const u = s.subarray(parts * per, parts * per + 16 * g.ci * g.co);
      winogradFilter(backend.typedArrayFromHeap(filter), g.ci, g.co, u);
      const zeros = s.subarray(parts * per + 16 * g.ci * g.co);
      zeros.fill(0);
      const biasAt = bias ? backend.typedArrayFromHeap(bias).byteOffset : zeros.byteOffset;
      const common = [backend.typedArrayFromHeap(x).byteOffset, u.byteOffset, biasAt, backend.typedArrayFromHeap(out).byteOffset];
      const geometry = [g.inHeight, g.inWidth, g.ci, g.co, g.outHeight, g.outWidth, g.padInfo.top, g.padInfo.left, g.relu];
      runByImages('winograd3x3', n, (from, to, k) => [...common, s.byteOffset + 4 * k * per, from, to, ...geometry]);
    } finally {
      backend.disposeData(scratch.dataId);
    }
    return out;
  };

let installed = false;

/** Puts the Winograd path in front of the wasm backend's Conv2D and FusedConv2D (idempotent; it runs only when chosen). */
export function installWinogradConv(): void {
  if (installed || !tf.getKernel('Conv2D', 'wasm')) return;
  replaceKernel('Conv2D', 'wasm', conv);
  replaceKernel('FusedConv2D', 'wasm', conv);
  installed = true;
}
