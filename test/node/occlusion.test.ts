import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { gradCam, occlusion, toNet } from '../../src/index';
import { loadLayersModelFile } from '../../src/backends/node';
import { relativeError, takeValues as values } from '../helpers/close';
import { scorerModel } from '../helpers/models';
import { hideFifths, photoAndTop } from '../helpers/photos';
import { DARKNET, HAS_DARKNET, sharedImages } from '../helpers/shared';

/** Pearson correlation of two equal-length arrays. */
function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let [ma, mb] = [0, 0];
  for (let i = 0; i < n; i++) [ma, mb] = [ma + a[i] / n, mb + b[i] / n];
  let [sab, saa, sbb] = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe(`occlusion (${process.env.DEEPVIS_BACKEND})`, () => {
  const pixels = tf.randomUniform([1, 12, 12, 3], 0, 255, 'float32', 3) as tf.Tensor4D;

  it('on a linear net each drop is the gradient times what the patch hid; the map spreads the drops', async () => {
    const model = scorerModel({ relu: false, units: 3 });
    const net = toNet(model, { inputRange: [-1, 1] });
    const before = tf.memory().numTensors;
    const { drops, map } = await occlusion(net, pixels, { channel: 1, window: 4, stride: 4, fill: 'black', batchSize: 4 });
    expect(drops.shape).toEqual([1, 3, 3]);
    expect(map.shape).toEqual([1, 12, 12]);
    // f(x) − f(x with the patch black) = Σ over the patch of ∇f · x (the gradient is the same everywhere).
    const want = tf.tidy(() => {
      const g = tf.grad((p: tf.Tensor) => tf.sum(tf.slice(model.apply(tf.sub(tf.div(p, 127.5), 1)) as tf.Tensor, [0, 1], [1, 1])))(pixels);
      const perPixel = tf.sum(tf.mul(g, pixels), 3, true) as tf.Tensor4D;
      return tf.reshape(tf.mul(tf.avgPool(perPixel, 4, 4, 'valid'), 16), [1, 3, 3]);
    });
    const [d, m] = [values(drops), values(map)];
    expect(relativeError(d, values(want))).toBeLessThanOrEqual(1e-4);
    // No overlap: each pixel shows its own patch's drop.
    for (let y = 0; y < 12; y++) for (let x = 0; x < 12; x++) expect(m[y * 12 + x]).toBeCloseTo(d[Math.floor(y / 4) * 3 + Math.floor(x / 4)], 4);
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
    model.dispose();
  });

  it('overlapping patches average; progress, abort and bad options; no tensors left', async () => {
    const model = scorerModel({ relu: false, units: 3 });
    const net = toNet(model, { inputRange: [-1, 1] });
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    const { drops, map } = await occlusion(net, pixels, { channel: 0, window: 4, stride: 2, batchSize: 10, onProgress: (d, t) => seen.push(d / t) });
    expect(drops.shape).toEqual([1, 5, 5]);
    expect(seen).toEqual([0.4, 0.8, 1]);
    // Pixel (3, 3) lies under the patches at rows and columns 0 and 1: the mean of four drops.
    const [d, m] = [values(drops), values(map)];
    expect(m[3 * 12 + 3]).toBeCloseTo((d[0] + d[1] + d[5] + d[6]) / 4, 4);
    const controller = new AbortController();
    const run = occlusion(net, pixels, { channel: 0, window: 2, stride: 1, batchSize: 4, signal: controller.signal, onProgress: (done) => done >= 8 && controller.abort() });
    await expect(run).rejects.toMatchObject({ name: 'AbortError', code: 'ABORTED' });
    await expect(occlusion(net, pixels, { channel: 0, window: 13 })).rejects.toThrow(/Option 'window' must be an integer from 1 to 12 \(the image's shorter side\); got 13/);
    await expect(occlusion(net, pixels, { channel: 0, fill: 'white' as 'black' })).rejects.toThrow(/Option 'fill' must be 'mean' or 'black'/);
    await expect(occlusion(net, pixels, { channel: 5 })).rejects.toThrow(/Channel 5 is out of range: layer 'scores' has 3 channels/);
    await expect(occlusion(net, pixels, { layer: 'scorez', channel: 0 })).rejects.toThrow(/Unknown layer 'scorez'/);
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
    model.dispose();
  });

  it.skipIf(!HAS_DARKNET)('on Darknet-Tiny and real photos: hiding its hottest fifth costs the class more than its coldest; it correlates positively with Grad-CAM', async () => {
    const model = await loadLayersModelFile(DARKNET);
    const net = toNet(model, { inputRange: [0, 1] });
    // One photo on cpu, where a forward at 96² takes ~0.1 s (49 positions a photo).
    for (const file of sharedImages().slice(0, process.env.DEEPVIS_BACKEND === 'cpu' ? 1 : 3)) {
      const { x, top } = await photoAndTop(net, file, 96);
      const { drops, map } = await occlusion(net, x, { channel: top, window: 24, stride: 12 });
      const cam = gradCam(net, x, { camLayer: 'leaky_re_lu_15', channel: top });
      const r = correlation(map.dataSync(), cam.dataSync());
      const { hot, cold } = hideFifths(net, x, map, top);
      console.log(`[occlusion] ${file.split('/').pop()}: class ${top}, hottest fifth hidden ${hot.toFixed(2)}, coldest ${cold.toFixed(2)}; correlation with Grad-CAM ${r.toFixed(2)}`);
      expect(hot).toBeLessThan(cold);
      expect(r).toBeGreaterThan(0);
      tf.dispose([x, drops, map, cam]);
    }
    net.dispose();
    model.dispose();
  }, 240_000);
});
