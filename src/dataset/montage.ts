import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption } from '../errors';

/** Options for {@link montage}. */
export interface MontageOptions {
  /** Tiles per row. Default `ceil(sqrt(n))`. */
  cols?: number;
  /** Rows. Default: as many as the tiles need (at least 1). Cells without a tile are background. */
  rows?: number;
  /** Pixels between tiles (none around the edge). Default 1. */
  gap?: number;
  /** The colour of gaps and empty cells: one value or one per channel, 0–255. Default 255 (white). */
  background?: number | readonly number[];
}

/**
 * Tiles equal-sized `[h, w, c]` images row-major into one `[rows·h + (rows−1)·gap,
 * cols·w + (cols−1)·gap, c]` image. A pure function: the tiles stay the caller's, and so
 * does the result.
 *
 * @example
 * ```ts
 * const grid = montage(crops, { cols: 3, rows: 3 });           // a unit's top-9 crops
 * const pair = montage([grid, deconvGrid], { cols: 2, gap: 8 }); // crops beside their deconvs
 * await writePng('unit.png', pair);
 * ```
 */
export function montage(tiles: readonly tf.Tensor3D[], options: MontageOptions = {}): tf.Tensor3D {
  if (!Array.isArray(tiles) || tiles.length === 0) throw new DeepvisError('BAD_VALUE', 'montage needs at least one [h, w, c] tile.');
  const [h, w, c] = tiles[0].shape;
  tiles.forEach((t, i) => {
    if (t.rank !== 3 || t.shape[0] !== h || t.shape[1] !== w || t.shape[2] !== c) {
      throw new DeepvisError('BAD_SHAPE', `montage tiles must all be [${h}, ${w}, ${c}] like the first; tile ${i} is [${t.shape.join(', ')}].`);
    }
  });
  const { gap = 1, background = 255 } = options;
  const cols = options.cols ?? Math.ceil(Math.sqrt(tiles.length));
  checkOption(Number.isInteger(cols) && cols > 0, 'cols', 'a positive integer', cols);
  const rows = options.rows ?? Math.max(1, Math.ceil(tiles.length / cols));
  checkOption(Number.isInteger(rows) && rows > 0 && rows * cols >= tiles.length, 'rows', `a positive integer with rows × cols ≥ ${tiles.length} tiles`, rows);
  checkOption(Number.isInteger(gap) && gap >= 0, 'gap', 'an integer ≥ 0', gap);
  checkOption(typeof background === 'number' || (Array.isArray(background) && background.length === c), 'background', `a number or ${c} numbers`, background);
  return tf.tidy(() => {
    const colour = tf.tensor1d(typeof background === 'number' ? new Array(c).fill(background) : [...background]);
    const fill = (hh: number, ww: number) => tf.mul(tf.ones([hh, ww, 1]), colour);
    const between = (parts: tf.Tensor[], spacer: () => tf.Tensor) => parts.flatMap((p, i) => (i === 0 || gap === 0 ? [p] : [spacer(), p]));
    const rowImages = Array.from({ length: rows }, (_, r) => {
      const cells = Array.from({ length: cols }, (_, k) => {
        const t = tiles[r * cols + k];
        return t ? tf.cast(t, 'float32') : fill(h, w);
      });
      return tf.concat(between(cells, () => fill(h, gap)), 1);
    });
    const width = cols * w + (cols - 1) * gap;
    return tf.concat(between(rowImages, () => fill(gap, width)), 0) as tf.Tensor3D;
  });
}
