/**
 * Accuracy of a {@link Net} on Fashion-MNIST images fed the way a user feeds deepvis:
 * 0–255 RGB pixels (the gray level copied to R, G and B), mapped by the Net itself.
 *
 * @example
 * ```ts
 * const { test } = loadFashionMnist({ testPerClass: 200, trainPerClass: 0 });
 * const acc = netAccuracy(toNet(model, { inputRange: [0, 1] }), test); // 0.9…
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Net } from '../../src/net/types';
import { PIXELS, SIDE, type FashionMnistSplit } from './fashion-mnist';

/**
 * Images `from … from + count` of a split as `[count, 28, 28, 3]` 0–255 RGB pixels.
 *
 * @example
 * ```ts
 * const pixels = rgbPixels(test, 0, 16); // the first 16 test images, gray copied to RGB
 * ```
 */
export function rgbPixels(split: FashionMnistSplit, from: number, count: number): tf.Tensor4D {
  const gray = split.images.subarray(from * PIXELS, (from + count) * PIXELS);
  const rgb = new Float32Array(gray.length * 3);
  for (let i = 0; i < gray.length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = gray[i];
  return tf.tensor4d(rgb, [count, SIDE, SIDE, 3]);
}

/**
 * Fraction of the split whose highest-scoring class (of `net.predict`) is the label.
 *
 * @example
 * ```ts
 * console.log(`accuracy ${(100 * netAccuracy(net, test)).toFixed(2)}%`);
 * ```
 */
export function netAccuracy(net: Net, split: FashionMnistSplit, batch = 250): number {
  let correct = 0;
  for (let from = 0; from < split.count; from += batch) {
    const n = Math.min(batch, split.count - from);
    const predicted = tf.tidy(() => tf.argMax(net.predict(rgbPixels(split, from, n)), 1)).dataSync();
    for (let i = 0; i < n; i++) if (predicted[i] === split.labels[from + i]) correct++;
  }
  return correct / split.count;
}
