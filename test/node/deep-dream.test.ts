import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModelFile, readImage } from '../../src/backends/node';
import { toNet } from '../../src/net/index';
import type { Net } from '../../src/net/types';
import { add, channel, layerNorm, type Objective } from '../../src/objectives/index';
import { blurEvery } from '../../src/regularizers/index';
import { deepDream, optimizeUnit } from '../../src/optimize/index';
import { DeepvisError } from '../../src/errors';
import { allKindsModel, sequentialModel } from '../helpers/models';
import { DARKNET, HAS_DARKNET, SHARED } from '../helpers/shared';

/** The objective's value on one `[h, w, 3]` image. */
function valueAt(net: Net, o: Objective, image: tf.Tensor3D): number {
  return tf.tidy(() => {
    const b = o.bind(net);
    const outs = net.forward(tf.expandDims(image, 0) as tf.Tensor4D, { taps: b.taps });
    return b.value(outs).dataSync()[0];
  });
}

/** A smooth synthetic "photo": gradients and a bright square, 0–255. */
function photo(h: number, w: number): tf.Tensor3D {
  return tf.tidy(() => {
    const y = tf.reshape(tf.linspace(0, 1, h), [h, 1, 1]);
    const x = tf.reshape(tf.linspace(0, 1, w), [1, w, 1]);
    const r = tf.mul(tf.add(tf.mul(y, 0), x), 200);
    const g = tf.mul(tf.add(y, tf.mul(x, 0)), 180);
    const b = tf.fill([h, w, 1], 90);
    const base = tf.concat([r, g, b], 2);
    const square = tf.pad(tf.fill([Math.floor(h / 3), Math.floor(w / 3), 3], 50), [[Math.floor(h / 3), h - 2 * Math.floor(h / 3)], [Math.floor(w / 3), w - 2 * Math.floor(w / 3)], [0, 0]]);
    return tf.clipByValue(tf.add(base, square), 0, 255) as tf.Tensor3D;
  });
}

