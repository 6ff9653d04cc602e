import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { gradCam, occlusion, toNet } from '../../src/index';
import { loadLayersModelFile, readImage } from '../../src/backends/node';
import { relativeError } from '../helpers/close';
import { DARKNET, HAS_DARKNET, sharedImages } from '../helpers/shared';

const L = tfl.layers;
const init = (seed: number) => tfl.initializers.glorotUniform({ seed });

/** A linear net: conv → avg-pool → dense, 12×12 RGB to 3 scores. */
function linearNet(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      L.conv2d({ inputShape: [12, 12, 3], filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: init(1), name: 'conv' }),
      L.averagePooling2d({ poolSize: 2, name: 'pool' }),
      L.flatten({ name: 'flat' }),
      L.dense({ units: 3, kernelInitializer: init(2), name: 'scores' }),
    ],
  });
}

const values = (t: tf.Tensor) => {
  const v = t.dataSync() as Float32Array;
  t.dispose();
  return v;
};

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
    const model = linearNet();
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
    const model = linearNet();
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

  it.skipIf(!HAS_DARKNET)('on Darknet-Tiny and real photos: hiding its hottest fifth costs the class more than its coldest; it agrees with Grad-CAM', async () => {
    const model = await loadLayersModelFile(DARKNET);
    const net = toNet(model, { inputRange: [0, 1] });
    const grey = tf.reshape(tf.tensor1d([...net.mean]), [1, 1, 1, 3]);
    for (const file of sharedImages().slice(0, 3)) {
      const photo = await readImage(file);
      const x = tf.tidy(() => tf.expandDims(tf.image.resizeBilinear(photo, [96, 96]), 0)) as tf.Tensor4D;
      const top = tf.tidy(() => tf.argMax(net.predict(x), 1).dataSync()[0]);
      const { drops, map } = await occlusion(net, x, { channel: top, window: 24, stride: 8 });
      const cam = gradCam(net, x, { layer: 'leaky_re_lu_15', channel: top });
      const r = correlation(map.dataSync(), cam.dataSync());
      const [hot, cold] = tf.tidy(() => {
        const flat = tf.reshape(map, [-1]);
        const sorted = tf.topk(flat, flat.size).values.dataSync();
        const fifth = Math.floor(flat.size / 5);
        const mask = (m: tf.Tensor) => tf.reshape(tf.cast(m, 'float32'), [1, 96, 96, 1]);
        const score = (m: tf.Tensor) => tf.slice(net.predict(tf.add(tf.mul(x, tf.sub(1, m)), tf.mul(grey, m)) as tf.Tensor4D), [0, top], [1, 1]).dataSync()[0];
        return [score(mask(tf.greaterEqual(map, sorted[fifth - 1]))), score(mask(tf.lessEqual(map, sorted[flat.size - fifth])))];
      });
      console.log(`[occlusion] ${file.split('/').pop()}: class ${top}, hottest fifth hidden ${hot.toFixed(2)}, coldest ${cold.toFixed(2)}; correlation with Grad-CAM ${r.toFixed(2)}`);
      expect(hot).toBeLessThan(cold);
      expect(r).toBeGreaterThan(0.1);
      tf.dispose([photo, x, drops, map, cam]);
    }
    grey.dispose();
    net.dispose();
    model.dispose();
  }, 120_000);
});
