import * as tf from '@tensorflow/tfjs-core';
import { backendCapabilities, hasKernel } from '../backends/capabilities';
import { windowAxis, windowSpan } from './window';

/**
 * The input gradient of a convolution through forward convolution kernels (a correlation of
 * the zero-dilated, padded output gradient with the flipped, transposed filter): the one
 * implementation, taken by the Net's convolutions where the backend says that is faster
 * (`convGradViaForward`) or lacks the native backprop kernel, and by the backprop-input
 * kernels deepvis registers on wasm.
 */

type Pair = readonly [number, number];

/** A full convolution (`tf.conv2d`) or a depthwise one (`tf.depthwiseConv2d`). */
export type ConvKind = 'conv' | 'depthwise';

/** How a convolution's windows sit on its input, as the gradient needs it. */
export interface ConvWindow {
  readonly strides: Pair;
  readonly dilations: Pair;
  /** The padding before the first row and the first column. */
  readonly before: Pair;
}

const NATIVE_GRAD: Record<ConvKind, string> = { conv: 'Conv2DBackpropInput', depthwise: 'DepthwiseConv2dNativeBackpropInput' };

/** Whether the current backend should take the forward-kernel route for `kind`. */
function useForwardKernels(kind: ConvKind): boolean {
  return backendCapabilities().convGradViaForward || !hasKernel(NATIVE_GRAD[kind]);
}

/** Inserts `stride − 1` zeros between rows and columns of dy. */
function dilate(dy: tf.Tensor4D, [sy, sx]: Pair): tf.Tensor4D {
  if (sy === 1 && sx === 1) return dy;
  const [n, h, w, c] = dy.shape;
  const spaced = tf.pad(tf.reshape(dy, [n, h, 1, w, 1, c]), [[0, 0], [0, 0], [0, sy - 1], [0, 0], [0, sx - 1], [0, 0]]);
  return tf.slice(tf.reshape(spaced, [n, h * sy, w * sx, c]) as tf.Tensor4D, [0, 0, 0, 0], [n, (h - 1) * sy + 1, (w - 1) * sx + 1, c]);
}

/** Pads (positive) or crops (negative) rows and columns. */
function padOrCrop(x: tf.Tensor4D, [[top, bottom], [left, right]]: readonly [Pair, Pair]): tf.Tensor4D {
  const padded = tf.pad(x, [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]]);
  const [n, h, w, c] = padded.shape;
  const t = Math.max(-top, 0);
  const l = Math.max(-left, 0);
  return tf.slice(padded, [0, t, l, 0], [n, h - t - Math.max(-bottom, 0), w - l - Math.max(-right, 0), c]);
}

/** The filter of the gradient convolution: flipped in space, in/out channels swapped. */
function backwardKernel(kind: ConvKind, kernel: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, c, m] = kernel.shape;
  const flipped = tf.reverse(kernel, [0, 1]);
  return kind === 'conv' ? tf.transpose(flipped, [0, 1, 3, 2]) : tf.reshape(flipped, [kh, kw, c * m, 1]);
}

// Backward kernels made once per filter (reversing every step costs ~10% of a step on wasm).
const prepared = new WeakMap<tf.Tensor, tf.Tensor4D>();

/**
 * Makes the backward kernel of a constant filter ahead of time when the current backend
 * takes the forward-kernel route. Returns it (the caller owns and disposes it) or undefined.
 *
 * @example
 * ```ts
 * const back = prepareBackwardKernel('conv', kernel);   // later convolve('conv', x, kernel, …) steps reuse it
 * back?.dispose();                                       // with the kernel
 * ```
 */
export function prepareBackwardKernel(kind: ConvKind, kernel: tf.Tensor4D): tf.Tensor4D | undefined {
  if (!useForwardKernels(kind)) return undefined;
  const back = tf.tidy(() => backwardKernel(kind, kernel));
  prepared.set(kernel, back);
  return back;
}

/**
 * dL/dx of a convolution (NHWC) of an input of `xShape` with `kernel`, from the gradient `dy`
 * of its output, computed with forward convolution kernels only, for any stride, dilation and
 * padding (explicit paddings wider than the kernel crop). `back` is the kernel's backward
 * kernel when made ahead ({@link prepareBackwardKernel}). Makes intermediates: run it under `tf.tidy`.
 *
 * @example
 * ```ts
 * const dx = tf.tidy(() => convInputGradient('conv', dy, kernel, x.shape, { strides: [2, 2], dilations: [1, 1], before: [0, 0] }));
 * ```
 */
export function convInputGradient(
  kind: ConvKind, dy: tf.Tensor4D, kernel: tf.Tensor4D, xShape: readonly number[], { strides, dilations, before }: ConvWindow, back = backwardKernel(kind, kernel),
): tf.Tensor4D {
  const [n, h, w, c] = xShape;
  const [kh, kw] = kernel.shape;
  const [ho, wo] = [dy.shape[1], dy.shape[2]];
  const [eh, ew] = [windowSpan(kh, dilations[0]), windowSpan(kw, dilations[1])];
  const [pt, pl] = before;
  const pads: [Pair, Pair] = [
    [eh - 1 - pt, h + pt - (ho - 1) * strides[0] - 1],
    [ew - 1 - pl, w + pl - (wo - 1) * strides[1] - 1],
  ];
  // Padding inside the convolution saves a full copy of dy; crops need the explicit route.
  const inside = pads.flat().every((p) => p >= 0);
  const u = inside ? dilate(dy, strides) : padOrCrop(dilate(dy, strides), pads);
  const pad: 'valid' | [[0, 0], Pair, Pair, [0, 0]] = inside ? [[0, 0], pads[0], pads[1], [0, 0]] : 'valid';
  const d = dilations as [number, number];
  if (kind === 'conv') return tf.conv2d(u, back, 1, pad as 'valid', 'NHWC', d);
  const m = kernel.shape[3];
  const perChannel = tf.depthwiseConv2d(u, back, 1, pad as 'valid', 'NHWC', d);
  return m === 1 ? perChannel : tf.sum(tf.reshape(perChannel, [n, h, w, c, m]), 4);
}

/**
 * `tf.conv2d` / `tf.depthwiseConv2d` (NHWC, no dilation) whose gradient w.r.t. `x` uses
 * forward kernels ({@link convInputGradient}) on backends where that is faster or the only
 * way. The kernel is a constant: no filter gradient is computed.
 *
 * @example
 * ```ts
 * const dx = tf.grad((t: tf.Tensor) => tf.sum(convolve('conv', t as tf.Tensor4D, kernel, [2, 2], 'same')))(x);
 * ```
 */
export function convolve(kind: ConvKind, x: tf.Tensor4D, kernel: tf.Tensor4D, strides: Pair, padding: 'same' | 'valid'): tf.Tensor4D {
  const op = kind === 'conv' ? tf.conv2d : tf.depthwiseConv2d;
  if (!useForwardKernels(kind)) return op(x, kernel, strides as [number, number], padding);
  const f = tf.customGrad(((input: tf.Tensor4D, save: tf.GradSaveFunc) => {
    save([]);
    const [, h, w] = input.shape;
    const before: Pair = [windowAxis(h, kernel.shape[0], strides[0], padding).before, windowAxis(w, kernel.shape[1], strides[1], padding).before];
    return {
      value: op(input, kernel, strides as [number, number], padding),
      gradFunc: (dy: tf.Tensor4D) => {
        const ready = prepared.get(kernel);
        return convInputGradient(kind, dy, kernel, input.shape, { strides, dilations: [1, 1], before }, ready && !ready.isDisposed ? ready : undefined);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x) as tf.Tensor4D;
}
