// Real photos through Darknet-Tiny for the attribution tests: a shared photo at a size, its
// top class, and how much hiding part of it costs that class.
import * as tf from '@tensorflow/tfjs-core';
import { readImage } from '../../src/backends/node';
import type { Net } from '../../src/index';

/** A shared photo resized to `size`², as `[1, size, size, 3]`, and the net's top class for it. */
export async function photoAndTop(net: Net, file: string, size: number): Promise<{ x: tf.Tensor4D; top: number }> {
  const photo = await readImage(file);
  const x = tf.tidy(() => tf.expandDims(tf.image.resizeBilinear(photo, [size, size]), 0)) as tf.Tensor4D;
  photo.dispose();
  const top = tf.tidy(() => tf.argMax(net.predict(x), 1).dataSync()[0]);
  return { x, top };
}

/**
 * The class score with the hottest fifth of `map` (`[1, h, w]`) hidden (set to the net's mean
 * grey), and with its coldest fifth hidden: a faithful map makes the first much lower.
 */
export function hideFifths(net: Net, x: tf.Tensor4D, map: tf.Tensor, top: number): { hot: number; cold: number } {
  return tf.tidy(() => {
    const [, h, w] = x.shape;
    const grey = tf.reshape(tf.tensor1d([...net.mean]), [1, 1, 1, 3]);
    const flat = tf.reshape(map, [-1]);
    const sorted = tf.topk(flat, flat.size).values.dataSync();
    const fifth = Math.floor(flat.size / 5);
    const mask = (m: tf.Tensor) => tf.reshape(tf.cast(m, 'float32'), [1, h, w, 1]);
    const score = (m: tf.Tensor) => tf.slice(net.predict(tf.add(tf.mul(x, tf.sub(1, m)), tf.mul(grey, m)) as tf.Tensor4D), [0, top], [1, 1]).dataSync()[0];
    return { hot: score(mask(tf.greaterEqual(map, sorted[fifth - 1]))), cold: score(mask(tf.lessEqual(map, sorted[flat.size - fifth]))) };
  });
}
