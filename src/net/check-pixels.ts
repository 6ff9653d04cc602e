import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError } from '../errors';
import { allFinite } from '../util/finite';
import { FORWARD_BYTES_BUDGET, footprint, smallestSide } from './geometry';
import type { Net } from './types';

/** Options for {@link checkPixels}. */
export interface CheckPixelsOptions {
  /** Also read the values back and refuse NaN or ±Infinity (one small readback; none for int32, which holds neither). Default `false`. */
  finite?: boolean;
}

const MB = 1 << 20;

/**
 * The channel count of an image input `[h, w, c]` (entries may be `null`), or UNSUPPORTED
 * naming the layout: deepvis shows channels-last RGB (3) or grayscale (1) models.
 */
export function inputChannels(shape: readonly (number | null)[]): number {
  const [first, , last] = shape;
  if (shape.length !== 3) {
    throw new DeepvisError('UNSUPPORTED', `deepvis needs an image input [h, w, channels]; this model's input is [${shape.join(', ')}].`);
  }
  const c = last ?? 3;
  if (c === 1 || c === 3) return c;
  if (first === 1 || first === 3) {
    throw new DeepvisError('UNSUPPORTED', `This model's input [${shape.join(', ')}] is channels-first; deepvis needs channels-last [h, w, ${first}] (export the model with data_format 'channels_last').`);
  }
  throw new DeepvisError('UNSUPPORTED', `This model takes ${c}-channel images [${shape.join(', ')}]; deepvis shows RGB (3-channel) or grayscale (1-channel) models.`);
}

/**
 * Validates a pixel batch against what a net accepts, before any tensor is made from it:
 * a live tf.Tensor `[n, h, w, 3]` (n ≥ 1) of float32 or int32, the model's size where it is
 * fixed, big enough that no layer's map is empty (from the layer table's geometry), small
 * enough that the pass's layer outputs fit the {@link FORWARD_BYTES_BUDGET}, and with
 * `finite`, no NaN or ±Infinity. Throws a DeepvisError (`BAD_VALUE`, `DISPOSED`, `BAD_SHAPE`,
 * `BAD_DTYPE`, `TOO_LARGE`, `NOT_FINITE`) that says what to change.
 */
export function checkPixels(pixels: tf.Tensor, net: Pick<Net, 'inputShape' | 'fullyConvolutional' | 'layers'>, options: CheckPixelsOptions = {}): void {
  const [h, w, c] = net.inputShape;
  const expected = `[n, ${net.fullyConvolutional ? 'h' : h ?? 'h'}, ${net.fullyConvolutional ? 'w' : w ?? 'w'}, 3] 0–255 RGB pixels`;
  if (!pixels || typeof pixels !== 'object' || !Array.isArray((pixels as tf.Tensor).shape)) {
    throw new DeepvisError('BAD_VALUE', `Expected a tf.Tensor of ${expected}; got ${pixels === null ? 'null' : typeof pixels}.`);
  }
  if (pixels.isDisposed) throw new DeepvisError('DISPOSED', 'The pixel tensor was already disposed; pass a live tensor (dispose it after the call).');
  const shape = `[${pixels.shape.join(', ')}]`;
  if (pixels.rank !== 4) {
    const hint = pixels.rank === 3 ? ' Use pixels.expandDims(0) for a single [h, w, 3] image.' : '';
    throw new DeepvisError('BAD_SHAPE', `Expected ${expected}; got shape ${shape}.${hint}`);
  }
  const [n, ph, pw, channels] = pixels.shape;
  if (n === 0) throw new DeepvisError('BAD_SHAPE', `Expected at least one image; got a batch of 0 (shape ${shape}).`);
  if (channels !== 3 && channels !== c) {
    const first = ph === 3 || ph === 1 ? ' It looks channels-first: deepvis takes channels last, [n, h, w, 3] (tf.transpose(pixels, [0, 2, 3, 1])).' : '';
    throw new DeepvisError('BAD_SHAPE', `Expected ${expected}; got ${channels} channels (shape ${shape}).${first}`);
  }
  if (!net.fullyConvolutional && ((h !== null && ph !== h) || (w !== null && pw !== w))) {
    throw new DeepvisError('BAD_SHAPE', `This model needs ${h}×${w} images (it flattens space); got ${ph}×${pw}. Resize with tf.image.resizeBilinear first.`);
  }
  if (pixels.dtype !== 'float32' && pixels.dtype !== 'int32') {
    throw new DeepvisError('BAD_DTYPE', `Expected float32 (or int32) pixels; got ${pixels.dtype}.`);
  }
  if (ph < 1 || pw < 1) throw new DeepvisError('BAD_SHAPE', `Expected images of at least 1×1 pixels; got shape ${shape}.`);
  checkInputSize(net, n, ph, pw);
  if (options.finite && !allFinite(pixels)) {
    throw new DeepvisError('NOT_FINITE', 'The pixels hold NaN or ±Infinity; expected finite 0–255 values.');
  }
}

/**
 * Checks that `n` images of `ph × pw` pixels survive the net's geometry (no layer's map is
 * empty, from the layer table) and fit the {@link FORWARD_BYTES_BUDGET}: BAD_SHAPE naming the
 * smallest size, or TOO_LARGE naming the largest. Pure arithmetic, for use before any tensor
 * of that size exists.
 */
export function checkInputSize(net: Pick<Net, 'inputShape' | 'layers'>, n: number, ph: number, pw: number): void {
  const at = (y: number, x: number) => footprint(net.layers, y, x, net.inputShape[2]);
  const { empty, perImage } = at(ph, pw);
  if (empty) {
    const min = smallestSide((s) => !at(s, s).empty);
    throw new DeepvisError('BAD_SHAPE', `Images must be at least ${min}×${min} pixels for this net (layer '${empty.layer}' would be ` +
      `${Math.max(empty.size[0], 0)}×${Math.max(empty.size[1], 0)}); got ${ph}×${pw}. Resize or pad the images.`);
  }
  const bytes = 4 * n * perImage;
  if (bytes > FORWARD_BYTES_BUDGET) {
    const side = smallestSide((s) => 4 * n * at(s, s).perImage > FORWARD_BYTES_BUDGET) - 1;
    throw new DeepvisError('TOO_LARGE', `A pass over ${n} image${n === 1 ? '' : 's'} of ${ph}×${pw} would hold ${Math.round(bytes / MB)} MB of layer outputs, ` +
      `over deepvis's ${FORWARD_BYTES_BUDGET / MB} MB budget; use at most about ${side}×${side} pixels${n > 1 ? ' or fewer images at once' : ''}.`);
  }
}
