/**
 * The convolution gradient kernels that `@tensorflow/tfjs-backend-wasm` 4.22 does not register
 * (`Conv2DBackpropFilter`, `DepthwiseConv2dNativeBackpropInput`,
 * `DepthwiseConv2dNativeBackpropFilter`), made of the backend's own forward kernels so that
 * `tf.grad(x => model.apply(x))` through tfjs-layers convolutions works on wasm; and a
 * `MaxPoolGrad` that routes the gradient as cpu does. Each is a kernel made of tensor ops
 * ({@link kernelFromOps}); the input gradient and the max-pool gradient are the ones the Net
 * takes ({@link convInputGradient}, {@link maxPoolGradient}).
 *
 * Only tfjs-core is imported: registering kernels for 'wasm' needs no wasm package, so this
 * module is safe to load where the wasm backend is not installed.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { convInputGradient, type ConvKind } from '../net/conv-grad';
import { maxPoolGradient } from '../net/pool-grad';
import { kernelFromOps, wasmHeap } from './tfjs-internals';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
type Pair = [number, number];
type Rounding = 'floor' | 'round' | 'ceil';
type Shape4 = [number, number, number, number];

/** The attributes of tfjs's convolution gradient kernels (`filterShape` for the filter ones, `inputShape` for the input ones). */
interface ConvAttrs {
  strides: number | Pair;
  dilations?: number | Pair;
  pad: Pad;
  dataFormat?: string;
  dimRoundingMode?: Rounding;
  filterShape: Shape4;
  inputShape: Shape4;
}

const pair = (v: unknown): Pair => (v == null ? [1, 1] : typeof v === 'number' ? [v, v] : [(v as number[])[0], (v as number[])[1]]);

function nhwcOnly(kernel: string, dataFormat: unknown): void {
  if (dataFormat === 'NCHW') throw new Error(`deepvis: the wasm ${kernel} kernel supports NHWC data only; transpose NCHW inputs to NHWC`);
}

/** The convolution the attributes describe, decoded by tfjs itself. */
function convInfo(x: readonly number[], filter: readonly number[], a: ConvAttrs, depthwise: boolean): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(x as Shape4, filter as Shape4, a.strides, pair(a.dilations), a.pad as 'same', a.dimRoundingMode, depthwise);
}

const explicit = (p: tf.backend_util.PadInfo): tf.backend_util.ExplicitPadding => [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]];

/**
 * dW[a,b,i,o] = Σ_{n,y,x} xpad[n, y·s + a, x·s + b, i] · dy[n,y,x,o]: a stride-1 forward Conv2D of x
 * seen as `[ci, H, W, n]` with dy seen as a `[ho, wo, n, co]` filter, dilated by the stride s.
 */
function conv2DBackpropFilter({ x, dy }: Record<string, tf.Tensor>, attrs: tf.NamedAttrMap): tf.Tensor {
  const a = attrs as unknown as ConvAttrs;
  nhwcOnly('Conv2DBackpropFilter', a.dataFormat);
  const info = convInfo(x.shape, a.filterShape, { ...a, dilations: 1 }, false);
  const [kh, kw, ci, co] = a.filterShape;
  const xT = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D;
  const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
  let r = tf.conv2d(xT, dyT, 1, explicit(info.padInfo), 'NHWC', [info.strideHeight, info.strideWidth]);
  // Rows of xpad past the last window give extra outputs beyond the kernel: drop them.
  if (r.shape[1] !== kh || r.shape[2] !== kw) r = tf.slice(r, [0, 0, 0, 0], [ci, kh, kw, co]);
  return tf.transpose(r, [1, 2, 0, 3]);
}

/**
 * dW[a,b,c,k] = Σ_{n,y,x} xpad[n, y·s + a·d, x·s + b·d, c] · dy[n,y,x,c·m+k]: a depthwise conv of x
 * seen as one image with c·n channels and dy as a `[ho, wo, c·n, m]` filter (dilation s, stride d),
 * then a sum over the batch.
 */
