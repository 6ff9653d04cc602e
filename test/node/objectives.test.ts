import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { toNet } from '../../src/net/index';
import { channel, neuron, classLogit, objective, add, scale, negate, layerNorm } from '../../src/objectives/index';
import { DeepvisError } from '../../src/errors';
import { allKindsModel, sequentialModel } from '../helpers/models';

describe(`objectives (${process.env.DEEPVIS_BACKEND})`, () => {
  const net = toNet(sequentialModel());
  const pixels = tf.randomUniform([2, 9, 7, 3], 0, 255, 'float32', 5) as tf.Tensor4D;
  const taps = net.forward(pixels, { taps: ['s_conv1', 's_conv2', 's_gap'] });
  const conv1 = taps.s_conv1.arraySync() as number[][][][]; // [2, 9, 7, 4]
  afterAll(() => { tf.dispose([pixels, taps]); net.dispose(); });
  const run = (o: ReturnType<typeof channel>) => {
    const b = o.bind(net);
    const v = b.value(taps);
    const out = Array.from(v.dataSync());
    v.dispose();
    return out;
  };

  it("channel reads the centre [floor(h/2), floor(w/2)] by default, [y, x] or the spatial mean", () => {
    expect(channel('s_conv1', 2).bind(net).taps).toEqual(['s_conv1']);
    expect(run(channel('s_conv1', 2))).toEqual([conv1[0][4][3][2], conv1[1][4][3][2]].map(Math.fround));
    expect(run(neuron('s_conv1', 3, 8, 0))).toEqual([conv1[0][8][0][3], conv1[1][8][0][3]].map(Math.fround));
    const mean = conv1.map((img) => img.flat().reduce((a, px) => a + px[1], 0) / 63);
    run(channel('s_conv1', 1, { at: 'mean' })).forEach((v, i) => expect(v).toBeCloseTo(mean[i], 3));
    // A dense-like [n, c] layer: the unit itself.
    expect(run(channel('s_gap', 5))).toEqual(Array.from(tf.slice(taps.s_gap, [0, 5], [2, 1]).dataSync()));
  });

  it('isArgmax says where the unit wins its layer at its position', () => {
    const column = conv1.map((img) => img[4][3]);
    const winners = column.map((v) => v.indexOf(Math.max(...v)));
    for (let c = 0; c < 4; c++) {
      const flags = channel('s_conv1', c).bind(net).isArgmax!(taps);
      expect(Array.from(flags.dataSync())).toEqual(winners.map((w) => (w === c ? 1 : 0)));
      flags.dispose();
    }
  });

  it('classLogit reads net.logits (the input of a final softmax)', () => {
    const model = allKindsModel();
    const kinds = toNet(model);
    const px = tf.randomUniform([3, 12, 12, 3], 0, 255, 'float32', 2) as tf.Tensor4D;
    const t = kinds.forward(px, { taps: [kinds.logits] });
    const b = classLogit(3).bind(kinds);
    expect(b.taps).toEqual(['probs/pre']);
    const v = b.value(t);
    expect(Array.from(v.dataSync())).toEqual(Array.from(tf.slice(t['probs/pre'], [0, 3], [3, 1]).dataSync()));
    expect(() => classLogit(5).bind(kinds)).toThrowError(/Class 5 is out of range: the model has 5 classes \(0–4\)/);
    tf.dispose([px, t, v]);
    kinds.dispose();
  });

  it('add, scale and negate combine exactly; custom objectives read their taps', () => {
    const a = run(channel('s_conv1', 0));
    const b = run(channel('s_conv2', 1, { at: 'mean' }));
    const sum = run(add(channel('s_conv1', 0), channel('s_conv2', 1, { at: 'mean' })));
    sum.forEach((v, i) => expect(v).toBeCloseTo(a[i] + b[i], 4));
    expect(run(scale(channel('s_conv1', 0), 2.5))).toEqual(a.map((v) => Math.fround(v * 2.5)));
    expect(run(negate(channel('s_conv1', 0)))).toEqual(a.map((v) => -v));
    expect(negate(channel('s_conv1', 0)).bind(net).isArgmax).toBeUndefined();
    expect(add(channel('s_conv1', 0), channel('s_conv2', 1)).bind(net).taps).toEqual(['s_conv1', 's_conv2']);
    const custom = objective('gap sum', (t) => tf.sum(t.s_gap, 1), { taps: ['s_gap'] });
    const expected = Array.from(tf.sum(taps.s_gap, 1).dataSync());
    run(custom).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
    expect(objective('all', (t) => tf.sum(t.s_gap, 1)).bind(net).taps).toEqual(net.layers.map((l) => l.name));
  });

  it('layerNorm is the mean squared activation of the layer, per image', () => {
    const expected = conv1.map((img) => img.flat(2).reduce((a, v) => a + v * v, 0) / (9 * 7 * 4));
    run(layerNorm('s_conv1')).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 1));
    expect(() => layerNorm('s_con1').bind(net)).toThrowError(/Unknown layer 's_con1'/);
  });

  it('bad input: unknown layer lists closest names, channel and position ranges are stated', () => {
    expect(() => channel('s_conv3', 0).bind(net)).toThrowError(/Unknown layer 's_conv3'. Closest names: 's_conv1', 's_conv2'/);
    expect(() => channel('s_conv1', 4).bind(net)).toThrowError(/Channel 4 is out of range for layer 's_conv1': it has 4 channels \(0–3\)/);
    expect(() => channel('s_conv1', -1).bind(net)).toThrowError(/Channel -1 is out of range/);
    expect(() => channel('s_conv1', 1.5).bind(net)).toThrowError(DeepvisError);
    // Free input size: the position is checked against the actual map.
    const far = neuron('s_conv1', 0, 9, 0).bind(net);
    expect(() => far.value(taps)).toThrowError(/Position \[9, 0\] is outside layer 's_conv1', whose map is 9×7 \(y 0–8, x 0–6\)/);
    expect(() => channel('s_conv1', 0, { at: 'corner' as never })).toThrowError(/Option 'at' must be 'center', 'mean' or \[y, x\]/);
    const wrong = objective('map', (t) => t.s_conv1, { taps: ['s_conv1'] }).bind(net);
    expect(() => wrong.value(taps)).toThrowError(/must return one score per image \(\[n\] tensor\) or a scalar; got shape \[2, 9, 7, 4\]/);
    try { channel('s_conv1', 9).bind(net); } catch (e) { expect((e as DeepvisError).code).toBe('OUT_OF_RANGE'); }
  });

  it('fixed-size layers check positions when bound', () => {
    const kinds = toNet(allKindsModel());
    expect(() => neuron('conv_a', 0, 12, 0).bind(kinds)).toThrowError(/Position \[12, 0\] is outside layer 'conv_a', whose map is 12×12/);
    kinds.dispose();
  });
});
