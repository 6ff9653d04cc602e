// The compiled Net in headless Chromium on WebGL (SwiftShader here).
import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { useWebGL } from '../../src/backends/webgl';
import { toNet } from '../../src/index';
import { allKindsModel } from '../helpers/models';
import { relativeError } from '../helpers/close';

declare const __DEEPVIS_SHARED__: string;

beforeAll(async () => {
  const info = await useWebGL();
  expect(info.name).toBe('webgl');
  console.log(`[browser] ${info.detail}`);
});

describe('toNet on WebGL', () => {
  it('taps equal the original model and the gradient flows, with no tensors left behind', async () => {
    const model = allKindsModel(1);
    const net = toNet(model, { inputRange: [-1, 1] });
    const names = model.layers.filter((l) => l.getClassName() !== 'InputLayer').map((l) => l.name);
    const pixels = tf.randomUniform([2, 12, 12, 3], 0, 255, 'float32', 1) as tf.Tensor4D;
    const ours = net.forward(pixels, { taps: names });
    const sub = tfl.model({ inputs: model.inputs, outputs: names.map((n) => model.getLayer(n).output as tfl.SymbolicTensor) });
    const theirs = sub.predict(tf.sub(tf.div(pixels, 127.5), 1)) as tf.Tensor[];
    for (const [i, n] of names.entries()) {
      expect(relativeError(await ours[n].data(), await theirs[i].data()), n).toBeLessThan(1e-3);
    }
    tf.dispose([ours, theirs]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      const g = tf.grad((p: tf.Tensor) => tf.sum(net.forward(p as tf.Tensor4D, { taps: ['probs/pre'] })['probs/pre']))(pixels);
      expect(Number.isFinite((await g.data())[0])).toBe(true);
      g.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    pixels.dispose();
    net.dispose();
    model.dispose();
  });

  it.skipIf(!__DEEPVIS_SHARED__)('runs Darknet-Tiny: logits equal tfjs-layers predict', async () => {
    const model = await tfl.loadLayersModel(`${__DEEPVIS_SHARED__}/models/darknet-tiny-imagenet-tfjs/model.json`);
    const net = toNet(model, { inputRange: [0, 1] });
    const pixels = tf.randomUniform([1, 224, 224, 3], 0, 255, 'float32', 3) as tf.Tensor4D;
    const ours = net.predict(pixels);
    const theirs = model.predict(tf.div(pixels, 255)) as tf.Tensor;
    expect(relativeError(await ours.data(), await theirs.data())).toBeLessThan(1e-3);
    const grad = tf.grad((p: tf.Tensor) => tf.sum(tf.slice(net.forward(p as tf.Tensor4D, { taps: [net.logits] })[net.logits], [0, 1], [1, 1])))(pixels);
    const g = await grad.data();
    expect(g.some((v) => v !== 0) && g.every(Number.isFinite)).toBe(true);
    tf.dispose([pixels, ours, theirs, grad]);
    net.dispose();
    model.dispose();
  });
});
