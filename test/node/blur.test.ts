import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { gaussianBlur, gaussianKernel } from '../../src/image/gaussian-blur';
import { DeepvisError } from '../../src/errors';
import { relativeError } from '../helpers/close';
import fixtures from '../fixtures/blur.json';

interface Case { name: string; sigma: number; truncate: number; shape: number[]; input: number[]; expected: number[] }

describe(`gaussianBlur (${process.env.DEEPVIS_BACKEND})`, () => {
  it('kernel: radius int(truncate·sigma + 0.5), normalized, exact values', () => {
    expect(gaussianKernel(1)).toHaveLength(9);
    expect(gaussianKernel(0.5)).toHaveLength(5);
    expect(gaussianKernel(4)).toHaveLength(33);
    expect(gaussianKernel(1.7, 2.5)).toHaveLength(2 * 4 + 1);
    // sigma 0.5: exp(-2 k²) for k = 0, 1, 2, normalized.
    const raw = [Math.exp(-8), Math.exp(-2), 1, Math.exp(-2), Math.exp(-8)];
    const sum = raw.reduce((a, b) => a + b);
    gaussianKernel(0.5).forEach((w, i) => expect(w).toBeCloseTo(raw[i] / sum, 12));
    expect(gaussianKernel(3).reduce((a, b) => a + b)).toBeCloseTo(1, 12);
  });

  for (const c of (fixtures as { cases: Case[] }).cases) {
    it(`matches scipy.ndimage.gaussian_filter: ${c.name}`, () => {
      const [h, w, ch] = c.shape;
      const x = tf.tensor4d(c.input, [1, h, w, ch]);
      const y = gaussianBlur(x, c.sigma, { truncate: c.truncate });
      expect(y.shape).toEqual([1, h, w, ch]);
      expect(relativeError(y.dataSync(), c.expected)).toBeLessThan(2e-6);
      tf.dispose([x, y]);
    });
  }

  it('blurs each image of a batch and each channel on its own', () => {
    const c = (fixtures as { cases: Case[] }).cases[1];
    const [h, w, ch] = c.shape;
    const one = tf.tensor4d(c.input, [1, h, w, ch]);
    const batch = tf.concat([tf.zeros([1, h, w, ch]), one]) as tf.Tensor4D;
    const y = gaussianBlur(batch, c.sigma);
    const [first, second] = tf.split(y, 2);
    expect(tf.max(tf.abs(first)).dataSync()[0]).toBe(0);
    expect(relativeError(second.dataSync(), c.expected)).toBeLessThan(2e-6);
    // A single lit channel stays in its channel.
    const lit = tf.tidy(() => tf.mul(tf.tensor4d([0, 1, 0], [1, 1, 1, 3]), tf.ones([1, 5, 5, 1])) as tf.Tensor4D);
    const z = gaussianBlur(lit, 1);
    const sums = Array.from(tf.sum(z, [0, 1, 2]).dataSync());
    expect(sums[0]).toBe(0);
    expect(sums[1]).toBeCloseTo(25, 4);
    expect(sums[2]).toBe(0);
    tf.dispose([one, batch, y, first, second, lit, z]);
  });

  it('sigma 0 is a copy; constant images stay constant; no tensor left behind', () => {
    const x = tf.fill([2, 4, 6, 3], 7.5) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const same = gaussianBlur(x, 0);
    expect(same).not.toBe(x);
    const y = gaussianBlur(x, 2.5);
    expect(tf.memory().numTensors).toBe(before + 2);
    const v = y.dataSync();
    for (const a of v) expect(a).toBeCloseTo(7.5, 4);
    tf.dispose([x, same, y]);
  });

  it('rejects bad arguments with BAD_OPTION / BAD_SHAPE', () => {
    const x = tf.zeros([1, 3, 3, 3]) as tf.Tensor4D;
    expect(() => gaussianBlur(x, -1)).toThrowError(/Option 'sigma' must be a finite number ≥ 0/);
    expect(() => gaussianBlur(x, NaN)).toThrowError(DeepvisError);
    expect(() => gaussianBlur(x, 1, { truncate: 0 })).toThrowError(/Option 'truncate'/);
    expect(() => gaussianBlur(tf.zeros([3, 3, 3]) as unknown as tf.Tensor4D, 1)).toThrowError(/NHWC/);
    x.dispose();
  });
});