function depthwiseBackpropFilter({ x, dy }: Record<string, tf.Tensor>, attrs: tf.NamedAttrMap): tf.Tensor {
  const a = attrs as unknown as ConvAttrs;
  const info = convInfo(x.shape, a.filterShape, a, true);
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  // The transposed problem would need stride and dilation both above 1, which tfjs convolutions refuse.
  if (Math.max(sh, sw) > 1 && Math.max(dh, dw) > 1) return depthwiseFilterLoop(x, dy, info);
  const [kh, kw, c, m] = a.filterShape;
  const [n, H, W] = x.shape;
  const [, ho, wo] = dy.shape;
  const xT = tf.reshape(tf.transpose(x, [1, 2, 3, 0]), [1, H, W, c * n]) as tf.Tensor4D;
  const dyT = tf.reshape(tf.transpose(tf.reshape(dy, [n, ho, wo, c, m]), [1, 2, 3, 0, 4]), [ho, wo, c * n, m]) as tf.Tensor4D;
  const r = tf.depthwiseConv2d(xT, dyT, [dh, dw], explicit(info.padInfo), 'NHWC', [sh, sw]);
  const [, oh, ow] = r.shape;
  const out = n > 1 ? tf.sum(tf.reshape(r, [oh, ow, c, n, m]), 3) : tf.reshape(r, [oh, ow, c, m]);
  return oh !== kh || ow !== kw ? tf.slice(out, [0, 0, 0, 0], [kh, kw, c, m]) : out;
}

/** The depthwise filter gradient as plain loops, for strides and dilations both above 1. */
function depthwiseFilterLoop(x: tf.Tensor, dy: tf.Tensor, info: tf.backend_util.Conv2DInfo): tf.Tensor {
  const xv = x.dataSync() as Float32Array;
  const dyv = dy.dataSync() as Float32Array;
  const { batchSize: n, inHeight: H, inWidth: W, inChannels: c, outHeight: ho, outWidth: wo, outChannels: C } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const m = C / c;
  const dW = new Float32Array(kh * kw * C);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < ho; y++) {
      for (let xo = 0; xo < wo; xo++) {
        const dyAt = ((b * ho + y) * wo + xo) * C;
        for (let i = 0; i < kh; i++) {
          const r = y * sh + i * dh - top;
          if (r < 0 || r >= H) continue;
          for (let j = 0; j < kw; j++) {
            const col = xo * sw + j * dw - left;
            if (col < 0 || col >= W) continue;
            const xAt = ((b * H + r) * W + col) * c;
            const wAt = (i * kw + j) * C;
            for (let ch = 0; ch < c; ch++) {
              const xval = xv[xAt + ch];
              for (let k = 0; k < m; k++) dW[wAt + ch * m + k] += xval * dyv[dyAt + ch * m + k];
            }
          }
        }
      }
    }
  }
  return tf.tensor4d(dW, [kh, kw, c, m]);
}

/**
 * A `Conv2DBackpropInput` (`'conv'`) or `DepthwiseConv2dNativeBackpropInput` (`'depthwise'`)
 * kernel made of forward convolutions ({@link convInputGradient}), for any stride, dilation
 * and padding. deepvis registers the depthwise one on wasm, which lacks it; the conv one can
 * replace wasm's own, slow per FLOP, where training speed matters.
 *
 * @example
 * ```ts
 * tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
 * tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: backpropInputKernel('conv') });
 * ```
 */
export function backpropInputKernel(kind: ConvKind): tf.KernelFunc {
  return kernelFromOps(({ dy, filter }, attrs) => {
    const a = attrs as unknown as ConvAttrs;
    nhwcOnly(kind === 'conv' ? 'Conv2DBackpropInput' : 'DepthwiseConv2dNativeBackpropInput', a.dataFormat);
    const info = convInfo(a.inputShape, filter.shape, a, kind === 'depthwise');
    return convInputGradient(kind, dy as tf.Tensor4D, filter as tf.Tensor4D, a.inputShape, {
      strides: [info.strideHeight, info.strideWidth],
      dilations: [info.dilationHeight, info.dilationWidth],
      before: [info.padInfo.top, info.padInfo.left],
    });
  });
}

/**
 * dx of a max pool, each window's dy to its first maximum in row-major order, as on cpu
 * ({@link maxPoolGradient}). Replaces wasm 4.22's own, which sends the gradient of a window
 * whose values are all negative (common after a LeakyReLU) to the wrong element.
 */
const maxPoolGrad = kernelFromOps(({ dy, input }, attrs) => {
  const a = attrs as unknown as { filterSize: number | Pair; strides: number | Pair; pad: Pad; dimRoundingMode?: Rounding };
  const info = tf.backend_util.computePool2DInfo(input.shape as Shape4, a.filterSize, a.strides, 1, a.pad as 'same', a.dimRoundingMode);
  return maxPoolGradient(input as tf.Tensor4D, dy as tf.Tensor4D, [info.filterHeight, info.filterWidth], [info.strideHeight, info.strideWidth], [info.padInfo.top, info.padInfo.left]);
});

/**
 * Copies the block `begin … begin + size` of a row-major array of `shape` into `out`, in runs as
 * long as memory allows: the trailing axes the block covers whole and the last one it cuts join
 * one run (an image crop copies whole rows, not pixels).
 */
