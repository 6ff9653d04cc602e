import * as tf from '@tensorflow/tfjs-core';
import { backendCapabilities } from '../backends/capabilities';
import { windowAxis } from './window';
import { filledTensor, hostFloats } from '../backends/tfjs-internals';

type Pair = readonly [number, number];

/**
 * Max pooling whose gradient is computed on the host where the backend says so
 * (`maxPoolGradOnHost`: its own kernel routes the gradient of an all-negative window, common
 * after a LeakyReLU, to the wrong element), by {@link maxPoolGradient}.
 *
 * @example
 * ```ts
 * const dx = tf.grad((t: tf.Tensor) => tf.sum(maxPool(t as tf.Tensor4D, [2, 2], [2, 2], 'valid')))(x);
 * ```
 */
export function maxPool(x: tf.Tensor4D, kernel: Pair, strides: Pair, padding: 'same' | 'valid'): tf.Tensor4D {
  if (!backendCapabilities().maxPoolGradOnHost) return tf.maxPool(x, kernel as [number, number], strides as [number, number], padding);
  const f = tf.customGrad(((input: tf.Tensor4D, save: tf.GradSaveFunc) => {
    save([input]);
    const [, h, w] = input.shape;
    const before: Pair = [windowAxis(h, kernel[0], strides[0], padding).before, windowAxis(w, kernel[1], strides[1], padding).before];
    return {
      value: tf.maxPool(input, kernel as [number, number], strides as [number, number], padding),
      gradFunc: (dy: tf.Tensor4D, [saved]: tf.Tensor[]) => maxPoolGradient(saved as tf.Tensor4D, dy, kernel, strides, before),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x) as tf.Tensor4D;
}

/**
 * dx of a max pool (NHWC `x`, output gradient `dy`) with `before` the padding before the first
 * row and column, in one pass over the values on the host: each window's dy goes to its first
 * maximum in row-major order (padding never wins), as on tfjs's reference (cpu) backend. The
 * one max-pool gradient fix: the Net's pools take it where the backend says so, and it is the
 * `MaxPoolGrad` kernel deepvis registers on wasm. There this one loop replaces ~10 tensor ops
 * and wasm's slow kernel, which took ~60–85 ms of a ~300 ms Darknet-Tiny step at 224².
 *
 * @example
 * ```ts
 * const dx = maxPoolGradient(x, dy, [2, 2], [2, 2], [0, 0]);   // a new tensor of x's shape
 * ```
 */
export function maxPoolGradient(x: tf.Tensor4D, dy: tf.Tensor4D, [kh, kw]: Pair, [sy, sx]: Pair, [pt, pl]: Pair): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const [, ho, wo] = dy.shape;
  // dx is written in place (on wasm in its heap: no fresh JavaScript buffer of x's size every
  // step); x and dy are read in place too, after dx is made (making it may move the heap).
  return filledTensor(x.shape, (dx) => {
    dx.fill(0);
    const xs = hostFloats(x);
    const g = hostFloats(dy);
    if (kh === 2 && kw === 2 && sy === 2 && sx === 2 && pt === 0 && pl === 0 && 2 * ho <= h && 2 * wo <= w) {
      halvingMaxPoolGradient(xs, g, dx, n, h, w, c, ho, wo);
      return;
    }
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
  }) as tf.Tensor4D;
}

/**
 * The loop of {@link maxPoolGradient} for the common 2×2 pool of stride 2 without padding, its
 * four comparisons written out (the same choice: the first maximum in row-major order).
 */
function halvingMaxPoolGradient(xs: Float32Array, g: Float32Array, dx: Float32Array, n: number, h: number, w: number, c: number, ho: number, wo: number): void {
  const row = w * c;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        const top = ((b * h + 2 * oy) * w + 2 * ox) * c;
        const out = ((b * ho + oy) * wo + ox) * c;
        for (let ch = 0; ch < c; ch++) {
          let at = top + ch;
          let best = xs[at];
          const right = at + c;
          if (xs[right] > best) {
            best = xs[right];
            at = right;
          }
          const below = top + ch + row;
          if (xs[below] > best) {
            best = xs[below];
            at = below;
          }
          if (xs[below + c] > best) at = below + c;
          dx[at] += g[out + ch];
        }
      }
    }
  }
}
