import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, formatValue } from '../errors';
import type { InputRange } from './types';

/** The ImageNet RGB mean on a 0–255 scale: "zero" in centred pixel space by default. */
export const IMAGENET_MEAN: readonly [number, number, number] = [123.68, 116.779, 103.939];

/** How pixels reach the model: the mapping and the mean that is "zero". */
export interface PixelMapping {
  toModelInput(pixels: tf.Tensor4D): tf.Tensor4D;
  mean: readonly [number, number, number];
  /** The mapping's constants, made once (on a GPU each tensor made from numbers is an upload); the Net disposes them. */
  owned: tf.Tensor[];
}

/**
 * Builds the map from 0–255 RGB pixels to the model's own input. A model with one input
 * channel receives the average of R, G and B.
 */
export function pixelMapping(
  range: InputRange = [0, 1],
  channels: number,
  mean?: readonly [number, number, number],
): PixelMapping {
  const finite = (v: unknown, length: readonly number[]) =>
    Array.isArray(v) && length.includes(v.length) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (mean !== undefined && !finite(mean, [3])) {
    throw new DeepvisError('BAD_OPTION', `Option 'mean' must be 3 finite RGB values on a 0–255 scale; got ${formatValue(mean)}.`);
  }
  const toGray = (p: tf.Tensor4D): tf.Tensor4D => (channels === 1 && p.shape[3] === 3 ? tf.mean(p, 3, true) : p);
  if (typeof range === 'function') {
    return { toModelInput: (p) => range(toGray(p)), mean: mean ?? IMAGENET_MEAN, owned: [] };
  }
  if (Array.isArray(range)) {
    const [lo, hi] = range as readonly [number, number];
    if (range.length !== 2 || !Number.isFinite(lo) || !Number.isFinite(hi) || lo === hi) {
      throw new DeepvisError('BAD_OPTION', `Option 'inputRange' must be [lo, hi] with lo ≠ hi, such as [0, 1] or [-1, 1]; got ${formatValue(range)}.`);
    }
    const [scale, offset] = [tf.scalar((hi - lo) / 255), tf.scalar(lo)];
    return { toModelInput: (p) => tf.add(tf.mul(toGray(p), scale), offset), mean: mean ?? IMAGENET_MEAN, owned: [scale, offset] };
  }
  const caffe = range as { mean: readonly number[]; std?: readonly number[]; bgr?: boolean };
  if (!caffe || typeof caffe !== 'object' || !finite(caffe.mean, [1, 3])) {
    throw new DeepvisError('BAD_OPTION', `Option 'inputRange.mean' must be 3 finite RGB values on a 0–255 scale; got ${formatValue(caffe?.mean)}.`);
  }
  if (caffe.std !== undefined && !(finite(caffe.std, [3]) && caffe.std.every((x) => x !== 0))) {
    throw new DeepvisError('BAD_OPTION', `Option 'inputRange.std' must be 3 finite, non-zero values (0–255 scale, such as [58.4, 57.1, 57.4]); got ${formatValue(caffe.std)}.`);
  }
  const m = caffe.mean.length === 3 ? caffe.mean : [caffe.mean[0], caffe.mean[0], caffe.mean[0]];
  const chosenMean = mean ?? (m as unknown as [number, number, number]);
  const [meanT, stdT] = [tf.tensor1d(m as number[]), tf.tensor1d((caffe.std ?? [1, 1, 1]) as number[])];
  return {
    toModelInput: (p) => {
      const rgb = tf.div(tf.sub(p, meanT), stdT) as tf.Tensor4D;
      return toGray(caffe.bgr ? tf.reverse(rgb, 3) : rgb);
    },
    mean: chosenMean,
    owned: [meanT, stdT],
  };
}