describe(`deepDream on a small fully convolutional net (${process.env.DEEPVIS_BACKEND})`, () => {
  const model = sequentialModel();
  const net = toNet(model);
  const px = photo(24, 20);
  afterAll(() => { net.dispose(); px.dispose(); });

  it('raises the layer energy over the photo; [h, w, 3] 0–255; the tensor count is flat', async () => {
    const before = tf.memory().numTensors;
    const octaves: number[] = [];
    const sizes: string[] = [];
    const dream = await deepDream(net, px, {
      layer: 's_conv2', octaves: 3, octaveScale: 1.4, steps: 6,
      onStep: (s, o) => { if (s.step === 0) { octaves.push(o.index); sizes.push(o.size.join('×')); } },
    });
    expect(dream.shape).toEqual([24, 20, 3]);
    expect(octaves).toEqual([0, 1, 2]);
    expect(sizes).toEqual(['12×10', '17×14', '24×20']);
    const [lo, hi] = tf.tidy(() => [tf.min(dream).dataSync()[0], tf.max(dream).dataSync()[0]]);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(255);
    const o = layerNorm('s_conv2');
    expect(valueAt(net, o, dream)).toBeGreaterThan(1.5 * valueAt(net, o, px));
    // The dream changed the photo but kept it: the mean change is a fraction of the range.
    const moved = tf.tidy(() => tf.mean(tf.abs(tf.sub(dream, px))).dataSync()[0]);
    expect(moved).toBeGreaterThan(1);
    expect(moved).toBeLessThan(100);
    dream.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('channels: the sum of the chosen channels\' spatial means goes up; [1, h, w, 3] input accepted', async () => {
    const before = tf.memory().numTensors;
    const four = tf.expandDims(px, 0);
    const dream = await deepDream(net, four, { layer: 's_conv1', channels: [0, 2], octaves: 2, steps: 5 });
    const o = add(channel('s_conv1', 0, { at: 'mean' }), channel('s_conv1', 2, { at: 'mean' }));
    expect(valueAt(net, o, dream)).toBeGreaterThan(valueAt(net, o, px));
    tf.dispose([dream, four]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('octaves: 1 is exactly one run of the loop started at the photo, with the same options', async () => {
    const options = { steps: 5, lr: 20, regularizers: [blurEvery(2, 0.5)], seed: 3 };
    const dream = await deepDream(net, px, { layer: 's_conv2', octaves: 1, ...options });
    const r = await optimizeUnit(net, layerNorm('s_conv2'), { ...options, start: px });
    expect(Array.from(dream.dataSync())).toEqual(Array.from(r.image.dataSync()));
    tf.dispose([dream, r.image, r.last]);
  });

  it('an AbortSignal rejects with AbortError mid-octave and leaves no tensor', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const run = deepDream(net, px, {
      layer: 's_conv2', octaves: 3, steps: 10, signal: controller.signal,
      onStep: (s, o) => { if (o.index === 1 && s.step === 3) controller.abort(); },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError', code: 'ABORTED' });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('bad options give DeepvisError with clear messages and leave no tensor', async () => {
    const before = tf.memory().numTensors;
    const bad = async (p: Promise<unknown>, code: string, message: RegExp) => {
      const e = await p.then(() => null, (err: unknown) => err);
      expect(e).toBeInstanceOf(DeepvisError);
      expect(e).toMatchObject({ code });
      expect((e as Error).message).toMatch(message);
    };
    await bad(deepDream(net, px, { layer: 's_conv2', octaves: 0 }), 'BAD_OPTION', /Option 'octaves' must be an integer ≥ 1; got 0/);
    await bad(deepDream(net, px, { layer: 's_conv2', octaves: 2.5 }), 'BAD_OPTION', /'octaves'/);
    await bad(deepDream(net, px, { layer: 's_conv2', octaveScale: 1 }), 'BAD_OPTION', /Option 'octaveScale' must be a number > 1/);
    await bad(deepDream(net, px, { layer: 's_conv2', octaveScale: 0.7 }), 'BAD_OPTION', /'octaveScale'/);
    await bad(deepDream(net, px, { layer: 's_conv3' }), 'UNKNOWN_LAYER', /Unknown layer 's_conv3'.*'s_conv1'/);
    await bad(deepDream(net, px, {}), 'BAD_OPTION', /needs option 'layer'/);
    await bad(deepDream(net, px, { layer: 's_conv1', channels: [9] }), 'OUT_OF_RANGE', /Channel 9 is out of range/);
    const flat = tf.zeros([4, 4]);
    await bad(deepDream(net, flat, { layer: 's_conv1' }), 'BAD_SHAPE', /one photo \[h, w, 3\]/);
    flat.dispose();
    const fixed = allKindsModel();
    const img = tf.fill([12, 12, 3], 100);
    await bad(deepDream(fixed, img, { layer: 'conv_a', octaves: 2 }), 'UNSUPPORTED', /fully convolutional/);
    tf.dispose(img);
    fixed.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

const onCpu = process.env.DEEPVIS_BACKEND === 'cpu';
describe.skipIf(!HAS_DARKNET || onCpu)('deepDream on Darknet-Tiny (wasm)', () => {
  it('a short dream on a real photo raises the energy of leaky_re_lu_7', { timeout: 60_000 }, async () => {
    const net = toNet(await loadLayersModelFile(DARKNET));
    const full = await readImage(`${SHARED}/images/darknet-samples-7/dog.jpg`);
    const px = tf.tidy(() => tf.image.resizeBilinear(full, [64, 80], false, true)) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    const dream = await deepDream(net, px, { layer: 'leaky_re_lu_7', octaves: 2, steps: 4 });
    const o = layerNorm('leaky_re_lu_7');
    expect(dream.shape).toEqual([64, 80, 3]);
    expect(valueAt(net, o, dream)).toBeGreaterThan(valueAt(net, o, px));
    dream.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([full, px]);
    net.dispose();
  });
});
