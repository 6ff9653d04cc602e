import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption } from '../errors';
import { toNet } from '../net/index';
import type { Net } from '../net/types';
import { channel, type ChannelAt } from '../objectives/index';
import { assembleGrid } from '../util/grid';
import { TILE_PADDING_COLOR } from '../activations/tile';
import { tileLayout, type TileLayout } from '../activations/tile-layout';
import { displayImage, IMAGE_DISPLAYS, type ImageDisplay } from '../image/display';
import { isNet, type OptimizeOptions, type OptimizeResult } from './loop';
import { optimizeUnits } from './optimize-unit';
import { startImage } from './start';

/** Options of {@link optimizeLayer}: the loop's options plus which channels and how many at once. */
export interface OptimizeLayerOptions extends OptimizeOptions {
  /** The channels to optimize, in sheet order. Default: every channel of the layer. */
  channels?: readonly number[];
  /** Where each channel is read (see {@link channel}). Default `'center'`, as the toolbox. */
  at?: ChannelAt;
  /** Channels optimized together in one batch. Default 16. */
  batchSize?: number;
  /** Pixels between tiles and around the sheet. Default 1. */
  padding?: number;
  /** How each tile is shown: `'norm01c'` (default, stretched around the mean image as the toolbox) or `'raw'` pixels. */
  display?: ImageDisplay;
  /** Also return every channel's best image in `images` (else they are released once tiled). Default false. */
  keepImages?: boolean;
  /** Called after each batch, awaited. */
  onProgress?: (progress: { done: number; total: number; channels: readonly number[] }) => void | Promise<void>;
}

/** One channel's run without its tensors (see {@link OptimizeResult}). */
export type LayerChannelResult = Omit<OptimizeResult, 'image' | 'last'> & { readonly channel: number };

/** What {@link optimizeLayer} returns. The caller owns `sheet` and `images`. */
export interface LayerSheet {
  /** Every channel's best image tiled row-major, each as `display` shows it, `[layout.height, layout.width, 3]` 0–255 RGB. */
  sheet: tf.Tensor3D;
  /** Where each tile sits: tile `i` is `channels[i]`. */
  layout: TileLayout;
  /** The channels in sheet order. */
  channels: number[];
  /** Each channel's run, in sheet order. */
  results: LayerChannelResult[];
  /** Each channel's best image `[h, w, 3]` (raw pixels) when `keepImages` is set; else empty. */
  images: tf.Tensor3D[];
}

/** The run's image size, as the loop resolves it. */
function runSize(net: Net, options: OptimizeOptions): [number, number] {
  const { size, start } = options;
  if (size !== undefined) return typeof size === 'number' ? [size, size] : [size[0], size[1]];
  if (start instanceof tf.Tensor) return [start.shape[start.rank - 3], start.shape[start.rank - 2]];
  return [net.inputShape[0] ?? 227, net.inputShape[1] ?? 227];
}

/**
 * One optimized image per channel of a layer (objective `channel(layer, c)`), batched
 * through {@link optimizeUnits} `batchSize` channels at a time, tiled into one RGB sheet:
 * a near-square grid (`cols = ceil(sqrt(n))`), `padding` pixels between tiles, as the
 * paper's supplementary figure of every channel of a conv layer. Every channel starts
 * from the same seeded image, so tile `i` is what `optimizeUnit(net, channel(layer, c),
 * options)` gives alone, shown as `display` says (default `'norm01c'`, each tile stretched
 * around the mean image on its own, as the toolbox showed them). Per-channel images (raw
 * pixels) are released once tiled unless `keepImages`.
 *
 * @example
 * ```ts
 * const { sheet, results } = await optimizeLayer(net, 'leaky_re_lu_3', { steps: 200, size: 64, batchSize: 16,
 *   onProgress: ({ done, total }) => console.log(`${done}/${total}`) });
 * await writePng('layer3.png', sheet);
 * sheet.dispose();
 * ```
 */
export async function optimizeLayer(netOrModel: unknown, layer: string, options: OptimizeLayerOptions = {}): Promise<LayerSheet> {
  const { channels: wanted, at, batchSize = 16, padding = 1, keepImages = false, display = 'norm01c', onProgress, ...loop } = options;
  checkOption(typeof layer === 'string', 'layer', 'a layer name', layer);
  checkOption(Number.isInteger(batchSize) && batchSize >= 1, 'batchSize', 'an integer ≥ 1', batchSize);
  checkOption(Number.isInteger(padding) && padding >= 0, 'padding', 'an integer ≥ 0', padding);
  checkOption(IMAGE_DISPLAYS.includes(display), 'display', IMAGE_DISPLAYS.map((d) => `'${d}'`).join(' or '), display);
  const owned = !isNet(netOrModel);
  const net = owned ? toNet(netOrModel) : (netOrModel as Net);
  const tiles: tf.Tensor4D[] = [];
  const images: tf.Tensor3D[] = [];
  let start: tf.Tensor4D | null = null;
  try {
    const info = net.layer(layer);
    const count = info.outputShape[info.outputShape.length - 1];
    if (wanted === undefined && count === null) {
      throw new DeepvisError('UNSUPPORTED', `Layer '${layer}' has no fixed channel count; pass option 'channels'.`);
    }
    const channels = wanted === undefined ? [...Array(count as number).keys()] : [...wanted];
    checkOption(Array.isArray(wanted ?? []) && channels.length > 0, 'channels', 'a non-empty array of channel indices', wanted);
    const objectives = channels.map((c) => channel(layer, c, { at }));
    objectives.forEach((o) => o.bind(net));
    // One start image for every channel (the loop repeats a [1, h, w, 3] start over the batch).
    const [h, w] = runSize(net, loop);
    if (!(loop.start instanceof tf.Tensor)) {
      checkOption(Number.isInteger(h) && h > 0 && Number.isInteger(w) && w > 0, 'size', 'an integer > 0 or [h, w]', loop.size);
      const mean = net.mean;
      start = tf.tidy(() => tf.add(startImage(loop.start ?? 'mean_plus_rand', 1, h, w, mean, loop.seed ?? 0), tf.tensor1d([...mean])) as tf.Tensor4D);
    }
    const results: LayerChannelResult[] = [];
    for (let i = 0; i < channels.length; i += batchSize) {
      const group = channels.slice(i, i + batchSize);
      const runs = await optimizeUnits(net, objectives.slice(i, i + batchSize), { ...loop, start: start ?? loop.start });
      tiles.push(tf.tidy(() => displayImage(tf.stack(runs.map((r) => r.image)) as tf.Tensor4D, { mean: net.mean, display }) as tf.Tensor4D));
      runs.forEach((r, j) => {
        const { image, last, ...rest } = r;
        results.push({ channel: group[j], ...rest });
        last.dispose();
        if (keepImages) images.push(image);
        else image.dispose();
      });
      await onProgress?.({ done: results.length, total: channels.length, channels: group });
    }
    const [th, tw] = tiles[0].shape.slice(1, 3);
    const layout = tileLayout(channels.length, th, tw, { padding });
    const sheet = tf.tidy(() => assembleGrid(tf.concat(tiles), layout.cols, layout.rows, padding, TILE_PADDING_COLOR[0]));
    return { sheet, layout, channels, results, images };
  } catch (e) {
    tf.dispose(images);
    throw e;
  } finally {
    tf.dispose(tiles);
    if (start) start.dispose();
    if (owned) net.dispose();
  }
}
