import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { toNet, DeepvisError, type Net } from '../../src/index';
import { activations, filterImages, tileLayout, topPredictions, TILE_PADDING_COLOR } from '../../src/activations/index';
import { loadLayersModelFile } from '../../src/net/load-file';
import { readImage } from '../../src/image/node-io';
import { relativeError } from '../helpers/close';
import { DARKNET, HAS_DARKNET, SHARED } from '../helpers/shared';

const backend = process.env.DEEPVIS_BACKEND;
const L = tfl.layers;

/** Deterministic weights from a formula (no RNG shared with the code under test). */
function setWeights(layer: tfl.layers.Layer, salt: number): void {
  const values = layer.getWeights().map((w, i) => tf.tidy(() => {
    const n = w.size;
    const v = Array.from({ length: n }, (_, k) => Math.sin(1.7 * k + 0.3 * salt + i) * (0.5 + ((k * 7 + salt) % 5) / 10));
    return tf.tensor(v, w.shape);
  }));
  layer.setWeights(values);
  tf.dispose(values);
}

/** The expected tile of kernel `co`: min-max of kernel[:, :, ci, co] over the kernel, 0–255, colour k from input channel `order[k]`. */
function expectedKernel(kernel: tf.Tensor, co: number, order = [0, 1, 2]): number[] {
  const [kh, kw, ci, cout] = kernel.shape;
  const k = kernel.dataSync();
  const at = (y: number, x: number, c: number) => k[((y * kw + x) * ci + c) * cout + co];
  const vals: number[] = [];
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (const c of order) vals.push(at(y, x, c));
  const lo = Math.min(...vals);
  const hi = Math.max(...vals);
  return vals.map((v) => ((v - lo) / (hi - lo)) * 255);
}

/** The RGB values of the tile at `origin` of size th × tw in an [h, w, 3] grid. */
function crop(grid: tf.Tensor3D, [y0, x0]: [number, number], th: number, tw: number): number[] {
  const v = grid.dataSync();
  const w = grid.shape[1];
  const out: number[] = [];
  for (let y = y0; y < y0 + th; y++) for (let x = x0; x < x0 + tw; x++) for (let k = 0; k < 3; k++) out.push(v[(y * w + x) * 3 + k]);
  return out;
}

