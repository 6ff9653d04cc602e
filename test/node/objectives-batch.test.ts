// The objectives of the modern style: direction, diversity across a batch, interpolation; exact
// values on hand-made layer values, and a batch run that uses them.
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { toNet } from '../../src/net/index';
import { add, channel, classLogit, direction, diversity, interpolate, scale } from '../../src/objectives/index';
import { adam, fourier, optimizeUnits, pad, jitter } from '../../src/optimize/index';
import { DeepvisError } from '../../src/errors';
import { sequentialModel } from '../helpers/models';

/** A 1×1 convolution to two channels ('lin', [n, h, w, 2]) and their spatial means ('gap', [n, 2]). */
function twoChannelNet() {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [null, null, 3], filters: 2, kernelSize: 1, useBias: false, name: 'lin' }),
      tfl.layers.globalAveragePooling2d({ name: 'gap' }),
    ],
  });
  return toNet(model, { inputRange: [0, 255] });
}

describe(`direction, diversity, interpolate (${process.env.DEEPVIS_BACKEND})`, () => {
  const net = twoChannelNet();
  const small = toNet(sequentialModel(), { inputRange: [0, 255] });
  afterAll(() => {
    net.dispose();
    small.dispose();
  });
  // Two images of a 2×2 map with two channels.
  const lin = tf.tensor4d([
    1, 0, 3, 0, 0, 2, 0, 2, // image 0: channel 0 = [1, 3, 0, 0], channel 1 = [0, 0, 2, 2]
    1, 1, 1, 1, 1, 1, 1, 1, // image 1: all ones
  ], [2, 2, 2, 2]);
  afterAll(() => lin.dispose());
  const read = (o: ReturnType<typeof direction>, taps: Record<string, tf.Tensor>) => {
    const v = o.bind(net).value(taps);
    const out = Array.from(v.dataSync());
    v.dispose();
    return out;
  };

  it('direction: ⟨v, channels⟩ at the spatial mean (default), the centre or a position; checked length', () => {
    expect(read(direction('lin', [2, -1]), { lin })).toEqual([2 * 1 - 1 * 1, 2 - 1]);
    expect(read(direction('lin', [1, 1], { at: [0, 1] }), { lin })).toEqual([3, 2]);
    expect(read(direction('lin', [0, 1], { at: 'center' }), { lin })).toEqual([2, 1]);
    expect(() => direction('lin', [1, 2, 3]).bind(net)).toThrow(/2 channels but the vector has 3/);
    expect(() => direction('lin', [])).toThrow(DeepvisError);
  });

  it('diversity: −Σ_{j≠i} cos(G_i, G_j) / n over Gram matrices; identical images −(n−1)/n each, one image 0', () => {
    // Gram matrices: image 0 [[10, 0], [0, 8]], image 1 [[4, 4], [4, 4]]; cos = (40 + 32) / (√164 · 8).
    const cos = 72 / (Math.sqrt(164) * 8);
    read(diversity('lin'), { lin }).forEach((v, i) => expect(v).toBeCloseTo([-cos / 2, -cos / 2][i], 5));
    const one = tf.slice(lin, [0], [1]);
    const same = tf.tile(one, [3, 1, 1, 1]);
    read(diversity('lin'), { lin: same }).forEach((v) => expect(v).toBeCloseTo(-2 / 3, 5));
    same.dispose();
    expect(read(diversity('lin'), { lin: one })[0]).toBeCloseTo(0, 6);
    one.dispose();
  });

  it('interpolate: image i maximizes (1 − t)·a + t·b, t = i / (n − 1)', () => {
    const gap = tf.tensor2d([[3, 5], [3, 5], [3, 5]]);
    const mixed = interpolate(channel('gap', 0), channel('gap', 1), 3);
    expect(mixed.map((o) => read(o, { gap })[0])).toEqual([3, 4, 5]);
    expect(mixed[1].name).toBe('0.50·(gap:0@center) + 0.50·(gap:1@center)');
    expect(() => interpolate(classLogit(0), classLogit(1), 1)).toThrow(/n/);
    gap.dispose();
  });

  it('a batch run with interpolation plus diversity raises both ends and leaves no tensors', async () => {
    const before = tf.memory().numTensors;
    const objectives = interpolate(classLogit(0), classLogit(3), 3).map((o) => add(o, scale(diversity('s_conv1'), 0.5)));
    const results = await optimizeUnits(small, objectives, { steps: 25, size: 16, lr: 0.05, optimizer: adam(), parameterization: fourier(), transforms: [pad(2), jitter(2)], regularizers: [] });
    for (const r of results) {
      expect(r.best).toBeGreaterThan(r.activations[0]);
      tf.dispose([r.image, r.last]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
