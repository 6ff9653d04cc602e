// Deletion and insertion curves (Petsiuk et al. 2018): does the map rank the pixels the unit
// depends on first?
import * as tf from '@tensorflow/tfjs-core';
import { checkOption, DeepvisError } from '../errors';
import { gaussianBlur } from '../image/gaussian-blur';
import type { Net } from '../net/types';
import { fillPixel } from './attribution-parts';
import { pixelImportance } from './compare';
import { runPerImage, type RunOptions } from './runner';
import type { Attribution } from './types';
import { checkUnit, fixUnit, unitProblem, unitScore, type UnitRef } from './unit';

/** Options for {@link deletionInsertion}. */
export interface CurveOptions extends RunOptions {
  /** Points on each curve after the start: pixels go (or come) in this many equal groups. Default 32. */
  steps?: number;
  /** What deleted pixels become: `'mean'` (default, `net.mean`, "zero" in centred pixel space) or `'black'`. */
  fill?: 'mean' | 'black';
  /** The Gaussian σ (pixels) of the blurred image insertion starts from. Default 5. */
  blur?: number;
}

/** The two curves of one map, and the areas under them. */
export interface Curves {
  /** The unit's score as the most important pixels are deleted first, `steps + 1` points (0 % … 100 %). */
  readonly deletion: readonly number[];
  /** The unit's score as the most important pixels are put into the blurred image first. */
  readonly insertion: readonly number[];
  /** The area under the deletion curve over a 0–1 axis (trapezoids): lower is more faithful. */
  readonly deletionAuc: number;
  /** The area under the insertion curve: higher is more faithful. */
  readonly insertionAuc: number;
}

/**
 * The area under `y` sampled at equal steps over 0–1, by trapezoids.
 *
 * @example
 * ```ts
 * areaUnder([1, 0.5, 0]);   // 0.5
 * ```
 */
export function areaUnder(y: readonly number[]): number {
  let area = 0;
  for (let i = 1; i < y.length; i++) area += (y[i - 1] + y[i]) / 2;
  return y.length > 1 ? area / (y.length - 1) : 0;
}

/**
 * Deletion and insertion curves (Petsiuk et al. 2018) of an attribution of `target` for the one
 * image `pixels` (`[1, h, w, 3]`): the pixels ranked by {@link pixelImportance} (ties in
 * row-major order) are deleted most important first (set to `fill`), or inserted most
 * important first into a blurred copy of the image, in `steps` equal groups, and the unit's
 * score is read after each: on the logits, the class's softmax probability, elsewhere the
 * unit's value. Forward passes only, `batchSize` images each (default 16).
 *
 * @example
 * ```ts
 * const a = await ATTRIBUTION_METHODS[0].run(net, photo, target);
 * const { deletionAuc, insertionAuc } = await deletionInsertion(net, photo, target, a);
 * ```
 */
export async function deletionInsertion(net: Net, pixels: tf.Tensor4D, target: UnitRef, attribution: Attribution, options: CurveOptions = {}): Promise<Curves> {
  const { steps = 32, fill = 'mean', blur = 5, batchSize = 16, onProgress, signal } = options;
  checkOption(Number.isInteger(steps) && steps >= 1 && steps <= 10_000, 'steps', 'an integer from 1 to 10000', steps);
  checkOption(fill === 'mean' || fill === 'black', 'fill', "'mean' or 'black'", fill);
  checkOption(Number.isFinite(blur) && blur > 0, 'blur', 'a number > 0 (pixels)', blur);
  checkUnit(net, target);
  if (pixels.shape[0] !== 1) throw new DeepvisError('BAD_SHAPE', `deletionInsertion reads one image [1, h, w, 3]; got ${pixels.shape[0]}. Run it per image.`);
  const [, h, w] = pixels.shape;
  const importance = pixelImportance(attribution);
  const values = importance.dataSync();
  importance.dispose();
  // Most important first; ties in row-major order.
  const order = Array.from({ length: h * w }, (_, i) => i).sort((a, b) => values[b] - values[a] || a - b);
  const rankOf = new Int32Array(h * w);
  order.forEach((p, r) => { rankOf[p] = r; });
  const probability = target.layer === net.logits;
  const x = tf.cast(pixels, 'float32') as tf.Tensor4D;
  const fixed = fixUnit(net, x, target);
  const deleted = tf.tidy(() => tf.add(tf.zerosLike(x), fillPixel(net, fill))) as tf.Tensor4D;
  const blurred = gaussianBlur(x, blur);
  const score = (batch: tf.Tensor4D): tf.Tensor1D => {
    const a = net.forward(batch, { taps: [target.layer] })[target.layer];
    const problem = unitProblem(a.shape, fixed);
    if (problem) throw problem;
    return probability ? tf.reshape(tf.slice(tf.softmax(a), [0, fixed.channel], [-1, 1]), [-1]) as tf.Tensor1D : unitScore(a, fixed);
  };
  try {
    const curve = async (from: tf.Tensor4D, to: tf.Tensor4D) => {
      const ys = await runPerImage(x, 'deletionInsertion', steps + 1, { batchSize, onProgress, signal }, () => {
        const parts: tf.Tensor[] = [];
        return {
          step(first, count) {
            // Mask k: 1 where the pixel is among the first round(k/steps · h·w) of the ranking.
            const m = new Float32Array(count * h * w);
            for (let k = 0; k < count; k++) {
              const n = Math.round(((first + k) / steps) * h * w);
              for (let p = 0; p < h * w; p++) if (rankOf[p] < n) m[k * h * w + p] = 1;
            }
            parts.push(tf.tidy(() => {
              const mask = tf.tensor4d(m, [count, h, w, 1]);
              return score(tf.add(tf.mul(from, tf.sub(1, mask)), tf.mul(to, mask)) as tf.Tensor4D);
            }));
          },
          finish: () => tf.tidy(() => tf.expandDims(tf.concat(parts), 0)),
          dispose: () => tf.dispose(parts),
        };
      });
      const out = Array.from(ys.dataSync());
      ys.dispose();
      return out;
    };
    const deletion = await curve(x, deleted);
    const insertion = await curve(blurred, x);
    return { deletion, insertion, deletionAuc: areaUnder(deletion), insertionAuc: areaUnder(insertion) };
  } finally {
    tf.dispose([x, deleted, blurred]);
  }
}
