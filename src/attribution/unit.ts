// What an attribution explains: one unit of one layer, and its score. Every attribution tool
// reads a unit through this file, so "a unit's score" has one definition.
import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption } from '../errors';
import type { Net } from '../net/types';

/**
 * Where a unit sits on its channel's map `[h, w]`:
 * - `'max'`: the position where the channel is largest on the image being explained (each
 *   image its own; the first in row-major order on ties), fixed there for paths, noisy
 *   copies and occluded copies of that image;
 * - `[y, x]`: that position;
 * - `'mean'`: the channel's mean over the map (as Lucid's channel objective);
 * - `'energy'`: half the channel's sum of squares, `½ Σ a²`, whose gradient starts the
 *   signal from the whole map weighted by its own activation (the toolbox's backward seed).
 * On a fully connected layer (`[n, c]`) the unit is the channel itself (`'max'` and
 * `'mean'` alike; a position is refused).
 */
export type UnitAt = 'max' | 'mean' | 'energy' | readonly [number, number];

/**
 * One unit: the layer (or `name/pre`), the channel (on the logits: a class) and where on the
 * channel's map. Plain data; {@link unitRef} validates one.
 */
export interface UnitRef {
  /** The unit's layer (tap name). */
  readonly layer: string;
  /** Its channel; on a fully connected layer, the unit. */
  readonly channel: number;
  /** Where on the map. Default `'max'`. */
  readonly at?: UnitAt;
}

const AT_WORDS = ['max', 'mean', 'energy'] as const;
const AT_ALLOWED = "'max', 'mean', 'energy' or [y, x]";

function isPosition(at: unknown): at is readonly [number, number] {
  return Array.isArray(at) && at.length === 2;
}

/**
 * A checked unit: the layer exists, the channel is an integer in the layer's range (where the
 * layer table knows it), and `at` is one of the allowed forms.
 *
 * @example
 * ```ts
 * const cls = unitRef(net.logits, 281);                       // a class
 * const unit = unitRef('leaky_re_lu_10', 37, [6, 6]);         // one position of a map
 * const g = backward(net, photo, { ...unit, mode: 'guided' });
 * ```
 */
export function unitRef(net: Net, layer: string, channel: number, at: UnitAt = 'max'): UnitRef {
  const unit = { layer, channel, at };
  checkUnit(net, unit);
  return unit;
}

/**
 * Throws a DeepvisError naming what is wrong with `unit` on `net` before anything runs; the
 * rest (a position outside the map, a position on a vector layer) is known once a tap's shape
 * is, and {@link unitProblem} reports it.
 */
export function checkUnit(net: Net, unit: UnitRef): void {
  const { layer, channel, at = 'max' } = unit ?? ({} as UnitRef);
  checkOption(typeof layer === 'string', 'layer', 'a layer name (see net.describe())', layer);
  checkOption((AT_WORDS as readonly unknown[]).includes(at) || isPosition(at), 'at', AT_ALLOWED, at);
  const info = net.layer(layer);
  const channels = info.outputShape[info.outputShape.length - 1];
  if (typeof channels === 'number' && !(Number.isInteger(channel) && channel >= 0 && channel < channels)) {
    throw new DeepvisError('OUT_OF_RANGE', `Channel ${channel} is out of range: layer '${layer}' has ${channels} channels (0…${channels - 1}).`);
  }
  checkOption(Number.isInteger(channel) && channel >= 0, 'channel', 'an integer ≥ 0', channel);
}

/**
 * What is wrong with reading `unit` from a tap of this shape, if anything. Returned rather
 * than thrown: a throw inside a differentiated function would strand the tensors the tape saved.
 */
export function unitProblem(shape: readonly number[], unit: UnitRef): DeepvisError | undefined {
  const { layer, channel, at = 'max' } = unit;
  if (shape.length !== 4 && shape.length !== 2) {
    return new DeepvisError('UNSUPPORTED', `A unit needs a layer of maps [n, h, w, c] or a vector [n, c]; '${layer}' gives shape [${shape.join(', ')}].`);
  }
  const c = shape[shape.length - 1];
  if (channel >= c) return new DeepvisError('OUT_OF_RANGE', `Channel ${channel} is out of range: layer '${layer}' has ${c} channels (0…${c - 1}).`);
  if (!isPosition(at)) return undefined;
  if (shape.length === 2) return new DeepvisError('BAD_OPTION', "Option 'at' must be 'max' for a fully connected layer (its units have no position; 'mean' and 'energy' read the same unit); leave it out.");
  const [, h, w] = shape;
  const [y, x] = at;
  if (!(Number.isInteger(y) && Number.isInteger(x) && y >= 0 && x >= 0 && y < h && x < w)) {
    return new DeepvisError('OUT_OF_RANGE', `Option 'at' [${y}, ${x}] is outside the ${h}×${w} map of layer '${layer}': y in 0…${h - 1}, x in 0…${w - 1}.`);
  }
  return undefined;
}

