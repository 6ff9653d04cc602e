import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption } from '../errors';
import type { BackwardRule, Net } from '../net/types';
import { backward } from '../attribution/backward';
import { backwardImage, type BackwardFilter } from '../attribution/backward-image';
import { cropReceptiveField, type CropOptions } from './crop';
import { montage } from './montage';
import { receptiveField, type ReceptiveField } from '../net/receptive-field';
import type { TopActivations } from './top-activations';
import { footprint } from '../net/geometry';

/** Loads a dataset image by id as `[h, w, 3]` 0–255 RGB; {@link unitMontage} disposes it after use. */
export type ImageLoader = (id: string) => tf.Tensor3D | Promise<tf.Tensor3D>;

/** Options for {@link unitMontage}. */
export interface UnitMontageOptions {
  /** The backward view beside the crops: `'deconv'` (default, as the paper), `'guided'`, `'gradient'`, or `'none'` for crops only. */
  mode?: BackwardRule | 'none';
  /** How the backward signal is shown. Default `'norm'`. */
  filter?: BackwardFilter;
  /** Small crops are enlarged (nearest neighbour, whole multiples) to at least this many pixels a side. Default 64. */
  tileSize?: number;
  /** What fills a crop where the field leaves the image. Default `net.mean` (the net's "zero"). */
  fill?: CropOptions['fill'];
  /** Pixels between the crop grid and the backward grid. Default 8. */
  gap?: number;
}

/** One unit's top images as tiles: their receptive-field crops and, unless mode is `'none'`, the backward views cropped alike. */
export interface UnitTiles {
  readonly crops: tf.Tensor3D[];
  /** Empty with mode `'none'`. */
  readonly signals: tf.Tensor3D[];
}

/**
 * The tiles of one unit from a {@link topActivations} result, best image first: each top
 * image's receptive-field crop and the backward signal (deconv by default) from the unit at
 * its maximum, cropped alike, each enlarged to about `tileSize`. Each image is loaded with
 * `load`, resized as the run resized it, and disposed. The caller owns the tiles
 * ({@link unitMontage} lays them out).
 *
 * @example
 * ```ts
 * const { crops, signals } = await unitTiles(net, top, 'leaky_re_lu_5', 12, (id) => readImage(id));
 * console.log(crops.length, signals[0].shape);
 * tf.dispose([...crops, ...signals]);
 * ```
 */
export async function unitTiles(
  net: Net,
  top: TopActivations,
  layer: string,
  unit: number,
  load: ImageLoader,
  options: UnitMontageOptions = {},
): Promise<UnitTiles> {
  const { mode = 'deconv', filter = 'norm', tileSize = 64, fill = net.mean } = options;
  checkOption(['deconv', 'guided', 'gradient', 'none'].includes(mode), 'mode', "'deconv', 'guided', 'gradient' or 'none'", mode);
  checkOption(Number.isInteger(tileSize) && tileSize > 0, 'tileSize', 'a positive integer', tileSize);
  const units = top.layers[layer]?.units;
  if (!units) throw new DeepvisError('UNKNOWN_LAYER', `The result has no layer '${layer}'; it has ${Object.keys(top.layers).map((l) => `'${l}'`).join(', ')}.`);
  if (!(Number.isInteger(unit) && unit >= 0 && unit < units.length)) {
    throw new DeepvisError('OUT_OF_RANGE', `Unit ${unit} is out of range: layer '${layer}' has ${units.length} units (0…${units.length - 1}).`);
  }
  const entries = units[unit];
  if (entries.length === 0) throw new DeepvisError('BAD_VALUE', `Unit ${unit} of '${layer}' has no images (was the run empty?).`);
  const spatial = net.layer(layer).outputShape.length === 3;
  const crops: tf.Tensor3D[] = [];
  const signals: tf.Tensor3D[] = [];
  try {
    for (const e of entries) {
      const original = await load(e.id);
      try {
        const [crop, signal] = tf.tidy((): tf.Tensor3D[] => {
          const img = top.size ? tf.image.resizeBilinear(original, [top.size[0], top.size[1]]) : tf.cast(original, 'float32');
          const field = fieldOrWhole(net, layer, img.shape[0], img.shape[1]);
          const enlarge = (t: tf.Tensor3D) => {
            const f = Math.max(1, Math.floor(tileSize / Math.max(t.shape[0], t.shape[1])));
            return f === 1 ? t : tf.image.resizeNearestNeighbor(t, [t.shape[0] * f, t.shape[1] * f]);
          };
          const crop = enlarge(cropReceptiveField(img, field, e.y, e.x, { fill }));
          if (mode === 'none') return [crop];
          // The backward pass runs on the smallest window that gives the full image's values on the field,
          // or on the whole image where that window is too small to pass through the net.
          let [rows, cols] = [window(field, 0, e.y, img.shape[0]), window(field, 1, e.x, img.shape[1])];
          if (footprint(net.layers, rows.size, cols.size, 3).empty) {
            [rows, cols] = [{ start: 0, size: img.shape[0], shift: 0 }, { start: 0, size: img.shape[1], shift: 0 }];
          }
          const part = tf.slice(img, [rows.start, cols.start, 0], [rows.size, cols.size, 3]);
          const at: [number, number] = [e.y - rows.shift, e.x - cols.shift];
          const g = backward(net, tf.expandDims(part) as tf.Tensor4D, { layer, channel: unit, at: spatial ? at : 'max', mode });
          const cut = cropReceptiveField(tf.squeeze(g, [0]) as tf.Tensor3D, field, at[0], at[1], { fill: 0 });
          return [crop, enlarge(backwardImage(cut, filter))];
        });
        crops.push(crop);
        if (signal) signals.push(signal);
      } finally {
        original.dispose();
      }
    }
  } catch (e) {
    tf.dispose([...crops, ...signals]);
    throw e;
  }
  return { crops, signals };
}

