// The shipped Darknet-Tiny and sample photos in headless Chromium: fetched from the URLs the
// library resolves (here Vite's dev server; in an app, the copies its bundler made).
import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useWebGL } from '../../src/backends/webgl';
import { loadImageNetLabels, loadImageNetNet, readSamplePhoto, samplePhotos } from '../../src/index';

beforeAll(async () => {
  expect((await useWebGL()).name).toBe('webgl');
});

describe('the shipped ImageNet model in a browser', () => {
  it('loads by fetch, and calls the parrot photo a macaw', async () => {
    const [net, labels] = await Promise.all([loadImageNetNet(), loadImageNetLabels()]);
    expect(labels[0]).toBe('kit fox');
    const parrot = samplePhotos().find((p) => p.name === 'parrot')!;
    expect(parrot.url.protocol).toBe('http:');
    const bitmap = await createImageBitmap(new Blob([await readSamplePhoto('parrot')]));
    expect([bitmap.width, bitmap.height]).toEqual([256, 465]);
    const x = tf.tidy(() => {
      const pixels = tf.browser.fromPixels(bitmap);
      const square = tf.slice(pixels, [Math.floor((465 - 256) / 2), 0, 0], [256, 256, 3]);
      return tf.expandDims(tf.image.resizeBilinear(square, [224, 224]), 0) as tf.Tensor4D;
    });
    const scores = net.predict(x);
    expect(labels[(await tf.argMax(scores, 1).data())[0]]).toBe('macaw');
    tf.dispose([x, scores]);
    net.dispose();
  });
});
