import * as tf from '@tensorflow/tfjs-core';
import { checkOption } from '../errors';
import { constant } from '../constant';
import { asChannelMap, assembleGrid, channelsAsRgbTiles, checkChannel, greyToRgb } from '../util/grid';
import { tileLayout } from './tile-layout';
import { float32Values, tileArrays, tilesOnArrays, type GridSpec } from './tile-arrays';

/**
 * The RGB colour of padding and empty slots in a tiled grid (a grey: grids are assembled
 * in one channel).
 *
 * @example
 * ```ts
 * ctx.fillStyle = `rgb(${TILE_PADDING_COLOR.join(',')})`;   // a frame that matches the grid
 * ```
 */
export const TILE_PADDING_COLOR: readonly [number, number, number] = [64, 64, 64];
/**
 * The default border colour of a highlighted tile.
 *
 * @example
 * ```ts
 * tileActivations(act, { highlight: [{ channel: 3 }, { channel: 9, color: [0, 160, 255] }] });   // 3 gets this colour
 * ```
 */
export const TILE_HIGHLIGHT_COLOR: readonly [number, number, number] = [255, 200, 0];

/** A tile to frame in a colour (the cursor, a frozen backprop unit…). */
export interface TileHighlight {
  readonly channel: number;
  /** RGB 0–255. Default {@link TILE_HIGHLIGHT_COLOR}. */
  readonly color?: readonly [number, number, number];
}

/** Options for {@link tileActivations}. */
export interface TileOptions {
  /** `'layer'`: one min-max over the whole layer, so channels compare (default); `'channel'`: each its own. */
  normalize?: 'layer' | 'channel';
  /** Per-channel boost b: after normalizing, each channel is scaled by `max^-b` (its own max). Default 0. */
  boost?: number;
  /** Gamma applied last to the 0–1 values. Default 1. */
  gamma?: number;
  /** Pixels between tiles and around the grid (the padding colour). Default 1. */
  padding?: number;
  /** Tiles framed by a border `max(padding, 1)` wide, drawn over the padding around the tile; later ones win. */
  highlight?: readonly TileHighlight[];
  /** Side in pixels of the block each unit of a fully connected layer is drawn as. Default 8. */
  blockSize?: number;
}

/**
 * Maps a `[h, w, c]` map to 0–255, per the normalize / boost / gamma options. The min-max
 * and the boost fold into one scale per channel (a few `[c]`-sized ops), so the full-size
 * work is a subtract and a multiply (plus a pow for gamma).
 */
function normalizeMap(map: tf.Tensor3D, normalize: 'layer' | 'channel', boost: number, gamma: number): tf.Tensor3D {
  // Each op is a GPU dispatch: the per-channel maxima only where the options need them.
  const channelMax = normalize === 'channel' || boost !== 0 ? tf.max(map, [0, 1]) : null;
  const lo = normalize === 'layer' ? tf.min(map) : tf.min(map, [0, 1]);
  const hi = normalize === 'channel' ? channelMax! : tf.max(channelMax ?? map);
  // Straight to 0–255 by default; a boost or a gamma needs the 0–1 value first.
  const plain = boost === 0 && gamma === 1;
  // A constant layer (or channel) shows as 0 rather than NaN.
  let scale = tf.divNoNan(constant(plain ? 255 : 1), tf.sub(hi, lo));
  const shifted = tf.sub(map, lo);
  if (plain) return tf.mul(shifted, scale) as tf.Tensor3D;
  if (boost !== 0) {
    // Each channel's normalized max m in [0, 1]; scale it by m^-b (m floored to keep it finite).
    const m = tf.mul(tf.sub(channelMax!, lo), scale);
    scale = tf.mul(scale, tf.pow(tf.maximum(m, constant(1e-6)), constant(-boost)));
  }
  const unit = tf.mul(shifted, scale);
  return tf.mul(gamma === 1 ? unit : tf.pow(unit, constant(gamma)), constant(255)) as tf.Tensor3D;
}

