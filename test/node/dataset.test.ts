import { describe, expect, it, afterAll, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { toNet, DeepvisError, type Net } from '../../src/index';
import { topActivations, mergeTopActivations, type DatasetImage, type TopActivations, type TopEntry } from '../../src/dataset/index';
import { randomizeWeights, sequentialModel } from '../helpers/models';
import { DARKNET, HAS_DARKNET, sharedImages } from '../helpers/shared';
import { loadLayersModelFile, readImage } from '../../src/backends/node';

const backend = process.env.DEEPVIS_BACKEND;

/**
 * The reference: every image alone through the net, every channel's maximum and its first
 * position in row-major order found by a plain scan, all images sorted per unit by value
 * (then id), the best k kept.
 */
function bruteForce(net: Net, images: DatasetImage[], layers: string[], k: number): TopActivations['layers'] {
  const all: Record<string, TopEntry[][]> = {};
  for (const { id, pixels } of images) {
    const out = tf.tidy(() => net.forward(tf.expandDims(pixels) as tf.Tensor4D, { taps: layers }));
    for (const layer of layers) {
      const t = out[layer];
      const [, h, w, c] = t.rank === 4 ? t.shape : [1, 1, 1, t.shape[1]!];
      const v = t.dataSync();
      const units = (all[layer] ??= Array.from({ length: c }, () => []));
      for (let ch = 0; ch < c; ch++) {
        let best = -Infinity;
        let at = 0;
        for (let p = 0; p < h * w; p++) if (v[p * c + ch] > best) [best, at] = [v[p * c + ch], p];
        units[ch].push({ id, value: best, y: Math.floor(at / w), x: at % w });
      }
    }
    tf.dispose(Object.values(out));
  }
  const order = (a: TopEntry, b: TopEntry) => b.value - a.value || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return Object.fromEntries(layers.map((l) => [l, { units: all[l].map((u) => u.sort(order).slice(0, k)) }]));
}

/** Same ids, order and positions; values within 1e-5 (relative above 1). */
function expectSameTop(actual: TopActivations['layers'], expected: TopActivations['layers']): number {
  let compared = 0;
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [layer, { units }] of Object.entries(expected)) {
    expect(actual[layer].units.length, `${layer} units`).toBe(units.length);
    units.forEach((list, c) => {
      const got = actual[layer].units[c];
      expect(got.map((e) => e.id), `${layer} unit ${c} ids`).toEqual(list.map((e) => e.id));
      expect(got.map((e) => [e.y, e.x]), `${layer} unit ${c} positions`).toEqual(list.map((e) => [e.y, e.x]));
      got.forEach((e, i) => expect(Math.abs(e.value - list[i].value), `${layer} unit ${c} #${i}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(list[i].value))));
      compared += got.length;
    });
  }
  return compared;
}

/** A small fully convolutional ReLU model: many units peak at exactly 0, so ties are common. */
function reluModel(): tfl.LayersModel {
  const L = tfl.layers;
  const model = tfl.sequential({
    layers: [
      L.conv2d({ inputShape: [null, null, 3], filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', name: 'r_conv1' }),
      L.maxPooling2d({ poolSize: 2, name: 'r_pool' }),
      L.conv2d({ filters: 5, kernelSize: 3, activation: 'relu', name: 'r_conv2' }),
      L.globalAveragePooling2d({ name: 'r_gap' }),
      L.dense({ units: 4, name: 'r_dense' }),
    ],
  });
  randomizeWeights(model, 4);
  return model;
}

/** Deterministic test images: integer pixels (ties between images happen), sizes cycling if asked. */
function makeImages(n: number, sizes: [number, number][] = [[12, 12]], seed = 1): DatasetImage[] {
  return Array.from({ length: n }, (_, i) => {
    const [h, w] = sizes[i % sizes.length];
    return { id: `img-${String(i).padStart(4, '0')}`, pixels: tf.tidy(() => tf.floor(tf.randomUniform([h, w, 3], 0, 256, 'float32', seed + i))) as tf.Tensor3D };
  });
}

describe(`topActivations on a small model (${backend})`, () => {
  const net = toNet(reluModel());
  const layers = ['r_conv1', 'r_conv2', 'r_dense'];
  let images: DatasetImage[];
  beforeAll(() => {
    images = makeImages(40, [[12, 12], [12, 12], [12, 12], [10, 14]]);
  });
  afterAll(() => {
    tf.dispose(images.map((i) => i.pixels));
    net.dispose();
  });

  it('equals the brute force (mixed sizes, sync and async iterables, ties ranked by id) and leaves the inputs alone', async () => {
    const before = tf.memory().numTensors;
    const expected = bruteForce(net, images, layers, 4);
    const sync = await topActivations(net, images, { layers, k: 4, batchSize: 3 });
    expect(sync.k).toBe(4);
    expect(sync.size).toBeNull();
    expect(sync.images).toBe(40);
    expect(expectSameTop(sync.layers, expected)).toBe(4 * (6 + 5 + 4));
    // Ties are really exercised: some unit holds several images at one value.
    const tied = sync.layers.r_conv2.units.some((u) => new Set(u.map((e) => e.value)).size < u.length);
    expect(tied).toBe(true);
    async function* stream() {
      for (const image of images) yield image;
    }
    const async = await topActivations(net, stream(), { layers, k: 4, batchSize: 7 });
    expect(async.layers).toEqual(sync.layers);
    expect(JSON.parse(JSON.stringify(sync))).toEqual(sync); // plain JSON
    expect(images.every((i) => !i.pixels.isDisposed)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('resizes to options.size first', async () => {
    const resized = images.map(({ id, pixels }) => ({ id, pixels: tf.image.resizeBilinear(pixels, [16, 16]) }));
    const expected = bruteForce(net, resized, layers, 3);
    const result = await topActivations(net, images, { layers, k: 3, size: [16, 16], batchSize: 5 });
    expect(result.size).toEqual([16, 16]);
    expectSameTop(result.layers, expected);
    tf.dispose(resized.map((r) => r.pixels));
  });

  it('merging runs over two shards equals one run over both', async () => {
    const one = await topActivations(net, images, { layers, k: 5, batchSize: 4 });
    const a = await topActivations(net, images.slice(0, 17), { layers, k: 5 });
    const b = await topActivations(net, images.slice(17), { layers: ['r_conv2', 'r_conv1', 'r_dense'], k: 5 });
    const merged = mergeTopActivations(a, b);
    expect(merged).toEqual(one);
    expect(mergeTopActivations(b, a)).toEqual(one);
    // A layer only one side has is kept; an id in both shards keeps its better entry once.
    const onlyA = await topActivations(net, images.slice(0, 10), { layers: ['r_conv1'], k: 5 });
    const overlap = await topActivations(net, images.slice(5, 30), { layers: ['r_conv1', 'r_dense'], k: 5 });
    const both = mergeTopActivations(onlyA, overlap);
    expect(both.layers.r_dense).toEqual(overlap.layers.r_dense);
    const reference = await topActivations(net, images.slice(0, 30), { layers: ['r_conv1'], k: 5 });
    expect(both.layers.r_conv1).toEqual(reference.layers.r_conv1);
    expect(() => mergeTopActivations(a, { ...b, k: 4 })).toThrow(/same k/);
    expect(() => mergeTopActivations(a, { ...b, size: [3, 3] })).toThrow(/same size/);
  });

  it('rejects unknown layers and bad options, naming what to fix', async () => {
    await expect(topActivations(net, images, { layers: ['r_conv3'] })).rejects.toThrow(/r_conv1|r_conv2/);
    await expect(topActivations(net, images, { layers: ['r_conv1'], k: 0 })).rejects.toThrow(/'k'/);
    await expect(topActivations(net, images, { layers: [] })).rejects.toThrow(/'layers'/);
    await expect(topActivations(net, [{ id: 'x', pixels: tf.zeros([4, 4]) as unknown as tf.Tensor3D }], { layers: ['r_conv1'], dispose: true }))
      .rejects.toThrow(/Dataset image 0/);
  });
});

describe(`topActivations streaming (${backend})`, () => {
  const net = toNet(sequentialModel());
  afterAll(() => net.dispose());
  const layers = ['s_conv1', 's_conv2'];

  function* generated(n: number) {
    for (let i = 0; i < n; i++) {
      yield { id: `g${i}`, pixels: tf.randomUniform([10, 10, 3], 0, 255, 'float32', i) as tf.Tensor3D };
    }
  }

  it('memory stays flat over 1,000 generated images (dispose: true)', async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const bytes: number[] = [];
    const result = await topActivations(net, generated(1000), {
      layers, k: 9, batchSize: 10, dispose: true,
      onProgress: ({ images }) => {
        if (images % 100 === 0) {
          counts.push(tf.memory().numTensors);
          bytes.push(tf.memory().numBytes);
        }
      },
    });
    expect(result.images).toBe(1000);
    expect(counts.length).toBe(10);
    expect(new Set(counts).size).toBe(1);
    expect(new Set(bytes).size).toBe(1);
    expect(counts[0]).toBe(before);
    expect(tf.memory().numTensors).toBe(before);
    // What is kept is k per unit, whatever the number of images.
    expect(result.layers.s_conv1.units.map((u) => u.length)).toEqual(new Array(4).fill(9));
    expect(result.layers.s_conv2.units.map((u) => u.length)).toEqual(new Array(6).fill(9));
  });

  it('an AbortSignal rejects with an AbortError and leaves no tensors', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    let batches = 0;
    const run = topActivations(net, generated(1000), {
      layers, batchSize: 8, dispose: true, signal: controller.signal,
      onProgress: (p) => {
        batches = p.batches;
        if (p.batches === 3) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError', code: 'ABORTED' });
    await expect(run).rejects.toBeInstanceOf(DeepvisError);
    expect(batches).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
    // Aborted before it starts: nothing is read from the iterable.
    let pulled = 0;
    function* counting() {
      for (const image of generated(5)) {
        pulled++;
        yield image;
      }
    }
    await expect(topActivations(net, counting(), { layers, signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(pulled).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});

// The real model on the 87 shared photos; ~30× slower on cpu, so wasm only.
describe.skipIf(!HAS_DARKNET || backend === 'cpu')(`topActivations on Darknet-Tiny and the 87 photos (${backend})`, () => {
  let net: Net;
  let photos: DatasetImage[] = [];
  beforeAll(async () => {
    net = toNet(await loadLayersModelFile(DARKNET), { inputRange: [0, 1] });
    for (const file of sharedImages()) {
      const original = await readImage(file);
      photos.push({ id: file.split('/images/')[1], pixels: tf.tidy(() => tf.image.resizeBilinear(original, [128, 128])) });
      original.dispose();
    }
  });
  afterAll(() => {
    tf.dispose(photos.map((p) => p.pixels));
    photos = [];
    net?.dispose();
  });

  it('equals a brute-force scan for every unit of two layers (ids, order, values within 1e-5, positions)', async () => {
    expect(photos.length).toBe(87);
    const layers = ['leaky_re_lu_4', 'conv2d_16'];
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    const result = await topActivations(net, photos, { layers, k: 9, batchSize: 8, onProgress: (p) => progress.push(p.images) });
    expect(progress).toEqual([8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 87]);
    const expected = bruteForce(net, photos, layers, 9);
    expect(expectSameTop(result.layers, expected)).toBe(9 * (128 + 1000));
    expect(tf.memory().numTensors).toBe(before);
  });
});
