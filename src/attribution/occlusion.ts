import * as tf from '@tensorflow/tfjs-core';
import { checkOption } from '../errors';
import { checkPixels } from '../net/check-pixels';
import type { Net } from '../net/types';
import { windowAxis } from '../net/window';
import { fillPixel } from './attribution-parts';
import { attributionMethod } from './method';
import { runPerImage, type RunOptions } from './runner';
import { checkUnit, fixUnit, unitProblem, unitScore, type UnitAt, type UnitRef } from './unit';

/** Options for {@link occlusion}. */
export interface OcclusionOptions extends RunOptions {
  /** The layer of the explained unit. Default `net.logits`. */
  layer?: string;
  /** The unit (on the logits, a class). */
  channel: number;
  /** Where on the unit's map (see {@link UnitAt}). Default `'max'`: where the channel is largest on the image itself, fixed for every occluded copy. */
  at?: UnitAt;
  /** Side of the square patch that is hidden, in pixels. Default: an eighth of the shorter side. */
  window?: number;
  /** Pixels between patch positions. Default: half the window. */
  stride?: number;
  /** What the patch is filled with: `'mean'` (default, `net.mean`, "zero" in centred pixel space) or `'black'`. */
  fill?: 'mean' | 'black';
}

/** The result of {@link occlusion}: how much the unit drops with each patch hidden. */
export interface OcclusionMap {
  /** `[n, rows, cols]`: the unit's value on the image minus its value with the patch at that position hidden. */
  readonly drops: tf.Tensor3D;
  /** `[n, h, w]`: each pixel's mean drop over the patches that covered it (0 where none did). */
  readonly map: tf.Tensor3D;
}

/**
 * Occlusion sensitivity (Zeiler & Fergus 2014): a grey patch slides over the image and the
 * unit's drop is recorded at each position; where hiding the image hurts most is where the
 * unit's evidence is. Needs no gradient, so it works on any net and backend. Batched: each
 * forward pass sees `batchSize` occluded copies. The caller owns both tensors.
 *
 * @example
 * ```ts
 * const { map, drops } = await occlusion(net, photo, { channel: 281, window: 32, stride: 16 });
 * const overlay = camImage(tf.relu(map), photo);   // red where hiding the photo costs the class most
 * ```
 */
export async function occlusion(net: Net, pixels: tf.Tensor4D, options: OcclusionOptions): Promise<OcclusionMap> {
  checkPixels(pixels, net, { finite: true });
  const [n, h, w] = pixels.shape;
  const {
    layer = net.logits, channel, at = 'max', window = Math.max(1, Math.round(Math.min(h, w) / 8)), stride = Math.max(1, Math.floor(window / 2)),
    fill = 'mean', batchSize = 16, onProgress, signal,
  } = options ?? ({} as OcclusionOptions);
  checkOption(Number.isInteger(window) && window >= 1 && window <= Math.min(h, w), 'window', `an integer from 1 to ${Math.min(h, w)} (the image's shorter side)`, window);
  checkOption(Number.isInteger(stride) && stride >= 1, 'stride', 'an integer ≥ 1', stride);
  checkOption(fill === 'mean' || fill === 'black', 'fill', "'mean' or 'black'", fill);
  const unit: UnitRef = { layer, channel, at };
  checkUnit(net, unit);
  const rows = windowAxis(h, window, stride, 'valid').out;
  const cols = windowAxis(w, window, stride, 'valid').out;
  const positions = rows * cols;
  const score = (x: tf.Tensor4D, fixed: UnitRef): tf.Tensor1D => {
    const a = net.forward(x, { taps: [layer] })[layer];
    const problem = unitProblem(a.shape, fixed);
    if (problem) throw problem;
    return unitScore(a, fixed);
  };
  const grey = fillPixel(net, fill);
  // Each position's patch as a 0/1 mask [positions, h, w, 1], made per batch.
  const masks = (from: number, count: number) => tf.tidy(() => {
    const m = new Float32Array(count * h * w);
    for (let p = 0; p < count; p++) {
      const [r, c] = [Math.floor((from + p) / cols), (from + p) % cols];
      for (let y = r * stride; y < r * stride + window; y++) m.fill(1, p * h * w + y * w + c * stride, p * h * w + y * w + c * stride + window);
    }
    return tf.tensor4d(m, [count, h, w, 1]);
  });
  let drops: tf.Tensor | undefined;
  try {
    drops = await runPerImage(pixels, 'occlusion', positions, { batchSize, onProgress, signal }, (image) => {
      const fixed = fixUnit(net, image, unit);
      const base = tf.tidy(() => score(image, fixed));
      const parts: tf.Tensor1D[] = [];
      return {
        step(from, count) {
          parts.push(tf.tidy(() => {
            const m = masks(from, count);
            return tf.sub(base, score(tf.add(tf.mul(image, tf.sub(1, m)), tf.mul(grey, m)) as tf.Tensor4D, fixed)) as tf.Tensor1D;
          }));
        },
        finish: () => tf.tidy(() => tf.expandDims(tf.concat(parts), 0)),
        dispose: () => tf.dispose([base, ...parts]),
      };
    });
    const all = drops;
    return tf.tidy(() => {
      const grid = tf.reshape(all, [n, rows, cols]) as tf.Tensor3D;
      // Each pixel: the mean drop of the patches over it, spread by a transposed convolution with a window of ones.
      const ones = tf.ones([window, window, 1, 1]) as tf.Tensor4D;
      const spread = (v: tf.Tensor4D) => tf.conv2dTranspose(v, ones, [n, h, w, 1], stride, 'valid');
      const sum = spread(tf.reshape(grid, [n, rows, cols, 1]) as tf.Tensor4D);
      const cover = spread(tf.ones([n, rows, cols, 1]));
      return { drops: grid, map: tf.reshape(tf.divNoNan(sum, cover), [n, h, w]) as tf.Tensor3D };
    });
  } finally {
    tf.dispose([grey, ...(drops ? [drops] : [])]);
  }
}

/** Occlusion in the registry (`'occlusion'`): its per-pixel map. */
export const OCCLUSION = attributionMethod({
  name: 'occlusion', label: 'Occlusion', kind: 'coarse', gradient: false, reads: ['window', 'stride'],
  values: async (net, pixels, target, { window, stride, batchSize, onProgress, signal }) => {
    const { map, drops } = await occlusion(net, pixels, { ...target, window, stride, batchSize, onProgress, signal });
    drops.dispose();
    return map;
  },
});