/**
 * One layer's channels as a near-square, row-major grid of grey tiles (the toolbox's layer
 * pane): `cols = ceil(sqrt(c))`, `rows = ceil(c / cols)`, {@link tileLayout} geometry.
 * Values are min-max normalized over the whole layer (or per channel), then boosted per
 * channel (`v · max_c(v)^-boost`) and gamma-corrected (`v^gamma`), then scaled to 0–255.
 * A fully connected layer (`[1, c]` or `[c]`) draws each unit as a `blockSize` square.
 * Returns an RGB `[height, width, 3]` float32 image 0–255; the caller owns it. On the cpu
 * and wasm backends the grid is laid out in one JavaScript pass (same numbers, 3–4× faster).
 * For a canvas or a PNG, `tileActivationsRgba` gives the bytes directly.
 *
 * @example
 * ```ts
 * const { leaky_re_lu_5: act } = activations(net, frame, { layers: ['leaky_re_lu_5'] });
 * const grid = tileActivations(act, { boost: 0.5, highlight: [{ channel: 7 }] });
 * await tf.browser.toPixels(tf.div(grid, 255) as tf.Tensor3D, canvas);
 * ```
 */
export function tileActivations(act: tf.Tensor, options: TileOptions = {}): tf.Tensor3D {
  const full = tileOptions(options);
  return tf.tidy(() => {
    const { map, fc } = asChannelMap(act);
    return layOutGrid(map, gridSpec(map.shape, fc, full));
  });
}

/**
 * {@link TileOptions} checked, with every default filled in (the checks of every tiling
 * function; the highlighted channels are checked against the layer by {@link gridSpec}).
 *
 * @example
 * ```ts
 * tileOptions({ boost: 0.5 });   // { normalize: 'layer', boost: 0.5, gamma: 1, padding: 1, highlight: [], blockSize: 8 }
 * ```
 */
export function tileOptions(options: TileOptions): Required<TileOptions> {
  const { normalize = 'layer', boost = 0, gamma = 1, padding = 1, highlight = [], blockSize = 8 } = options;
  checkOption(normalize === 'layer' || normalize === 'channel', 'normalize', "'layer' or 'channel'", normalize);
  checkOption(Number.isFinite(boost) && boost >= 0, 'boost', 'a number ≥ 0 (the toolbox used 0, 0.3, 0.5, 0.8, 1)', boost);
  checkOption(Number.isFinite(gamma) && gamma > 0, 'gamma', 'a number > 0 (the toolbox used 1, 0.7, 0.5, 0.3)', gamma);
  checkOption(Number.isInteger(padding) && padding >= 0, 'padding', 'an integer ≥ 0', padding);
  checkOption(Number.isInteger(blockSize) && blockSize >= 1, 'blockSize', 'an integer ≥ 1', blockSize);
  checkOption(Array.isArray(highlight), 'highlight', 'an array of { channel, color? }', highlight);
  return { normalize, boost, gamma, padding, highlight, blockSize };
}

/**
 * The grid geometry and options for a `[h, w, c]` map (`fc`: a fully connected layer drawn
 * as blocks), with every option given; checks the highlighted channels.
 *
 * @example
 * ```ts
 * const spec = gridSpec([13, 13, 256], false, { normalize: 'layer', boost: 0, gamma: 1, padding: 1, highlight: [], blockSize: 8 });
 * ```
 */
export function gridSpec([h, w, c]: readonly number[], fc: boolean, options: Required<TileOptions>): GridSpec {
  const { normalize, boost, gamma, padding, highlight, blockSize } = options;
  for (const hl of highlight) {
    checkChannel(hl?.channel, c, 'Highlighted channel');
    checkOption(hl.color === undefined || (Array.isArray(hl.color) && hl.color.length === 3), 'highlight.color', 'an RGB triple 0–255', hl.color);
  }
  const th = fc ? blockSize : h;
  const tw = fc ? blockSize : w;
  const layout = tileLayout(c, th, tw, { padding });
  const borders = highlight.map((hl) => ({ origin: layout.origin(hl.channel), color: hl.color ?? TILE_HIGHLIGHT_COLOR }));
  return { h, w, c, th, tw, padding, cols: layout.cols, rows: layout.rows, width: layout.width, height: layout.height, fill: TILE_PADDING_COLOR[0], normalize, boost, gamma, borders };
}

/**
 * The grid of a checked `[h, w, c]` map: in one JavaScript pass on the cpu and wasm
 * backends, with tensor ops elsewhere (`onArrays` picks; both give the same numbers).
 *
 * @example
 * ```ts
 * const grid = layOutGrid(map, spec, false);   // the tensor-op path on any backend
 * ```
 */
