import * as tf from '@tensorflow/tfjs-core';
import { dilate, padBefore } from './conv-grad';

type Pair = readonly [number, number];

/**
 * Max pooling whose gradient is computed from forward ops on wasm. tfjs-backend-wasm 4.22's
 * MaxPoolGrad routes the gradient of a window whose values are all negative to the wrong
 * element (and MaxPoolWithArgmax returns 0 for such windows), which after a LeakyReLU is
 * common. The gradient goes to the first maximum of each window in row-major order, as
 * on the cpu backend.
 */
export function maxPool(x: tf.Tensor4D, kernel: Pair, strides: Pair, padding: 'same' | 'valid'): tf.Tensor4D {
  if (tf.getBackend() !== 'wasm') return tf.maxPool(x, kernel as [number, number], strides as [number, number], padding);
  const f = tf.customGrad(((input: tf.Tensor4D, save: tf.GradSaveFunc) => {
    save([input]);
    return {
      value: tf.maxPool(input, kernel as [number, number], strides as [number, number], padding),
      gradFunc: (dy: tf.Tensor4D, [saved]: tf.Tensor[]) => maxPoolGradient(saved as tf.Tensor4D, dy, kernel, strides, padding),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x) as tf.Tensor4D;
}

function maxPoolGradient(x: tf.Tensor4D, dy: tf.Tensor4D, kernel: Pair, strides: Pair, padding: 'same' | 'valid'): tf.Tensor4D {
  const [, h, w] = x.shape;
  const tiles = kernel[0] === strides[0] && kernel[1] === strides[1] &&
    padBefore(h, kernel[0], strides[0], padding) === 0 && padBefore(w, kernel[1], strides[1], padding) === 0;
  return tiles ? tiledMaxPoolGradient(x, dy, kernel, padding) : windowedMaxPoolGradient(x, dy, kernel, strides, padding);
}

/**
 * Non-overlapping windows (the common 2×2 stride 2): mark each window's maxima with a
 * positive weight that falls with the position in the window, everything else with 0, so
 * every window has one positive maximum, at its first maximum, and let the native kernel
 * route dy there.
 */
function tiledMaxPoolGradient(x: tf.Tensor4D, dy: tf.Tensor4D, kernel: Pair, padding: 'same' | 'valid'): tf.Tensor4D {
  const [, h, w] = x.shape;
  const [kh, kw] = kernel;
  const y = tf.maxPool(x, kernel as [number, number], kernel as [number, number], padding);
  const [ch, cw] = [y.shape[1] * kh, y.shape[2] * kw];
  // Nearest-neighbour upsampling puts each window's maximum on every element of the window;
  // rows and columns no window covers ('valid' leftovers) get +∞ so they are never marked.
  const up = tf.image.resizeNearestNeighbor(y, [ch, cw]);
  const fitted = tf.slice(tf.pad(up, [[0, 0], [0, Math.max(h - ch, 0)], [0, Math.max(w - cw, 0)], [0, 0]], 3.4e38), [0, 0, 0, 0], [-1, h, w, -1]);
  const order = Array.from({ length: kh * kw }, (_, i) => kh * kw - i);
  const rank = tf.slice(tf.tile(tf.tensor3d(order, [kh, kw, 1]), [Math.ceil(h / kh), Math.ceil(w / kw), 1]), [0, 0, 0], [h, w, 1]);
  const marks = tf.mul(tf.cast(tf.greaterEqual(x, fitted), 'float32'), rank) as tf.Tensor4D;
  const marked = tf.maxPool(marks, kernel as [number, number], kernel as [number, number], padding);
  return tf.engine().runKernel('MaxPoolGrad', { dy, input: marks, output: marked },
    { filterSize: kernel, strides: kernel, pad: padding }) as tf.Tensor4D;
}

/** Any window shape: the first maximum of each window found with argMax over its offsets. */
function windowedMaxPoolGradient(x: tf.Tensor4D, dy: tf.Tensor4D, [kh, kw]: Pair, strides: Pair, padding: 'same' | 'valid'): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const [ho, wo] = [dy.shape[1], dy.shape[2]];
  const [pt, pl] = [padBefore(h, kh, strides[0], padding), padBefore(w, kw, strides[1], padding)];
  const hp = Math.max(h + pt, (ho - 1) * strides[0] + kh);
  const wp = Math.max(w + pl, (wo - 1) * strides[1] + kw);
  const xp = tf.pad(x, [[0, 0], [pt, hp - h - pt], [pl, wp - w - pl], [0, 0]], -3.4e38);
  // Every window offset (p, q) as one strided view of the padded input.
  const offsets: [number, number][] = [];
  for (let p = 0; p < kh; p++) for (let q = 0; q < kw; q++) offsets.push([p, q]);
  const views = offsets.map(([p, q]) =>
    tf.stridedSlice(xp, [0, p, q, 0], [n, p + (ho - 1) * strides[0] + 1, q + (wo - 1) * strides[1] + 1, c], [1, strides[0], strides[1], 1]));
  const winner = tf.argMax(tf.stack(views, 4), 4); // first maximum on ties
  const routed = tf.mul(tf.oneHot(winner, offsets.length), tf.expandDims(dy, 4)); // [n, ho, wo, c, k]
  const parts = tf.unstack(routed, 4).map((g, i) => {
    const [p, q] = offsets[i];
    const spread = dilate(g as tf.Tensor4D, strides);
    return tf.pad(spread, [[0, 0], [p, hp - p - spread.shape[1]], [q, wp - q - spread.shape[2]], [0, 0]]);
  });
  return tf.slice(tf.addN(parts), [0, pt, pl, 0], [n, h, w, c]);
}
