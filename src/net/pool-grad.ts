import * as tf from '@tensorflow/tfjs-core';
import { backendCapabilities } from '../backends/capabilities';
import { padBefore } from './conv-grad';

type Pair = readonly [number, number];

/**
 * Max pooling whose gradient is computed on the host where the backend says so
 * (`maxPoolGradOnHost`: its own kernel routes the gradient of an all-negative window, common
 * after a LeakyReLU, to the wrong element). The gradient goes to the first maximum of each
 * window in row-major order, as tfjs's reference (cpu) kernel does, computed in JavaScript on
 * the values.
 */
export function maxPool(x: tf.Tensor4D, kernel: Pair, strides: Pair, padding: 'same' | 'valid'): tf.Tensor4D {
  if (!backendCapabilities().maxPoolGradOnHost) return tf.maxPool(x, kernel as [number, number], strides as [number, number], padding);
  const f = tf.customGrad(((input: tf.Tensor4D, save: tf.GradSaveFunc) => {
    save([input]);
    return {
      value: tf.maxPool(input, kernel as [number, number], strides as [number, number], padding),
      gradFunc: (dy: tf.Tensor4D, [saved]: tf.Tensor[]) => maxPoolGradient(saved as tf.Tensor4D, dy, kernel, strides, padding),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x) as tf.Tensor4D;
}

/**
 * dx of a max pool in one pass over the typed arrays: each window's dy goes to its first
 * maximum in row-major order (padding never wins), as on the cpu backend. On wasm this
 * one loop replaces ~10 tensor ops and wasm's slow MaxPoolGrad, which took ~60–85 ms of a
 * ~300 ms Darknet-Tiny step at 224².
 */
function maxPoolGradient(x: tf.Tensor4D, dy: tf.Tensor4D, [kh, kw]: Pair, [sy, sx]: Pair, padding: 'same' | 'valid'): tf.Tensor4D {
  const [, h, w] = x.shape;
  const pads: Pair = [padBefore(h, kh, sy, padding), padBefore(w, kw, sx, padding)];
  const dx = maxPoolGradValues(x.dataSync() as Float32Array, x.shape, dy.dataSync() as Float32Array, [dy.shape[1], dy.shape[2]], [kh, kw], [sy, sx], pads);
  return tf.tensor4d(dx, x.shape);
}

/**
 * The loop of {@link maxPoolGradient} on plain arrays (NHWC `xs` of `xShape`, `g` of
 * `[n, ho, wo, c]`), with the padding before the first row and column given: shared with the
 * `MaxPoolGrad` kernel deepvis registers on wasm.
 *
 * @example
 * ```ts
 * const dx = maxPoolGradValues(xs, [1, 4, 4, 1], g, [2, 2], [2, 2], [2, 2], [0, 0]);   // Float32Array(16)
 * ```
 */
export function maxPoolGradValues(
  xs: Float32Array, [n, h, w, c]: readonly number[], g: Float32Array, [ho, wo]: Pair, [kh, kw]: Pair, [sy, sx]: Pair, [pt, pl]: Pair,
): Float32Array {
  const dx = new Float32Array(n * h * w * c);
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < ho; oy++) {
      const y0 = Math.max(oy * sy - pt, 0);
      const y1 = Math.min(oy * sy - pt + kh, h);
      for (let ox = 0; ox < wo; ox++) {
        const x0 = Math.max(ox * sx - pl, 0);
        const x1 = Math.min(ox * sx - pl + kw, w);
        const out = ((b * ho + oy) * wo + ox) * c;
        for (let ch = 0; ch < c; ch++) {
          let best = -Infinity;
          let at = -1;
          for (let yy = y0; yy < y1; yy++) {
            for (let i = ((b * h + yy) * w + x0) * c + ch, end = i + (x1 - x0) * c; i < end; i += c) {
              if (xs[i] > best || at < 0) {
                best = xs[i];
                at = i;
              }
            }
          }
          if (at >= 0) dx[at] += g[out + ch];
        }
      }
    }
  }
  return dx;
}
