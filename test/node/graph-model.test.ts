import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { toNet } from '../../src/index';
import { tinyGraphModel } from '../helpers/graph-model';
import { expectTensorsClose } from '../helpers/close';

describe(`toNet on a GraphModel (${process.env.DEEPVIS_BACKEND})`, () => {
  it('taps nodes by name, maps pixels, finds the logits and differentiates', async () => {
    const { model, weights } = await tinyGraphModel();
    const net = toNet(model, { inputRange: [-1, 1] });
    expect(net.layers.map((l) => `${l.name}:${l.className}`)).toEqual([
      'input:Placeholder', 'conv:Conv2D', 'bias:BiasAdd', 'relu:Relu', 'pool:MaxPool', 'mean:Mean', 'logits:MatMul', 'probs:Softmax',
    ]);
    expect(net.layer('relu').activation).toBe('relu');
    expect(net.logits).toBe('logits');
    expect(net.inputShape).toEqual([8, 8, 3]);

    const pixels = tf.randomUniform([2, 8, 8, 3], 0, 255, 'float32', 5) as tf.Tensor4D;
    const reference = (p: tf.Tensor4D) => {
      const x = tf.sub(tf.div(p, 127.5), 1) as tf.Tensor4D;
      const relu = tf.relu(tf.add(tf.conv2d(x, weights.w1, 1, 'same'), weights.b1));
      const logits = tf.matMul(tf.mean(tf.maxPool(relu as tf.Tensor4D, 2, 2, 'valid'), [1, 2]) as tf.Tensor2D, weights.w2);
      return { relu, logits };
    };
    const ours = net.forward(pixels, { taps: ['relu', 'logits'] });
    const theirs = reference(pixels);
    expectTensorsClose(ours.relu, theirs.relu, 1e-5, 'relu');
    expectTensorsClose(ours.logits, theirs.logits, 1e-5, 'logits');

    const objective = (y: tf.Tensor) => tf.sum(tf.slice(y, [0, 2], [2, 1]));
    const g = tf.grad((p: tf.Tensor) => objective(net.forward(p as tf.Tensor4D, { taps: ['logits'] }).logits))(pixels);
    const gRef = tf.grad((p: tf.Tensor) => objective(reference(p as tf.Tensor4D).logits))(pixels);
    expectTensorsClose(g, gRef, 1e-4, 'gradient');

    expect(() => net.forward(pixels, { taps: ['reul'] })).toThrowError(/Unknown node 'reul'. Closest names: 'relu'/);
    expect(() => net.forward(pixels, { rule: 'guided' })).toThrowError(/needs a LayersModel/);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) tf.dispose(net.forward(pixels, { taps: ['probs', 'pool'] }));
    expect(tf.memory().numTensors).toBe(before);
    // The pixel mapping's constants are the Net's, and go with it.
    for (const inputRange of [[0, 1], { mean: [120, 110, 100], std: [60, 60, 60] }] as const) toNet(model, { inputRange }).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([pixels, ours, theirs, g, gRef, weights.w1, weights.b1, weights.w2]);
    model.dispose();
  });
});
