// The Net's own gradient routes (forward kernels on wasm) against tfjs' native gradients on cpu.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { maxPool } from '../../src/net/pool-grad';
import { convolve } from '../../src/net/conv-grad';
import { onBackend, relativeError } from '../helpers/close';

const backend = process.env.DEEPVIS_BACKEND;

describe(`max-pool and convolution input gradients (${backend})`, () => {
  const pools: [number, number, number, 'same' | 'valid', string][] = [
    [8, 16, 2, 'same', 'ties'], [7, 3, 2, 'same', 'ties'], [7, 3, 2, 'valid', 'ties'], [10, 2, 3, 'valid', 'ties'],
    [9, 2, 3, 'same', 'overlapping'], [8, 4, 2, 'same', 'zeros'], [12, 5, 2, 'same', 'negative'],
  ];
  it.each(pools)('max pool %i² × %i, window %i, %s, %s: the cpu gradient (first maximum wins)', async (h, c, k, pad, data) => {
    // Overlapping windows (stride 1) are checked on continuous values: with exact ties there
    // our route and cpu's may pick different (equally valid) elements.
    const stride = data === 'overlapping' ? 1 : k;
    const make = () => {
      if (data === 'zeros') return tf.zeros([1, h, h, c]);
      if (data === 'overlapping') return tf.randomUniform([1, h, h, c], -1, 1, 'float32', 3);
      if (data === 'negative') return tf.randomUniform([1, h, h, c], -1, -0.01, 'float32', 3);
      return tf.round(tf.randomUniform([1, h, h, c], -4, 4, 'float32', 3)); // many ties
    };
    const x = make() as tf.Tensor4D;
    const weights = tf.randomUniform(tf.maxPool(x, k, stride, pad).shape, 0, 1, 'float32', 9);
    const ours = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(maxPool(p as tf.Tensor4D, [k, k], [stride, stride], pad), weights)))(x);
    const theirs = await onBackend('cpu', () => tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(p as tf.Tensor4D, k, stride, pad), weights)))(x));
    if (stride === k) expect(Array.from(ours.dataSync())).toEqual(Array.from(theirs.dataSync()));
    else expect(relativeError(ours.dataSync(), theirs.dataSync())).toBeLessThan(1e-6); // sums of overlaps in another order
    tf.dispose([x, weights, ours, theirs]);
  });

  const convs: ['conv' | 'depthwise', number, number, number, number, 'same' | 'valid'][] = [
    ['conv', 9, 3, 3, 1, 'same'], ['conv', 10, 3, 3, 2, 'same'], ['conv', 9, 4, 3, 2, 'valid'], ['conv', 8, 3, 1, 1, 'same'],
    ['depthwise', 9, 3, 3, 1, 'same'], ['depthwise', 10, 4, 3, 2, 'same'], ['depthwise', 11, 2, 5, 2, 'valid'],
  ];
  it.each(convs)('%s %i² × %i, kernel %i, stride %i, %s: the cpu gradient within 1e-5', async (kind, h, c, k, s, pad) => {
    const x = tf.randomUniform([2, h, h, c], -1, 1, 'float32', 4) as tf.Tensor4D;
    const kernel = tf.randomUniform([k, k, c, kind === 'conv' ? 5 : 2], -1, 1, 'float32', 5) as tf.Tensor4D;
    const op = kind === 'conv' ? tf.conv2d : tf.depthwiseConv2d;
    const weights = tf.randomUniform(op(x, kernel, s, pad).shape, -1, 1, 'float32', 6);
    const ours = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(convolve(kind, p as tf.Tensor4D, kernel, [s, s], pad), weights)))(x);
    const theirs = await onBackend('cpu', () => tf.grad((p: tf.Tensor) => tf.sum(tf.mul(op(p as tf.Tensor4D, kernel, s, pad), weights)))(x));
    expect(relativeError(ours.dataSync(), theirs.dataSync())).toBeLessThan(1e-5);
    tf.dispose([x, kernel, weights, ours, theirs]);
  });
});
