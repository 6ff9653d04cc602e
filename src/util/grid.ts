import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError } from '../errors';

/**
 * One layer's activations as a `[h, w, c]` map. Accepts `[1, h, w, c]`, `[h, w, c]`, and a
 * fully connected `[1, c]` or `[c]` (then `fc` is true and the map is `[1, 1, c]`).
 * The caller owns the result (a reshape of `act`).
 *
 * @example
 * ```ts
 * const { map, fc } = asChannelMap(net.forward(px, { taps: ['fc7'] }).fc7);   // map: [1, 1, 4096]
 * ```
 */
export function asChannelMap(act: tf.Tensor, what = 'activations'): { map: tf.Tensor3D; fc: boolean } {
  if (!act || !Array.isArray(act.shape)) throw new DeepvisError('BAD_VALUE', `Expected a tf.Tensor of ${what}; got ${typeof act}.`);
  if (act.isDisposed) throw new DeepvisError('DISPOSED', `The ${what} tensor was already disposed.`);
  const s = act.shape;
  const one = (r: number) => act.rank === r + 1 && s[0] === 1;
  if (act.rank === 3 || one(3)) {
    const [h, w, c] = s.slice(-3);
    return { map: tf.reshape(act, [h, w, c]), fc: false };
  }
  if (act.rank === 1 || one(1)) return { map: tf.reshape(act, [1, 1, s[s.length - 1]]), fc: true };
  throw new DeepvisError(
    'BAD_SHAPE',
    `Expected the ${what} of one image: [1, h, w, c], [h, w, c], [1, c] or [c]; got shape [${s.join(', ')}].` +
      ' Slice one image out of a batch first (tf.slice(act, [i, 0, 0, 0], [1, -1, -1, -1])).',
  );
}

/**
 * Throws OUT_OF_RANGE unless `c` is a channel index below `channels`.
 *
 * @example
 * ```ts
 * checkChannel(16, 16);   // throws: "channel 16 is out of range: this layer has 16 channels (0…15)."
 * ```
 */
export function checkChannel(c: number, channels: number, what = 'channel'): void {
  if (!Number.isInteger(c) || c < 0 || c >= channels) {
    throw new DeepvisError('OUT_OF_RANGE', `${what} ${c} is out of range: this layer has ${channels} channels (0…${channels - 1}).`);
  }
}

/**
 * Lays `n` tiles `[n, th, tw, d]` out row-major in `rows × cols` slots with `padding`
 * pixels between tiles and around the outside, every padding or empty pixel set to `fill`.
 * Returns `[rows·(th+p)+p, cols·(tw+p)+p, d]`; the caller owns it.
 *
 * @example
 * ```ts
 * const grid = assembleGrid(tf.ones([3, 2, 2, 1]), 2, 2, 1, -1);   // [7, 7, 1]
 * ```
 */
export function assembleGrid(tiles: tf.Tensor4D, cols: number, rows: number, padding: number, fill: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [n, th, tw, d] = tiles.shape;
    const p = padding;
    // Pad each tile below and right, and the tile count up to rows·cols.
    const padded = tf.pad(tiles, [[0, rows * cols - n], [0, p], [0, p], [0, 0]], fill);
    // Rank 4 only (some backends transpose up to rank 4 fastest): fold each tile row's pixels and depth together.
    const byRow = tf.reshape(padded, [rows, cols, th + p, (tw + p) * d]);
    const grid = tf.reshape(tf.transpose(byRow, [0, 2, 1, 3]), [rows * (th + p), cols * (tw + p), d]);
    return tf.pad(grid, [[p, 0], [p, 0], [0, 0]], fill) as tf.Tensor3D;
  });
}

/**
 * Each of the `c` channels of a `[h, w, c]` map as a grey RGB tile: `[c, h, w, 3]`.
 * (Copies along the first axis and one transpose: concat on the last axis and tf.tile
 * are many times slower on wasm.)
 *
 * @example
 * ```ts
 * const tiles = channelsAsRgbTiles(tf.zeros([13, 13, 256]));   // [256, 13, 13, 3]
 * ```
 */
export function channelsAsRgbTiles(map: tf.Tensor3D): tf.Tensor4D {
  return tf.tidy(() => {
    const [h, w, c] = map.shape;
    const flat = tf.reshape(map, [1, h * w * c]);
    const three = tf.reshape(tf.concat([flat, flat, flat], 0), [3, h, w, c]);
    return tf.transpose(three, [3, 1, 2, 0]) as tf.Tensor4D;
  });
}

/**
 * A one-channel `[h, w, 1]` image as grey RGB `[h, w, 3]`.
 *
 * @example
 * ```ts
 * const rgb = greyToRgb(tf.fill([4, 4, 1], 128));   // [4, 4, 3]
 * ```
 */
export function greyToRgb(grey: tf.Tensor3D): tf.Tensor3D {
  const [h, w] = grey.shape;
  return tf.reshape(channelsAsRgbTiles(tf.reshape(grey, [1, h * w, 1])), [h, w, 3]);
}