export function layOutGrid(map: tf.Tensor3D, spec: GridSpec, onArrays = tilesOnArrays()): tf.Tensor3D {
  if (onArrays) {
    return tf.tensor3d(tileArrays(float32Values(map), spec), [spec.height, spec.width, 3]);
  }
  return tf.tidy(() => {
    const { th, tw, padding } = spec;
    const grey = normalizeMap(map.dtype === 'float32' ? map : tf.cast(map, 'float32'), spec.normalize, spec.boost, spec.gamma);
    // [h, w, c] → c grey RGB tiles [c, h, w, 3]; fully connected units become blocks.
    let tiles = channelsAsRgbTiles(grey);
    if (th !== spec.h || tw !== spec.w) tiles = tf.image.resizeNearestNeighbor(tiles, [th, tw]);
    // The padding colour is a grey: one fill value serves all three channels.
    let rgb = assembleGrid(tiles, spec.cols, spec.rows, padding, spec.fill);
    for (const b of spec.borders) rgb = paintBorder(rgb, b.origin, th, tw, padding, b.color);
    return rgb;
  });
}

/**
 * Paints the border around one tile: the `padding` pixels around it (the tile's own outer
 * pixel when there is no padding), `max(padding, 1)` wide. Only the small window around the
 * tile is computed; one pad and one add touch the whole grid.
 */
function paintBorder(rgb: tf.Tensor3D, [y, x]: readonly [number, number], th: number, tw: number, padding: number, color: readonly number[]): tf.Tensor3D {
  const [height, width] = rgb.shape;
  const t = Math.max(padding, 1);
  const rh = th + 2 * padding;
  const rw = tw + 2 * padding;
  const top = y - padding;
  const left = x - padding;
  const hole = [Math.max(rh - 2 * t, 0), Math.max(rw - 2 * t, 0)];
  const ring = hole[0] > 0 && hole[1] > 0
    ? tf.pad(tf.zeros([hole[0], hole[1], 1]), [[t, t], [t, t], [0, 0]], 1)
    : tf.ones([rh, rw, 1]);
  const window = tf.slice(rgb, [top, left, 0], [rh, rw, 3]);
  const change = tf.mul(ring, tf.sub(tf.tensor1d([...color]), window));
  return tf.add(rgb, tf.pad(change, [[top, height - top - rh], [left, width - left - rw], [0, 0]]));
}

/** Options for {@link channelImage}. */
export interface ChannelImageOptions {
  /** Output size: a number is the longer side (aspect kept), `[h, w]` exact. Default 256. */
  size?: number | readonly [number, number];
  /** `'layer'`: the same min-max as the layer's grid, so it looks like its tile (default); `'channel'`: its own. */
  normalize?: 'layer' | 'channel';
}

/**
 * One channel of a layer enlarged with nearest-neighbour sampling (the toolbox's selected
 * unit pane), as a grey RGB `[h, w, 3]` float32 image 0–255. Accepts the same shapes as
 * {@link tileActivations}; a fully connected unit is one flat square.
 *
 * @example
 * ```ts
 * const big = channelImage(act, 7, { size: 224 });               // [224, 224, 3]
 * const own = channelImage(act, 7, { size: [112, 224], normalize: 'channel' });
 * ```
 */
export function channelImage(act: tf.Tensor, c: number, options: ChannelImageOptions = {}): tf.Tensor3D {
  const { size = 256, normalize = 'layer' } = options;
  checkOption(normalize === 'layer' || normalize === 'channel', 'normalize', "'layer' or 'channel'", normalize);
  const sizeOk = (n: unknown) => Number.isInteger(n) && (n as number) >= 1;
  checkOption(sizeOk(size) || (Array.isArray(size) && size.length === 2 && size.every(sizeOk)), 'size', 'an integer ≥ 1 or [h, w]', size);
  return tf.tidy(() => {
    const { map } = asChannelMap(act);
    const [h, w, channels] = map.shape;
    checkChannel(c, channels);
    const all = tf.cast(map, 'float32');
    const one = tf.slice(all, [0, 0, c], [h, w, 1]);
    // Only the statistics come from the whole layer: the arithmetic is on this channel alone.
    const from = normalize === 'layer' ? all : one;
    const lo = tf.min(from);
    const range = tf.sub(tf.max(from), lo);
    const v = tf.mul(tf.sub(one, lo), tf.mul(tf.divNoNan(tf.onesLike(range), range), 255)) as tf.Tensor3D;
    const [oh, ow] = typeof size === 'number'
      ? (h >= w ? [size, Math.max(1, Math.round((size * w) / h))] : [Math.max(1, Math.round((size * h) / w)), size])
      : size;
    const big = tf.image.resizeNearestNeighbor(v, [oh, ow]);
    return greyToRgb(big);
  });
}
