// The modern style on WebGL (SwiftShader here): the Fourier parameterization, the transforms' gradients and a
// seeded Adam run, with the same checks as in Node.
import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useWebGL } from '../../src/backends/webgl';
import {
  applyTransforms, buildParameterization, classLogit, cropToSize, drawTransforms, fourier, jitter, LUCID_PRESET, optimizeUnit,
  pad, randomRotate, randomScale, resizeImage, rotateImage, seededRandom, toNet,
} from '../../src/index';
import { gapModel } from '../helpers/models';

beforeAll(async () => {
  expect((await useWebGL()).name).toBe('webgl');
});

describe('the modern style on WebGL', () => {
  it('resize and rotation forward as in tfjs; every transform\'s gradient agrees with finite differences', () => {
    const x = tf.randomUniform([1, 12, 14, 3], 0, 255, 'float32', 4) as tf.Tensor4D;
    const ours = resizeImage(x, 17, 9);
    const theirs = tf.image.resizeBilinear(x, [17, 9], false, true);
    expect(tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0]).toBeLessThan(1e-2);
    const same = rotateImage(x, 0);
    expect(tf.max(tf.abs(tf.sub(same, x))).dataSync()[0]).toBe(0);
    const drawn = drawTransforms([pad(3, { mode: 'reflect' }), pad(2), jitter(4), randomScale(0.8, 1.2), randomRotate(15), jitter(2), cropToSize()], seededRandom(4));
    const f = (v: tf.Tensor) => applyTransforms(v as tf.Tensor4D, drawn);
    const w = tf.randomNormal(f(x).shape, 0, 1, 'float32', 3);
    const d = tf.randomNormal(x.shape, 0, 1, 'float32', 2);
    const at = (s: number) => tf.tidy(() => tf.sum(tf.mul(w, f(tf.add(x, tf.mul(d, s))))).dataSync()[0]);
    const numeric = (at(8) - at(-8)) / 16;
    const analytic = tf.tidy(() => tf.sum(tf.mul(tf.grad((v: tf.Tensor) => tf.sum(tf.mul(w, f(v))))(x), d)).dataSync()[0]);
    expect(Math.abs(analytic / numeric - 1)).toBeLessThan(2e-3);
    tf.dispose([x, ours, theirs, same, w, d]);
  });

  it('the Fourier image keeps 0–255; a seeded LUCID_PRESET run repeats itself, raises its class and leaves no tensors', async () => {
    const p = buildParameterization(fourier(), 1, 16, 16, [120, 120, 120]);
    const v = tf.mul(p.init('mean_plus_rand', 1), 500);
    const px = tf.add(p.centred(v), 120);
    expect(tf.min(px).dataSync()[0]).toBeGreaterThanOrEqual(0);
    expect(tf.max(px).dataSync()[0]).toBeLessThanOrEqual(255);
    tf.dispose([v, px]);
    p.dispose();
    const model = gapModel();
    const net = toNet(model, { inputRange: [-1, 1] });
    const before = tf.memory().numTensors;
    const options = { ...LUCID_PRESET, transforms: [pad(2), jitter(2), randomScale(0.9, 1.1), randomRotate(10), jitter(1)], steps: 12, size: 10 };
    const a = await optimizeUnit(net, classLogit(1), options);
    const b = await optimizeUnit(net, classLogit(1), options);
    expect(Array.from(await a.last.data())).toEqual(Array.from(await b.last.data()));
    expect(a.best).toBeGreaterThan(a.activations[0]);
    tf.dispose([a.image, a.last, b.image, b.last]);
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
    model.dispose();
  });
});
