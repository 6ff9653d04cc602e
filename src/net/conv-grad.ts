import * as tf from '@tensorflow/tfjs-core';
import { backendCapabilities, hasKernel } from '../backends/capabilities';
import { windowAxis } from './window';

/**
 * Convolutions whose input gradient runs through the backend's forward convolution kernels
 * (a correlation of the zero-dilated, padded output gradient with the flipped, transposed
 * filter), where the backend says that is faster (`convGradViaForward`) or lacks the native
 * backprop kernel; elsewhere the native gradient is used.
 */

type Pair = readonly [number, number];
type Kind = 'conv' | 'depthwise';

const NATIVE_GRAD: Record<Kind, string> = { conv: 'Conv2DBackpropInput', depthwise: 'DepthwiseConv2dNativeBackpropInput' };

/** Whether the current backend should take the forward-kernel route for `kind`. */
function useForwardKernels(kind: Kind): boolean {
  return backendCapabilities().convGradViaForward || !hasKernel(NATIVE_GRAD[kind]);
}

/** Padding before the first row/column, as tfjs computes it for 'same' and 'valid'. */
export function padBefore(size: number, kernel: number, stride: number, padding: 'same' | 'valid'): number {
  return windowAxis(size, kernel, stride, padding).before;
}

/** Inserts `stride − 1` zeros between rows and columns of dy. */
export function dilate(dy: tf.Tensor4D, [sy, sx]: Pair): tf.Tensor4D {
  if (sy === 1 && sx === 1) return dy;
  const [n, h, w, c] = dy.shape;
  const spaced = tf.pad(tf.reshape(dy, [n, h, 1, w, 1, c]), [[0, 0], [0, 0], [0, sy - 1], [0, 0], [0, sx - 1], [0, 0]]);
  return tf.slice(tf.reshape(spaced, [n, h * sy, w * sx, c]) as tf.Tensor4D, [0, 0, 0, 0], [n, (h - 1) * sy + 1, (w - 1) * sx + 1, c]);
}

/** Pads (positive) or crops (negative) rows and columns. */
export function padOrCrop(x: tf.Tensor4D, [[top, bottom], [left, right]]: [Pair, Pair]): tf.Tensor4D {
  const padded = tf.pad(x, [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]]);
  const [n, h, w, c] = padded.shape;
  const t = Math.max(-top, 0);
  const l = Math.max(-left, 0);
  return tf.slice(padded, [0, t, l, 0], [n, h - t - Math.max(-bottom, 0), w - l - Math.max(-right, 0), c]);
}

/** The filter of the gradient convolution: flipped in space, in/out channels swapped. */
function backwardKernel(kind: Kind, kernel: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, c, m] = kernel.shape;
  const flipped = tf.reverse(kernel, [0, 1]);
  return kind === 'conv' ? tf.transpose(flipped, [0, 1, 3, 2]) : tf.reshape(flipped, [kh, kw, c * m, 1]);
}

// Backward kernels made once per filter (reversing every step costs ~10% of a step on wasm).
const prepared = new WeakMap<tf.Tensor, tf.Tensor4D>();

/**
 * Makes the backward kernel of a constant filter ahead of time when the current backend
 * takes the forward-kernel route. Returns it (the caller owns and disposes it) or undefined.
 */
export function prepareBackwardKernel(kind: Kind, kernel: tf.Tensor4D): tf.Tensor4D | undefined {
  if (!useForwardKernels(kind)) return undefined;
  const back = tf.tidy(() => backwardKernel(kind, kernel));
  prepared.set(kernel, back);
  return back;
}

/** dL/dx of a convolution, computed with forward kernels only. */
function inputGradient(kind: Kind, dy: tf.Tensor4D, kernel: tf.Tensor4D, xShape: number[], strides: Pair, padding: 'same' | 'valid'): tf.Tensor4D {
  const [n, h, w, c] = xShape;
  const [kh, kw] = kernel.shape;
  const [ho, wo] = [dy.shape[1], dy.shape[2]];
  const pt = padBefore(h, kh, strides[0], padding);
  const pl = padBefore(w, kw, strides[1], padding);
  const pads: [Pair, Pair] = [
    [kh - 1 - pt, h + pt - (ho - 1) * strides[0] - 1],
    [kw - 1 - pl, w + pl - (wo - 1) * strides[1] - 1],
  ];
  // Padding inside the convolution saves a full copy of dy; crops need the explicit route.
  const inside = pads.flat().every((p) => p >= 0);
  const u = inside ? dilate(dy, strides) : padOrCrop(dilate(dy, strides), pads);
  const pad: 'valid' | [[0, 0], Pair, Pair, [0, 0]] = inside ? [[0, 0], pads[0], pads[1], [0, 0]] : 'valid';
  const ready = prepared.get(kernel);
  const back = ready && !ready.isDisposed ? ready : backwardKernel(kind, kernel);
  if (kind === 'conv') return tf.conv2d(u, back, 1, pad as 'valid');
  const m = kernel.shape[3];
  const perChannel = tf.depthwiseConv2d(u, back, 1, pad as 'valid');
  return m === 1 ? perChannel : tf.sum(tf.reshape(perChannel, [n, h, w, c, m]), 4);
}

/**
 * `tf.conv2d` / `tf.depthwiseConv2d` (NHWC, no dilation) whose gradient w.r.t. `x` uses
 * forward kernels on backends where that is faster or the only way. The kernel is a
 * constant: no filter gradient is computed.
 */
export function convolve(kind: Kind, x: tf.Tensor4D, kernel: tf.Tensor4D, strides: Pair, padding: 'same' | 'valid'): tf.Tensor4D {
  const op = kind === 'conv' ? tf.conv2d : tf.depthwiseConv2d;
  if (!useForwardKernels(kind)) return op(x, kernel, strides as [number, number], padding);
  const f = tf.customGrad(((input: tf.Tensor4D, save: tf.GradSaveFunc) => {
    save([]);
    return {
      value: op(input, kernel, strides as [number, number], padding),
      gradFunc: (dy: tf.Tensor4D) => inputGradient(kind, dy, kernel, input.shape, strides, padding),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x) as tf.Tensor4D;
}
