import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption } from '../errors';
import type { Net } from '../net/types';
import { seededRandom } from '../util/random';

/** Options of {@link robustTop1}: the fixed family of small transforms. */
export interface RobustOptions {
  /** How many transforms. Default 24. */
  count?: number;
  /** Seed of the fixed transforms (the same seed gives the same transforms everywhere). Default 0. */
  seed?: number;
  /** Largest shift along each axis, as a fraction of the side. Default 1/8. */
  shift?: number;
  /** Zoom range. Default `[0.85, 1.15]`. */
  scale?: readonly [number, number];
  /** Largest turn either way, in degrees. Default 12. */
  degrees?: number;
}

/** What {@link robustTop1} measures, per image. */
export interface RobustResult {
  /** Whether the target is the top-1 class of the image itself. */
  top1: boolean[];
  /** The fraction of the transformed copies on which the target is still top-1. */
  robust: number[];
  /** The softmax probability of the target on the image itself. */
  probability: number[];
}

/**
 * The fixed transforms of {@link robustTop1} as tfjs projective matrices `[a0, a1, a2, b0, b1, b2, 0, 0]`
 * (output `(x, y)` reads the input at `(a0 x + a1 y + a2, b0 x + b1 y + b2)`): a turn and a zoom
 * about the centre, then a shift, each drawn uniformly from deepvis's seeded generator.
 *
 * @example
 * ```ts
 * const m = robustTransforms(128, 128);   // 24 rows of 8 numbers
 * ```
 */
export function robustTransforms(h: number, w: number, options: RobustOptions = {}): number[][] {
  const { count = 24, seed = 0, shift = 1 / 8, scale = [0.85, 1.15], degrees = 12 } = options;
  checkOption(Number.isInteger(count) && count >= 1, 'count', 'an integer ≥ 1', count);
  checkOption(Number.isFinite(shift) && shift >= 0 && shift < 0.5, 'shift', 'a fraction of the side in [0, 0.5)', shift);
  checkOption(Array.isArray(scale) && scale.length === 2 && scale[0] > 0 && scale[1] >= scale[0], 'scale', '[min, max] with 0 < min ≤ max', scale);
  checkOption(Number.isFinite(degrees) && degrees >= 0 && degrees < 90, 'degrees', 'a number in [0, 90)', degrees);
  const random = seededRandom(seed + 0x7e57);
  const [cx, cy] = [(w - 1) / 2, (h - 1) / 2];
  return Array.from({ length: count }, () => {
    const angle = ((2 * random() - 1) * degrees * Math.PI) / 180;
    const s = scale[0] + (scale[1] - scale[0]) * random();
    const tx = (2 * random() - 1) * shift * w;
    const ty = (2 * random() - 1) * shift * h;
    // Input = c + R(−angle)/s · (output − c) − t.
    const [p, q, r, t] = [Math.cos(angle) / s, Math.sin(angle) / s, -Math.sin(angle) / s, Math.cos(angle) / s];
    return [p, q, cx - p * cx - q * cy - tx, r, t, cy - r * cx - t * cy - ty, 0, 0];
  });
}

/**
 * How robustly images show their target classes: classifies each image and `count` fixed
 * randomly shifted, zoomed and turned copies of it (bilinear, reflected borders) and reports
 * how often the target stays top-1. A picture whose class survives small transforms shows a
 * feature a person can see; one whose class does not is adversarial noise. Images stay the caller's.
 *
 * @example
 * ```ts
 * const { robust } = robustTop1(net, images, [130, 9]);   // images [2, h, w, 3] 0–255 RGB
 * ```
 */
export function robustTop1(net: Net, images: tf.Tensor4D, targets: readonly number[], options: RobustOptions = {}): RobustResult {
  checkOption(images instanceof tf.Tensor && images.rank === 4 && images.shape[3] === 3, 'images', '[n, h, w, 3] 0–255 RGB pixels', images);
  const [n, h, w] = images.shape;
  if (!Array.isArray(targets) || targets.length !== n || !targets.every((k) => Number.isInteger(k) && k >= 0)) {
    throw new DeepvisError('BAD_OPTION', `robustTop1 needs one target class per image (${n}); got ${JSON.stringify(targets)}.`);
  }
  const matrices = robustTransforms(h, w, options);
  const [logits, hits] = tf.tidy(() => {
    const clean = net.predict(images) as tf.Tensor2D;
    const target = tf.tensor1d(targets as number[], 'int32');
    const isTop = (l: tf.Tensor) => tf.cast(tf.equal(tf.argMax(l, 1), target), 'float32');
    let count: tf.Tensor = tf.zeros([n]);
    for (const m of matrices) {
      const moved = tf.image.transform(images, tf.tensor2d([m]), 'bilinear', 'reflect');
      count = tf.add(count, isTop(net.predict(moved)));
    }
    return [clean, count] as [tf.Tensor2D, tf.Tensor1D];
  });
  try {
    const rows = logits.arraySync();
    const counts = hits.dataSync();
    const probability = rows.map((row, i) => {
      const top = Math.max(...row);
      const total = row.reduce((a, v) => a + Math.exp(v - top), 0);
      return Math.exp(row[targets[i]] - top) / total;
    });
    return {
      top1: rows.map((row, i) => row.indexOf(Math.max(...row)) === targets[i]),
      robust: Array.from(counts, (c) => c / matrices.length),
      probability,
    };
  } finally {
    tf.dispose([logits, hits]);
  }
}