/** A float32 one-hot. (tfjs-backend-wasm 4.22 writes int bits into a float32 oneHot: cast instead.) */
function oneHot(indices: tf.Tensor, depth: number): tf.Tensor {
  return tf.cast(tf.oneHot(indices as tf.Tensor1D, depth), 'float32');
}

/**
 * The weights `w` (the tap's shape, zero off the unit's channel) whose `Σ w ⊙ a` per image is
 * the unit's score, or for `'energy'` whose gradient it is. Computed from the tap's values and
 * never differentiated.
 */
function unitWeights(a: tf.Tensor, unit: UnitRef): tf.Tensor {
  const { channel, at = 'max' } = unit;
  const c = a.shape[a.rank - 1];
  const inChannel = tf.reshape(oneHot(tf.scalar(channel, 'int32'), c), [c]);
  if (at === 'energy') return tf.mul(a, inChannel);
  if (a.rank === 2) return tf.mul(tf.onesLike(a), inChannel);
  const [n, h, w] = a.shape;
  let where: tf.Tensor;
  if (at === 'mean') where = tf.fill([n, h, w, 1], 1 / (h * w));
  else if (at === 'max') {
    const maps = tf.reshape(tf.slice(a, [0, 0, 0, channel], [n, h, w, 1]), [n, h * w]);
    where = tf.reshape(oneHot(tf.argMax(maps, 1), h * w), [n, h, w, 1]);
  } else {
    const [y, x] = at as readonly [number, number];
    where = tf.pad(tf.ones([n, 1, 1, 1]), [[0, 0], [y, h - y - 1], [x, w - x - 1], [0, 0]]);
  }
  return tf.mul(where, inChannel);
}

/**
 * The unit's score per image `[n]` from its layer's tap `a` (`[n, h, w, c]` or `[n, c]`),
 * differentiable: the value at the position (`'max'`: each image's own first maximum, the
 * gradient flowing to that position only), the channel's mean, or `½ Σ a²` (`'energy'`).
 * Check the tap first with {@link unitProblem}.
 */
export function unitScore(a: tf.Tensor, unit: UnitRef): tf.Tensor1D {
  const half = unit.at === 'energy';
  const score = tf.customGrad(((t: tf.Tensor, save: tf.GradSaveFunc) => {
    const weights = unitWeights(t, unit);
    save([weights]);
    const axes = t.shape.map((_, i) => i).slice(1);
    const sum = tf.sum(tf.mul(t, weights), axes);
    return {
      value: half ? tf.mul(sum, 0.5) : sum,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        tf.mul(tf.reshape(dy as tf.Tensor, [-1, ...axes.map(() => 1)]), saved[0]),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return score(a) as tf.Tensor1D;
}

/**
 * The unit with `'max'` resolved to its position on `image` (`[1, h, w, 3]`) when its layer is
 * a map: the same unit then for every path point, noisy copy or occluded copy of that image.
 * Other units come back as they are. One forward pass for `'max'` on a map.
 */
export function fixUnit(net: Net, image: tf.Tensor4D, unit: UnitRef): UnitRef {
  if ((unit.at ?? 'max') !== 'max') return unit;
  const a = net.forward(image, { taps: [unit.layer] })[unit.layer];
  try {
    if (a.rank !== 4 || unitProblem(a.shape, unit)) return unit; // the method reports what is wrong
    const w = a.shape[2] as number;
    const best = tf.tidy(() => tf.argMax(tf.reshape(tf.slice(a, [0, 0, 0, unit.channel], [1, -1, -1, 1]), [-1])));
    const index = best.dataSync()[0];
    best.dispose();
    return { ...unit, at: [Math.floor(index / w), index % w] as const };
  } finally {
    a.dispose();
  }
}
