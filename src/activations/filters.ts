import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption } from '../errors';
import { PRE_ACTIVATION, type LayerGeometry, type LayerInfo, type Net } from '../net/types';
import { assembleGrid } from '../util/grid';
import { layerWindow, windowSpan } from '../net/window';
import { TILE_PADDING_COLOR } from './tile';
import { tileLayout } from './tile-layout';

/** Options for {@link filterImages}. */
export interface FilterImagesOptions {
  /** Integer enlargement of each kernel (nearest neighbour). Default 1. */
  scale?: number;
  /** Pixels between kernels and around the grid. Default 1. */
  padding?: number;
}

function firstConv(net: Net): LayerInfo {
  const conv = net.layers.find((l) => l.className === 'Conv2D');
  if (!conv) throw new DeepvisError('UNSUPPORTED', 'filterImages found no Conv2D layer in this net; name one with filterImages(net, layer).');
  return conv;
}

/**
 * The kernels of a convolution that reads the image directly (default: the first Conv2D),
 * as a near-square grid of RGB tiles (the paper's Gabor-like first-layer filters). Each
 * kernel is min-max scaled on its own so its colours show. The kernels are read as the
 * convolution sees pixels: the input gradient of one output position, so any input
 * mapping (`[0, 1]`, caffe BGR…) is undone and colours are RGB. Returns `[h, w, 3]`
 * float32 0–255 with {@link tileLayout} geometry (tile = kernel × scale).
 *
 * @example
 * ```ts
 * const filters = filterImages(net);                          // conv2d_1: 16 kernels 3×3
 * const big = filterImages(net, 'conv1', { scale: 8 });
 * ```
 */
export function filterImages(net: Net, layer?: string, options: FilterImagesOptions = {}): tf.Tensor3D {
  const { scale = 1, padding = 1 } = options;
  checkOption(Number.isInteger(scale) && scale >= 1, 'scale', 'an integer ≥ 1', scale);
  checkOption(Number.isInteger(padding) && padding >= 0, 'padding', 'an integer ≥ 0', padding);
  const info = layer === undefined ? firstConv(net) : net.layer(layer);
  const geometry: LayerGeometry | undefined = info.geometry;
  const fromImage = info.inputs.every((i) => {
    const src = net.layers.find((l) => l.name === i);
    return !src || src.className === 'InputLayer';
  });
  if (info.className !== 'Conv2D' || !geometry || !fromImage) {
    throw new DeepvisError('UNSUPPORTED', `filterImages shows a Conv2D that reads the image directly; '${info.name}' is a ${info.className}` +
      `${fromImage ? '' : ` fed by '${info.inputs.join("', '")}'`}. Try the first convolution (filterImages(net)).`);
  }
  const channels = info.outputShape[info.outputShape.length - 1] as number;
  const tap = info.hasPreActivation ? info.name + PRE_ACTIVATION : info.name;
  const [kh, kw] = geometry.kernel;
  const [sh, sw] = geometry.strides;
  const [dh, dw] = geometry.dilations;
  const eh = windowSpan(kh, dh);
  const ew = windowSpan(kw, dw);
  // A fully convolutional net takes any size: a small one where the centre window fits is cheapest.
  const h = (net.fullyConvolutional ? null : net.inputShape[0]) ?? 2 * (eh + sh);
  const w = (net.fullyConvolutional ? null : net.inputShape[1]) ?? 2 * (ew + sw);
  const ay = layerWindow(geometry, 0, h);
  const ax = layerWindow(geometry, 1, w);
  const oy = Math.floor(ay.out / 2);
  const ox = Math.floor(ax.out / 2);
  const y0 = oy * sh - ay.before;
  const x0 = ox * sw - ax.before;
  if (y0 < 0 || x0 < 0 || y0 + eh > h || x0 + ew > w) {
    throw new DeepvisError('UNSUPPORTED', `filterImages cannot place a whole ${kh}×${kw} window of '${info.name}' inside a ${h}×${w} input.`);
  }
  const layout = tileLayout(channels, kh * scale, kw * scale, { padding });
  return tf.tidy(() => {
    // (A float32 oneHot is wrong on wasm 4.22: cast an int32 one.)
    // Image n of the batch seeds output channel n at (oy, ox): one backward pass gives every kernel.
    const seed = tf.pad(tf.reshape(tf.cast(tf.oneHot(tf.range(0, channels, 1, 'int32') as tf.Tensor1D, channels), 'float32'), [channels, 1, 1, channels]),
      [[0, 0], [oy, ay.out - oy - 1], [ox, ax.out - ox - 1], [0, 0]]);
    const response = (x: tf.Tensor) => tf.sum(tf.mul(net.forward(x as tf.Tensor4D, { taps: [tap] })[tap], seed));
    const g = tf.grad(response)(tf.zeros([channels, h, w, 3]));
    const kernels = tf.stridedSlice(g, [0, y0, x0, 0], [channels, y0 + eh, x0 + ew, 3], [1, dh, dw, 1]) as tf.Tensor4D;
    const lo = tf.min(kernels, [1, 2, 3], true);
    const hi = tf.max(kernels, [1, 2, 3], true);
    let tiles = tf.mul(tf.divNoNan(tf.sub(kernels, lo), tf.sub(hi, lo)), 255) as tf.Tensor4D;
    if (scale > 1) tiles = tf.image.resizeNearestNeighbor(tiles, [kh * scale, kw * scale]);
    const grid = assembleGrid(tiles, layout.cols, layout.rows, padding, -1);
    const inside = tf.cast(tf.greaterEqual(grid, 0), 'float32');
    return tf.add(tf.mul(grid, inside), tf.mul(tf.sub(1, inside), tf.tensor1d([...TILE_PADDING_COLOR]))) as tf.Tensor3D;
  });
}