/**
 * One unit's picture from a {@link topActivations} result: a grid (3 wide) of the
 * receptive-field crops of its top images and, beside it, the same grid of the backward
 * signal (deconv by default) from the unit at its maximum, cropped alike (the tiles of
 * {@link unitTiles}). Returns an RGB `[h, w, 3]` 0–255 tensor the caller owns.
 *
 * @example
 * ```ts
 * const picture = await unitMontage(net, top, 'leaky_re_lu_5', 12, (id) => readImage(id));
 * await writePng('unit-12.png', picture);
 * picture.dispose();
 * ```
 */
export async function unitMontage(
  net: Net,
  top: TopActivations,
  layer: string,
  unit: number,
  load: ImageLoader,
  options: UnitMontageOptions = {},
): Promise<tf.Tensor3D> {
  const tiles = await unitTiles(net, top, layer, unit, load, options);
  try {
    return layOutTiles(tiles, top.k, options.gap ?? 8);
  } finally {
    tf.dispose([...tiles.crops, ...tiles.signals]);
  }
}

/** The crops in a grid 3 wide for `k` images, beside the same grid of the signals (if any), `gap` pixels apart. */
export function layOutTiles({ crops, signals }: UnitTiles, k: number, gap: number): tf.Tensor3D {
  const rows = Math.ceil(k / 3);
  // Fields of global layers follow each image's size: bring such tiles to the first one's.
  const grid = (tiles: tf.Tensor3D[]) => tf.tidy(() => {
    const [h, w] = tiles[0].shape;
    const same = tiles.map((t) => (t.shape[0] === h && t.shape[1] === w ? t : tf.image.resizeBilinear(t, [h, w])));
    return montage(same, { cols: 3, rows });
  });
  if (signals.length === 0) return grid(crops);
  return tf.tidy(() => montage([grid(crops), grid(signals)], { cols: 2, gap }));
}

/**
 * Rows (or columns) of the image a unit's backward pass needs: its field clipped to the
 * image, widened to start on a multiple of the field's stride s and to end where the
 * image ends modulo s. Every layer on the way then sees the same positions, paddings
 * ('same' padding depends on the size modulo the stride) and values on the unit's field
 * as in the whole image; outside the field nothing reaches the unit. `shift` is how many
 * units the window moves the unit by. Fields shared by all units (stride 0) take the image.
 */
function window(field: ReceptiveField, axis: 0 | 1, unit: number, n: number): { start: number; size: number; shift: number } {
  const s = field.stride[axis];
  if (s === 0) return { start: 0, size: n, shift: 0 };
  const top = unit * s - field.padding[axis];
  const start = Math.max(0, Math.floor(top / s) * s);
  const needed = Math.min(n, top + field.size[axis]);
  const end = needed + ((((n - needed) % s) + s) % s);
  return { start, size: Math.min(end, n) - start, shift: start / s };
}

/** The layer's receptive field at `h × w`, or the whole image where the layer table cannot tell (a GraphModel's nodes carry no geometry). */
function fieldOrWhole(net: Net, layer: string, h: number, w: number): ReceptiveField {
  try {
    return receptiveField(net, layer, { inputSize: [h, w] });
  } catch (e) {
    if (e instanceof DeepvisError && e.code === 'UNSUPPORTED') return { size: [h, w], stride: [0, 0], padding: [0, 0] };
    throw e;
  }
}
