import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { backward, gradCam, toNet } from '../../src/index';
import { tinyGraphModel, type TinyGraphWeights } from '../helpers/graph-model';
import { expectTensorsClose } from '../helpers/close';
import { relativeError } from '../helpers/relative-error';

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
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) tf.dispose(net.forward(pixels, { taps: ['probs', 'pool'] }));
    expect(tf.memory().numTensors).toBe(before);
    // The pixel mapping's constants are the Net's, and go with it.
    for (const inputRange of [[0, 1], { mean: [120, 110, 100], std: [60, 60, 60] }] as const) toNet(model, { inputRange }).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([pixels, ours, theirs, g, gRef, weights.w1, weights.b1, weights.w2]);
    model.dispose();
  });

  // The same net as a LayersModel, whose rules deepvis compiles itself (checked against PyTorch
  // in backward.test.ts): an independent route to the same numbers.
  function layersTwin(weights: TinyGraphWeights, alpha: number | null): tfl.LayersModel {
    const m = tfl.sequential();
    m.add(tfl.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, padding: 'same', activation: alpha === null ? 'relu' : 'linear', name: 'conv', weights: [weights.w1, weights.b1] }));
    if (alpha !== null) m.add(tfl.layers.leakyReLU({ alpha, name: 'relu' }));
    m.add(tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool' }));
    m.add(tfl.layers.globalAveragePooling2d({ name: 'mean' }));
    m.add(tfl.layers.dense({ units: 5, useBias: false, name: 'logits', weights: [weights.w2] }));
    m.add(tfl.layers.softmax({ name: 'probs' }));
    return m;
  }

  it.each([
    ['Conv2D + BiasAdd + Relu', undefined],
    ['_FusedConv2D with Relu', 'Relu'],
    ['_FusedConv2D with LeakyRelu', 'LeakyRelu'],
  ] as const)('deconv and guided backward views: %s, as the same net compiled from a LayersModel', async (_, fused) => {
    const { model, weights } = await tinyGraphModel(fused);
    const graphNet = toNet(model, { inputRange: [-1, 1] });
    // A fused convolution ends in its activation, as the separate Relu node does.
    expect(graphNet.layer('relu').activation).toBe(fused === 'LeakyRelu' ? 'leakyRelu' : 'relu');
    const twin = layersTwin(weights, fused === 'LeakyRelu' ? 0.1 : null);
    const layersNet = toNet(twin, { inputRange: [-1, 1] });
    const pixels = tf.randomUniform([1, 8, 8, 3], 0, 255, 'float32', 7) as tf.Tensor4D;
    const tfjsRelu = tf.getGradient('Relu');
    const before = tf.memory().numTensors;
    const views: Record<string, tf.Tensor> = {};
    for (const mode of ['gradient', 'deconv', 'guided'] as const) {
      views[mode] = backward(graphNet, pixels, { layer: 'logits', channel: 2, mode });
      const reference = backward(layersNet, pixels, { layer: 'logits', channel: 2, mode });
      expectTensorsClose(views[mode], reference, 1e-4, mode);
      reference.dispose();
    }
    // The three rules give different pictures here, so the agreement above means something.
    for (const [a, b] of [['gradient', 'deconv'], ['deconv', 'guided'], ['gradient', 'guided']]) {
      expect(relativeError(views[a].dataSync(), views[b].dataSync()), `${a} vs ${b}`).toBeGreaterThan(0.05);
    }
    // Grad-CAM through the add option: fed into the graph's executor there, added in the Net here.
    const cams = [gradCam(graphNet, pixels, { camLayer: 'relu', channel: 2 }), gradCam(layersNet, pixels, { camLayer: fused === 'LeakyRelu' ? 'relu' : 'conv', channel: 2 })];
    expect(cams[0].shape).toEqual([1, 8, 8]);
    expect(relativeError(cams[0].dataSync(), cams[1].dataSync()), 'gradCam').toBeLessThanOrEqual(1e-4);
    expect(tf.tidy(() => tf.max(cams[0]).dataSync()[0])).toBeGreaterThan(0);
    tf.dispose(cams);
    // tfjs's own gradient is back once the call is over, and a later plain gradient uses it.
    expect(tf.getGradient('Relu')).toBe(tfjsRelu);
    const again = backward(graphNet, pixels, { layer: 'logits', channel: 2, mode: 'gradient' });
    expectTensorsClose(again, views.gradient, 1e-6, 'gradient after the rules');
    tf.dispose([again, ...Object.values(views)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([pixels, weights.w1, weights.b1, weights.w2]);
    graphNet.dispose();
    layersNet.dispose();
    twin.dispose();
    model.dispose();
  });
});