function copyBlock(src: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }, shape: readonly number[], begin: readonly number[], size: readonly number[], out: { set(a: ArrayLike<number>, at: number): void }): void {
  const rank = shape.length;
  const strides = new Array<number>(rank);
  for (let d = rank - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  let k = rank - 1;
  while (k > 0 && begin[k] === 0 && size[k] === shape[k]) k--;
  const run = size[k] * strides[k];
  const index = new Array<number>(k).fill(0);
  for (let at = 0; ; at += run) {
    let from = begin[k] * strides[k];
    for (let d = 0; d < k; d++) from += (begin[d] + index[d]) * strides[d];
    out.set(src.subarray(from, from + run), at);
    let d = k - 1;
    while (d >= 0 && ++index[d] === size[d]) index[d--] = 0;
    if (d < 0) return;
  }
}

/**
 * wasm's `Slice` reading and writing the heap in place, in runs ({@link copyBlock}): tfjs-backend-wasm
 * 4.22 copies the whole input out of the heap first and then one innermost row at a time (three
 * numbers for an NHWC image cut across its width). Strings and scalars go to its own kernel.
 */
function fastSlice(own: tf.KernelFunc): tf.KernelFunc {
  const kernel: tf.KernelFunc = (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    const heap = wasmHeap(args.backend);
    if (!heap || x.shape.length === 0 || (x.dtype !== 'float32' && x.dtype !== 'int32' && x.dtype !== 'bool')) return own(args);
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
    const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    const out = heap.output(s, x.dtype);
    if (s.some((v) => v === 0)) return out;
    // Views after the output is made: making it may have moved the heap.
    copyBlock(heap.view(x), x.shape, b, s, heap.view(out));
    return out;
  };
  ours.add(kernel);
  return kernel;
}

/** The kernels this file made (so a second registration leaves them). */
const ours = new WeakSet<tf.KernelFunc>();

const KERNELS: { name: string; kernelFunc: tf.KernelFunc }[] = [
  { name: 'Conv2DBackpropFilter', kernelFunc: kernelFromOps(conv2DBackpropFilter) },
  { name: 'DepthwiseConv2dNativeBackpropInput', kernelFunc: backpropInputKernel('depthwise') },
  { name: 'DepthwiseConv2dNativeBackpropFilter', kernelFunc: kernelFromOps(depthwiseBackpropFilter) },
];

/**
 * Registers, for the wasm backend, the convolution gradient kernels that
 * `@tensorflow/tfjs-backend-wasm` lacks (`Conv2DBackpropFilter`,
 * `DepthwiseConv2dNativeBackpropInput`, `DepthwiseConv2dNativeBackpropFilter`), built from its
 * forward convolution kernels, and replaces its `MaxPoolGrad`, which routes the gradient of a
 * window whose values are all negative to the wrong element, and its `Slice`, which copies an
 * image cut across its width a pixel at a time (deepvis's copies whole rows, in the heap). Missing kernels that are there
 * already are left alone, so calling it again (or after tfjs adds them) does nothing. `useWasm()` and
 * `useNodeBackend()` call it for you.
 *
 * @returns The names of the kernels it registered now.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import '@tensorflow/tfjs-backend-wasm';
 * registerWasmGradientKernels();            // ['Conv2DBackpropFilter', …] the first time, [] after
 * await tf.setBackend('wasm');
 * const g = tf.grad((x: tf.Tensor4D) => tf.sum(model.apply(x) as tf.Tensor))(image);
 * ```
 */
export function registerWasmGradientKernels(): string[] {
  const added: string[] = [];
  for (const { name, kernelFunc } of KERNELS) {
    if (tf.getKernel(name, 'wasm')) continue;
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
    added.push(name);
  }
  // Wrong where a window is all negative, not missing: replaced once.
  const own = tf.getKernel('MaxPoolGrad', 'wasm');
  if (own?.kernelFunc !== maxPoolGrad) {
    if (own) tf.unregisterKernel('MaxPoolGrad', 'wasm');
    tf.registerKernel({ kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGrad });
    added.push('MaxPoolGrad');
  }
  // Correct but slow where an image is cut across its width: replaced once, keeping it for strings.
  const slice = tf.getKernel('Slice', 'wasm');
  if (slice && !ours.has(slice.kernelFunc)) {
    tf.unregisterKernel('Slice', 'wasm');
    tf.registerKernel({ kernelName: 'Slice', backendName: 'wasm', kernelFunc: fastSlice(slice.kernelFunc) });
    added.push('Slice');
  }
  return added;
}
