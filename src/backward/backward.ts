import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption } from '../errors';
import { checkPixels } from '../net/check-pixels';
import type { BackwardRule, Net } from '../net/types';

/** Options for {@link backward}. */
export interface BackwardOptions {
  /** The layer (or `name/pre`) whose unit sends the signal back. */
  layer: string;
  /** The unit's channel (for a fully connected layer: the unit). */
  channel: number;
  /**
   * Where a `'unit'` seed sits on the channel's map: `'max'` (default; each image its own
   * first maximum in row-major order) or `[y, x]`.
   */
  at?: 'max' | readonly [number, number];
  /**
   * `'unit'` (default): 1 at one spatial position. `'activation'`: the channel's whole map
   * weighted by its own activation, as the toolbox seeds it. On a fully connected layer the
   * unit itself: 1, or its activation.
   */
  seed?: 'unit' | 'activation';
  /** How rectifiers pass the signal back: `'gradient'` (default), `'deconv'` or `'guided'`. */
  mode?: BackwardRule;
}

const MODES: readonly BackwardRule[] = ['gradient', 'deconv', 'guided'];

/** A float32 one-hot. (tfjs-backend-wasm 4.22 writes int bits into a float32 oneHot: cast instead.) */
function oneHot(indices: tf.Tensor, depth: number): tf.Tensor {
  return tf.cast(tf.oneHot(indices as tf.Tensor1D, depth), 'float32');
}

/**
 * What is wrong with seeding `channel` (at `at`) of a tap of this shape, if anything.
 * Checked inside the differentiated function, where the tap's shape is first known, but
 * returned rather than thrown: a throw there would strand the tensors the tape saved.
 */
function tapProblem(shape: number[], layer: string, channel: number, at: 'max' | readonly [number, number]): DeepvisError | undefined {
  if (shape.length !== 4 && shape.length !== 2) {
    return new DeepvisError('UNSUPPORTED', `backward needs a map [n, h, w, c] or a vector [n, c]; '${layer}' gives shape [${shape.join(', ')}].`);
  }
  const c = shape[shape.length - 1];
  if (channel >= c) return new DeepvisError('OUT_OF_RANGE', `Channel ${channel} is out of range: layer '${layer}' has ${c} channels (0…${c - 1}).`);
  if (at === 'max') return undefined;
  if (shape.length === 2) return new DeepvisError('BAD_OPTION', "Option 'at' must be 'max' for a fully connected layer (its units have no position); leave it out.");
  const [, h, w] = shape;
  const [y, x] = at;
  if (!(Number.isInteger(y) && Number.isInteger(x) && y >= 0 && x >= 0 && y < h && x < w)) {
    return new DeepvisError('OUT_OF_RANGE', `Option 'at' [${y}, ${x}] is outside the ${h}×${w} map of layer '${layer}': y in 0…${h - 1}, x in 0…${w - 1}.`);
  }
  return undefined;
}

/**
 * The seed weights for a tap `[n, h, w, c]` or `[n, c]`: zero except at the chosen channel.
 * Run inside a customGrad forward, so nothing here is differentiated.
 */
function seedFor(a: tf.Tensor, channel: number, seed: 'unit' | 'activation', at: 'max' | readonly [number, number]): tf.Tensor {
  const c = a.shape[a.rank - 1];
  const inChannel = tf.reshape(oneHot(tf.scalar(channel, 'int32'), c), [c]);
  if (seed === 'activation') return tf.mul(a, inChannel);
  if (a.rank === 2) return tf.mul(tf.onesLike(a), inChannel);
  const [n, h, w] = a.shape;
  let where: tf.Tensor;
  if (at === 'max') {
    const maps = tf.reshape(tf.slice(a, [0, 0, 0, channel], [n, h, w, 1]), [n, h * w]);
    where = tf.reshape(oneHot(tf.argMax(maps, 1), h * w), [n, h, w, 1]);
  } else {
    const [y, x] = at;
    where = tf.pad(tf.ones([n, 1, 1, 1]), [[0, 0], [y, h - y - 1], [x, w - x - 1], [0, 0]]);
  }
  return tf.mul(where, inChannel);
}

/**
 * The image-space signal from one unit back to the input: `d(seed · tap)/d pixels`, the
 * same shape as the 0–255 RGB `pixels` `[n, h, w, 3]` (each image its own). `mode` picks
 * the rule at every ReLU, ReLU6 and LeakyReLU of the net, with forward input z and incoming
 * signal g: `'gradient'` the true derivative; `'deconv'` `max(g, 0)` (Zeiler & Fergus);
 * `'guided'` `max(g, 0)` times the true derivative (Springenberg et al.). Max-pooling routes
 * through its switches and convolutions through their transposes in every mode. The rules
 * live only inside this call's forward pass: nothing global changes, and a throw leaves no
 * tensors behind. The caller owns the result.
 *
 * @example
 * ```ts
 * const g = backward(net, frame, { layer: 'leaky_re_lu_10', channel: 37, mode: 'guided' });
 * const picture = backwardImage(g, 'norm');
 * const toolbox = backward(net, frame, { layer: 'leaky_re_lu_10', channel: 37, seed: 'activation', mode: 'deconv' });
 * ```
 */
export function backward(net: Net, pixels: tf.Tensor4D, options: BackwardOptions): tf.Tensor4D {
  const { layer, channel, at = 'max', seed = 'unit', mode = 'gradient' } = options ?? ({} as BackwardOptions);
  checkPixels(pixels, net, { finite: true });
  checkOption(typeof layer === 'string', 'layer', 'a layer name (see net.describe())', layer);
  checkOption(MODES.includes(mode), 'mode', "'gradient', 'deconv' or 'guided'", mode);
  checkOption(seed === 'unit' || seed === 'activation', 'seed', "'unit' or 'activation'", seed);
  checkOption(at === 'max' || (Array.isArray(at) && at.length === 2), 'at', "'max' or [y, x]", at);
  checkOption(at === 'max' || seed === 'unit', 'at', "'max' when seed is 'activation' (the whole map is the seed)", at);
  const info = net.layer(layer);
  const channels = info.outputShape[info.outputShape.length - 1];
  if (typeof channels === 'number' && !(Number.isInteger(channel) && channel >= 0 && channel < channels)) {
    throw new DeepvisError('OUT_OF_RANGE', `Channel ${channel} is out of range: layer '${layer}' has ${channels} channels (0…${channels - 1}).`);
  }
  checkOption(Number.isInteger(channel) && channel >= 0, 'channel', 'an integer ≥ 0', channel);

  // Σ seed ⊙ tap, with the seed computed inside the custom op's forward (not differentiated).
  const seeded = tf.customGrad(((a: tf.Tensor, save: tf.GradSaveFunc) => {
    const weights = seedFor(a, channel, seed, at);
    save([weights]);
    return {
      value: tf.sum(tf.mul(a, weights)),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.mul(dy as tf.Tensor, saved[0]),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);

  return tf.tidy(() => {
    const x = pixels.dtype === 'float32' ? pixels : tf.cast(pixels, 'float32');
    let problem: DeepvisError | undefined;
    const response = (px: tf.Tensor) => {
      const a = net.forward(px as tf.Tensor4D, { taps: [layer], rule: mode })[layer];
      problem = tapProblem(a.shape, layer, channel, at);
      // On a problem, finish the pass on a dummy objective so the tape is released, then throw.
      return problem ? tf.sum(tf.mul(a, 0)) : (seeded(a) as tf.Scalar);
    };
    const g = tf.grad(response)(x) as tf.Tensor4D;
    if (problem) throw problem;
    return g;
  });
}
