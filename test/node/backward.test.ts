import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { toNet, type BackwardRule } from '../../src/index';
import { backward, backwardImage } from '../../src/attribution/index';
import { relativeError } from '../helpers/close';
import { errorOf } from '../helpers/errors';

const backend = process.env.DEEPVIS_BACKEND;

interface Case { layer: string; channel: number; seed: 'unit' | 'activation'; at: 'max' | [number, number]; mode: BackwardRule; grad: number[] }
interface Fixture {
  pixels: number[];
  pixelsShape: [number, number, number, number];
  weights: Record<string, { shape: number[]; values: number[] }[]>;
  cases: Case[];
}
// PyTorch float64 references: scripts/fixtures/backward_small.py.
const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/backward-small.json'), 'utf8')) as Fixture;

/** The net of backward_small.py: conv·relu → maxpool → conv → LeakyReLU → conv·relu6 → dense·relu → dense. */
function smallModel(): tfl.LayersModel {
  const L = tfl.layers;
  const model = tfl.sequential({
    layers: [
      L.conv2d({ inputShape: [10, 10, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv_a' }),
      L.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool' }),
      L.conv2d({ filters: 6, kernelSize: 3, padding: 'same', name: 'conv_b' }),
      L.leakyReLU({ alpha: 0.2, name: 'leaky' }),
      L.conv2d({ filters: 5, kernelSize: 1, activation: 'relu6', name: 'conv_c' }),
      L.flatten({ name: 'flatten' }),
      L.dense({ units: 8, activation: 'relu', name: 'dense_a' }),
      L.dense({ units: 3, name: 'logits' }),
    ],
  });
  for (const [name, ws] of Object.entries(fixture.weights)) {
    const values = ws.map((w) => tf.tensor(w.values, w.shape));
    model.getLayer(name).setWeights(values);
    tf.dispose(values);
  }
  return model;
}

describe(`backward agrees with PyTorch on a small net with ReLU, LeakyReLU, ReLU6 and max-pooling (${backend})`, () => {
  const model = smallModel();
  const net = toNet(model, { inputRange: [0, 1] });
  const pixels = tf.tensor4d(fixture.pixels, fixture.pixelsShape);
  afterAll(() => {
    net.dispose();
    model.dispose();
    pixels.dispose();
  });

  for (const c of fixture.cases) {
    const title = `${c.layer}[${c.channel}] seed ${c.seed}${c.seed === 'unit' ? ` at ${JSON.stringify(c.at)}` : ''}, ${c.mode}`;
    it(title, () => {
      const g = backward(net, pixels, { layer: c.layer, channel: c.channel, at: c.seed === 'activation' ? 'energy' : c.at, mode: c.mode });
      expect(g.shape).toEqual(fixture.pixelsShape);
      const ours = g.dataSync();
      g.dispose();
      const scale = Math.max(...c.grad.map(Math.abs));
      if (scale === 0) {
        // The rule blocks the unit entirely (relu6 clipped, relu off): exactly zero here too.
        expect(Math.max(...Array.from(ours, Math.abs))).toBe(0);
      } else {
        expect(relativeError(ours, c.grad)).toBeLessThan(1e-4);
      }
    });
  }

  it('the three modes differ where the rules say (a check that the fixture can fail)', () => {
    const pick = (layer: string, mode: BackwardRule) => fixture.cases.find((c) => c.layer === layer && c.mode === mode)!.grad;
    expect(relativeError(pick('logits', 'deconv'), pick('logits', 'gradient'))).toBeGreaterThan(0.1);
    expect(relativeError(pick('logits', 'guided'), pick('logits', 'gradient'))).toBeGreaterThan(0.1);
  });

  it('a batch gives each image its own signal, seeded at its own max', () => {
    const one = tf.slice(pixels, [1, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D;
    const both = backward(net, pixels, { layer: 'leaky', channel: 3, mode: 'guided' });
    const alone = backward(net, one, { layer: 'leaky', channel: 3, mode: 'guided' });
    const second = tf.slice(both, [1, 0, 0, 0], [1, -1, -1, -1]);
    expect(relativeError(second.dataSync(), alone.dataSync())).toBeLessThan(1e-6);
    tf.dispose([one, both, alone, second]);
  });

  it('int32 pixels give the same signal as float32', () => {
    const ints = tf.cast(pixels, 'int32') as tf.Tensor4D;
    const a = backward(net, ints, { layer: 'logits', channel: 1, mode: 'deconv' });
    const b = backward(net, pixels, { layer: 'logits', channel: 1, mode: 'deconv' });
    expect(relativeError(a.dataSync(), b.dataSync())).toBe(0);
    tf.dispose([ints, a, b]);
  });

  it('the tensor count stays flat over many calls, every mode and seed', () => {
    backward(net, pixels, { layer: 'conv_c', channel: 2 }).dispose(); // warm-up
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      const mode = (['gradient', 'deconv', 'guided'] as const)[i % 3];
      tf.dispose([
        backward(net, pixels, { layer: 'conv_c', channel: i % 5, mode }),
        backward(net, pixels, { layer: 'leaky', channel: i % 6, at: 'energy', mode }),
        backward(net, pixels, { layer: 'dense_a', channel: i % 8, mode, at: 'max' }),
      ]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('errors name the problem, leave no tensors and no rule behind', () => {
    const before = tf.memory().numTensors;
    expect(errorOf(() => backward(net, pixels, { layer: 'conv_cc', channel: 0 }))).toMatch(/^UNKNOWN_LAYER: Unknown layer 'conv_cc'. Closest names: 'conv_c'/);
    expect(errorOf(() => backward(net, pixels, { layer: 'conv_c', channel: 5 }))).toMatch(/^OUT_OF_RANGE: .*'conv_c' has 5 channels \(0…4\)/);
    expect(errorOf(() => backward(net, pixels, { layer: 'conv_c', channel: -1 }))).toMatch(/^OUT_OF_RANGE/);
    expect(errorOf(() => backward(net, pixels, { layer: 'conv_c', channel: 0, mode: 'guidedbp' as BackwardRule }))).toMatch(/^BAD_OPTION: Option 'mode' must be 'gradient', 'deconv' or 'guided'; got 'guidedbp'/);
    expect(errorOf(() => backward(net, pixels, { layer: 'conv_c', channel: 0, at: 'map' as 'max' }))).toMatch(/^BAD_OPTION: Option 'at' must be 'max', 'mean', 'energy' or \[y, x\]/);
    expect(errorOf(() => backward(net, pixels, { layer: 'conv_c', channel: 0, at: [0, 5] }))).toMatch(/^OUT_OF_RANGE: Option 'at' \[0, 5\] is outside the 5×5 map/);
    expect(errorOf(() => backward(net, pixels, { layer: 'dense_a', channel: 0, at: [0, 0] }))).toMatch(/^BAD_OPTION: Option 'at' must be 'max' for a fully connected layer/);
    expect(errorOf(() => backward(net, tf.zeros([10, 10, 3]) as unknown as tf.Tensor4D, { layer: 'conv_c', channel: 0 }))).toMatch(/^BAD_SHAPE/);
    expect(tf.memory().numTensors).toBe(before + 1); // the zeros made for the last case
    // No backward rule stays behind: a plain gradient through the Net after a throw is still the gradient.
    const after = backward(net, pixels, { layer: 'logits', channel: 2, mode: 'gradient' });
    const expected = fixture.cases.find((c) => c.layer === 'logits' && c.mode === 'gradient')!.grad;
    expect(relativeError(after.dataSync(), expected)).toBeLessThan(1e-4);
    after.dispose();
  });

  it('a throw from inside the forward pass (at outside a map only known then) leaves no tensors', () => {
    const seq = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [null, null, 3], filters: 2, kernelSize: 3, activation: 'relu', name: 'c' })] });
    const free = toNet(seq);
    const px = tf.randomUniform([1, 6, 6, 3], 0, 255, 'float32', 1) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    expect(() => backward(free, px, { layer: 'c', channel: 1, at: [4, 0], mode: 'guided' })).toThrowError(/outside the 4×4 map/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(px);
    free.dispose();
    seq.dispose();
  });
});

describe(`backwardImage display filters (${backend})`, () => {
  // Two pixels: signal (1, 2, −6) and (0.5, 0.5, 0.5).
  const signal = tf.tensor4d([1, 2, -6, 0.5, 0.5, 0.5], [1, 1, 2, 3]);
  afterAll(() => signal.dispose());
  const rgb = (f: Parameters<typeof backwardImage>[1], s: tf.Tensor = signal) => {
    const img = backwardImage(s, f);
    const out = { shape: img.shape, values: Array.from(img.dataSync()) };
    img.dispose();
    return out;
  };

  it('raw: the signed colour sum, negative red, positive green, scaled by the largest magnitude', () => {
    // sums −3 and 1.5 → scaled −1 and 0.5
    const { shape, values } = rgb('raw');
    expect(shape).toEqual([1, 2, 3]);
    expect(values).toEqual([255, 0, 0, 0, 127.5, 0]);
  });

  it('gray: the colour mean, centred at 127.5', () => {
    // means −1 and 0.5 → −1 and 0.5 of the range
    expect(rgb('gray').values).toEqual([0, 0, 0, 191.25, 191.25, 191.25]);
  });

  it('norm: the L2 norm over colour, the largest 255', () => {
    const n1 = Math.sqrt(41);
    const n2 = Math.sqrt(0.75);
    const v = rgb('norm', tf.reshape(signal, [1, 2, 3])).values;
    expect(relativeError(v, [255, 255, 255, ...Array(3).fill((255 * n2) / n1)])).toBeLessThan(1e-6);
  });

  it('normblur: the norm blurred with sigma 4 (reflect borders), the largest 255 (scipy values)', () => {
    // Expected values: scipy.ndimage.gaussian_filter(norm, 4, mode='reflect'), scaled to a max of 255.
    const two = rgb('normblur').values;
    expect(Math.abs(two[0] - 255)).toBeLessThan(1e-3);
    expect(Math.abs(two[3] - 254.99716318)).toBeLessThan(1e-3);
    // A single bright pixel in a 9×9 image (the kernel, radius 16, is wider than the image).
    const dot = tf.tidy(() => tf.pad(tf.ones([1, 1, 1, 3]), [[0, 0], [4, 4], [4, 4], [0, 0]]));
    const img = rgb('normblur', dot).values;
    const at = (y: number, x: number) => img[(y * 9 + x) * 3];
    expect(Math.abs(at(4, 4) - 255)).toBeLessThan(1e-3);
    expect(Math.abs(at(0, 0) - 217.96160101)).toBeLessThan(1e-3);
    expect(Math.abs(at(0, 4) - 235.75455088)).toBeLessThan(1e-3);
    dot.dispose();
  });

  it('percentile: scaled by a percentile of the magnitudes (numpy interpolation), clipped above it', () => {
    // Norms 1, 2, 3, 4, 100 along a row: the 75th percentile is 4 (position 3), the 50th 3.
    const row = tf.tidy(() => tf.reshape(tf.mul(tf.tensor2d([[1], [2], [3], [4], [100]]), tf.tensor2d([[1, 0, 0]])), [1, 5, 3]));
    const norm = (percentile: number) => {
      const img = backwardImage(row, 'norm', { percentile });
      const v = Array.from(img.dataSync()).filter((_, i) => i % 3 === 0);
      img.dispose();
      return v;
    };
    expect(relativeError(norm(75), [63.75, 127.5, 191.25, 255, 255])).toBeLessThan(1e-6);
    // Position 0.6 · 4 = 2.4: 3 + 0.4 · (4 − 3) = 3.4.
    expect(relativeError(norm(60), [1, 2, 3, 3.4, 3.4].map((v) => Math.min(255, (255 * v) / 3.4)))).toBeLessThan(1e-6);
    expect(relativeError(norm(100), [1, 2, 3, 4, 100].map((v) => 2.55 * v))).toBeLessThan(1e-6);
    // Signed filters clip at ±1 of the scale: raw's sums −3, 1.5 over the 50th percentile 2.25.
    const raw = backwardImage(signal, 'raw', { percentile: 50 });
    expect(relativeError(Array.from(raw.dataSync()), [255, 0, 0, 0, (255 * 1.5) / 2.25, 0])).toBeLessThan(1e-6);
    expect(() => backwardImage(signal, 'norm', { percentile: 0 })).toThrowError(/Option 'percentile' must be a number above 0, at most 100; got 0/);
    tf.dispose([row, raw]);
  });

  it('an all-zero signal is black (gray: mid grey), not NaN', () => {
    const zero = tf.zeros([2, 2, 3]);
    expect(rgb('raw', zero).values.every((v) => v === 0)).toBe(true);
    expect(rgb('norm', zero).values.every((v) => v === 0)).toBe(true);
    expect(rgb('normblur', zero).values.every((v) => v === 0)).toBe(true);
    expect(rgb('gray', zero).values.every((v) => v === 127.5)).toBe(true);
    zero.dispose();
  });

  it('rejects a bad filter and a batch, and keeps the tensor count flat', () => {
    expect(() => backwardImage(signal, 'blur' as 'raw')).toThrowError(/Option 'filter' must be 'raw', 'gray', 'norm' or 'normblur'; got 'blur'/);
    const batch = tf.zeros([2, 2, 2, 3]);
    expect(() => backwardImage(batch, 'raw')).toThrowError(/one image's signal \[1, h, w, 3\] or \[h, w, 3\]; got shape \[2, 2, 2, 3\]/);
    batch.dispose();
    const before = tf.memory().numTensors;
    for (const f of ['raw', 'gray', 'norm', 'normblur'] as const) for (let i = 0; i < 5; i++) backwardImage(signal, f).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