describe(`activations (${backend})`, () => {
  const model = tfl.sequential({
    layers: [
      L.conv2d({ inputShape: [6, 6, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1' }),
      L.globalAveragePooling2d({ name: 'gap' }),
      L.dense({ units: 5, name: 'logits' }),
    ],
  });
  model.layers.forEach((l, i) => setWeights(l, i + 1));
  const net = toNet(model);
  const pixels = tf.randomUniform([2, 6, 6, 3], 0, 255, 'float32', 4) as tf.Tensor4D;
  afterAll(() => {
    tf.dispose(pixels);
    net.dispose();
    model.dispose();
  });

  it('returns the named layers of one pass, equal to the net forward taps', () => {
    const acts = activations(net, pixels, { layers: ['c1', 'logits', 'c1/pre'] });
    expect(Object.keys(acts).sort()).toEqual(['c1', 'c1/pre', 'logits']);
    const ref = net.forward(pixels, { taps: ['c1', 'logits', 'c1/pre'] });
    for (const k of Object.keys(ref)) expect(Array.from(acts[k].dataSync())).toEqual(Array.from(ref[k].dataSync()));
    expect(acts.c1.shape).toEqual([2, 6, 6, 4]);
    // relu of the pre-activation tap
    expect(relativeError(acts.c1.dataSync(), tf.tidy(() => tf.relu(acts['c1/pre'])).dataSync())).toBe(0);
    tf.dispose([acts, ref]);
  });

  it('rejects an empty list and unknown names (listing the closest), leaving no tensors', () => {
    const before = tf.memory().numTensors;
    expect(() => activations(net, pixels, { layers: [] })).toThrowError(/Option 'layers' must be a non-empty array of layer names/);
    expect(() => activations(net, pixels, {} as { layers: string[] })).toThrowError(DeepvisError);
    expect(() => activations(net, pixels, { layers: ['c2'] })).toThrowError(/Unknown layer 'c2'. Closest names: 'c1'/);
    for (let i = 0; i < 10; i++) tf.dispose(activations(net, pixels, { layers: ['c1', 'gap'] }));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe(`topPredictions (${backend})`, () => {
  // Logits depend only on the mean colour: GAP → dense with a known kernel and bias.
  const build = (activation: 'linear' | 'softmax') => {
    const m = tfl.sequential({ layers: [L.globalAveragePooling2d({ inputShape: [2, 2, 3] }), L.dense({ units: 4, activation, name: 'out' })] });
    const k = tf.tensor2d([[1, 0, 0, -1], [0, 1, 0, 0], [0, 0, 1, 0]]);
    const b = tf.tensor1d([0, 0.5, 0.25, 2]);
    m.getLayer('out').setWeights([k, b]);
    tf.dispose([k, b]);
    return m;
  };
  const softmax = (z: number[]) => {
    const e = z.map((v) => Math.exp(v - Math.max(...z)));
    const s = e.reduce((a, x) => a + x, 0);
    return e.map((v) => v / s);
  };

  it('top-k softmax classes of the first image, highest first, with labels', () => {
    const model = build('linear');
    const net = toNet(model, { inputRange: [0, 1] });
    // Image 0 has mean colour (1, 0.4, 0) → logits [1, 0.9, 0.25, 1]; image 1 would rank differently.
    const px = tf.tidy(() => tf.concat([
      tf.mul(tf.ones([1, 2, 2, 3]), tf.tensor1d([255, 102, 0])),
      tf.mul(tf.ones([1, 2, 2, 3]), tf.tensor1d([0, 255, 0])),
    ]) as tf.Tensor4D);
    const p = softmax([1, 0.9, 0.25, 1]);
    const top = topPredictions(net, px, 3, ['a', 'b', 'c', 'd']);
    expect(top.map((t) => t.label)).toEqual(['a', 'd', 'b']);
    expect(top.map((t) => t.index)).toEqual([0, 3, 1]);
    expect(relativeError(top.map((t) => t.probability), [p[0], p[3], p[1]])).toBeLessThan(1e-5);
    expect(topPredictions(net, px, 1)[0]).toMatchObject({ index: 0, label: '0' });
    // A softmax output: the net's logits tap is before the softmax, so the same numbers come out.
    const withSoftmax = build('softmax');
    const net2 = toNet(withSoftmax, { inputRange: [0, 1] });
    expect(relativeError(topPredictions(net2, px, 4).map((t) => t.probability), [p[0], p[3], p[1], p[2]])).toBeLessThan(1e-5);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) topPredictions(net, px);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => topPredictions(net, px, 5)).toThrowError(/Option 'k' must be at most the number of classes \(4\); got 5/);
    expect(() => topPredictions(net, px, 2, ['a'])).toThrowError(/Option 'labels' must be an array of 4 class names/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(px);
    net.dispose();
    net2.dispose();
    model.dispose();
    withSoftmax.dispose();
  });
});

describe(`filterImages: first-layer kernels in pixel space (${backend})`, () => {
  const convModel = (conv: Parameters<typeof L.conv2d>[0], size = 12) => {
    const m = tfl.sequential({ layers: [L.conv2d({ inputShape: [size, size, 3], name: 'first', ...conv }), L.conv2d({ filters: 2, kernelSize: 1, name: 'second' })] });
    m.layers.forEach((l, i) => setWeights(l, 3 * i + 2));
    return m;
  };
  const check = (model: tfl.LayersModel, net: Net, kh: number, kw: number, order = [0, 1, 2], scale = 1) => {
    const kernel = model.getLayer('first').getWeights()[0];
    const channels = kernel.shape[3] as number;
    const grid = filterImages(net, undefined, { scale });
    const layout = tileLayout(channels, kh * scale, kw * scale);
    expect(grid.shape).toEqual([layout.height, layout.width, 3]);
    for (let c = 0; c < channels; c++) {
      let expected = expectedKernel(kernel, c, order);
      if (scale > 1) {
        const big: number[] = [];
        for (let y = 0; y < kh * scale; y++) for (let x = 0; x < kw * scale; x++) big.push(...expected.slice((Math.floor(y / scale) * kw + Math.floor(x / scale)) * 3, (Math.floor(y / scale) * kw + Math.floor(x / scale)) * 3 + 3));
        expected = big;
      }
      const got = crop(grid, layout.origin(c), kh * scale, kw * scale);
      expect(Math.max(...got.map((v, i) => Math.abs(v - expected[i]))), `kernel ${c}`).toBeLessThan(1e-2);
    }
    // the pixel above the first tile is padding
    expect(crop(grid, [0, 1], 1, 1)).toEqual([...TILE_PADDING_COLOR]);
    grid.dispose();
  };

  it('3×3 same: each kernel min-max scaled on its own, tiled near-square', () => {
    const model = convModel({ filters: 5, kernelSize: 3, padding: 'same', activation: 'relu' });
    const net = toNet(model, { inputRange: [-1, 1] });
    check(model, net, 3, 3);
    check(model, net, 3, 3, [0, 1, 2], 3);
    net.dispose();
    model.dispose();
  });

  it('5×5 stride 2, and 3×3 dilated 2 valid: the window is found from the geometry', () => {
    const strided = convModel({ filters: 3, kernelSize: 5, strides: 2, padding: 'same' }, 13);
    const n1 = toNet(strided);
    check(strided, n1, 5, 5);
    const dilated = convModel({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'valid' });
    const n2 = toNet(dilated);
    check(dilated, n2, 3, 3);
    n1.dispose();
    n2.dispose();
    strided.dispose();
    dilated.dispose();
  });

  it('a caffe-style BGR input still gives RGB colours', () => {
    const model = convModel({ filters: 4, kernelSize: 3, padding: 'same' });
    const net = toNet(model, { inputRange: { mean: [100, 110, 120], std: [1, 1, 1], bgr: true } });
    check(model, net, 3, 3, [2, 1, 0]);
    net.dispose();
    model.dispose();
  });

  it('names the problem for a layer that does not read the image, or a net without Conv2D', () => {
    const model = convModel({ filters: 4, kernelSize: 3, padding: 'same' });
    const net = toNet(model);
    expect(() => filterImages(net, 'second')).toThrowError(/reads the image directly; 'second' is a Conv2D fed by 'first'/);
    expect(() => filterImages(net, 'secnd')).toThrowError(/Unknown layer 'secnd'/);
    expect(() => filterImages(net, undefined, { scale: 0 })).toThrowError(/Option 'scale'/);
    const dense = tfl.sequential({ layers: [L.flatten({ inputShape: [2, 2, 3] }), L.dense({ units: 2 })] });
    const denseNet = toNet(dense);
    expect(() => filterImages(denseNet)).toThrowError(/found no Conv2D layer/);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) filterImages(net).dispose();
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
    model.dispose();
    denseNet.dispose();
    dense.dispose();
  });
});

describe.skipIf(!HAS_DARKNET)(`on Darknet-Tiny (${backend})`, () => {
  let model: tfl.LayersModel;
  let net: Net;
  const labels = SHARED ? (JSON.parse(readFileSync(join(SHARED, 'models/darknet-tiny-imagenet-tfjs/labels.json'), 'utf8')) as string[]) : [];
  beforeAll(async () => {
    model = await loadLayersModelFile(DARKNET);
    net = toNet(model);
  });
  afterAll(() => {
    net?.dispose();
    model?.dispose();
  });

  it('topPredictions agrees with PyTorch on the same weights (48×48 fixture input)', () => {
    const meta = JSON.parse(readFileSync(join(__dirname, '../fixtures/backward-darknet.json'), 'utf8')) as {
      pixels: number[]; pixelsShape: [number, number, number, number]; top5: { index: number; probability: number }[];
    };
    const px = tf.tensor4d(meta.pixels, meta.pixelsShape);
    const top = topPredictions(net, px, 5, labels);
    expect(top.map((t) => t.index)).toEqual(meta.top5.map((t) => t.index));
    expect(relativeError(top.map((t) => t.probability), meta.top5.map((t) => t.probability))).toBeLessThan(1e-4);
    expect(top[0].label).toBe(labels[meta.top5[0].index]);
    px.dispose();
  });

  // 224² costs ~3 s a forward on cpu: the photo runs on wasm only.
  it.skipIf(backend === 'cpu')('a parrot photo at 224² is a macaw', async () => {
    const image = await readImage(join(SHARED, 'images/openimages-coral-5/parrot.jpg'));
    const px = tf.tidy(() => tf.expandDims(tf.image.resizeBilinear(image, [224, 224]), 0)) as tf.Tensor4D;
    const top = topPredictions(net, px, 5, labels);
    expect(top[0].label).toBe('macaw');
    expect(top[0].probability).toBeGreaterThan(0.9);
    expect(top.map((t) => t.probability)).toEqual([...top.map((t) => t.probability)].sort((a, b) => b - a));
    tf.dispose([image, px]);
  });

  it('filterImages shows conv2d_1: 16 kernels 3×3 in a 4×4 grid, equal to the model weights', () => {
    const kernel = model.getLayer('conv2d_1').getWeights()[0];
    const grid = filterImages(net);
    const layout = tileLayout(16, 3, 3);
    expect(grid.shape).toEqual([17, 17, 3]);
    for (let c = 0; c < 16; c++) {
      const expected = expectedKernel(kernel, c);
      const got = crop(grid, layout.origin(c), 3, 3);
      expect(Math.max(...got.map((v, i) => Math.abs(v - expected[i]))), `kernel ${c}`).toBeLessThan(1e-2);
    }
    grid.dispose();
  });
});
