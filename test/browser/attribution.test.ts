// The attribution tools on WebGL (SwiftShader here): the same exact identities as in Node.
import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { useWebGL } from '../../src/backends/webgl';
import { backward, camImage, gradCam, integratedGradients, occlusion, smoothBackward, toNet } from '../../src/index';
import { gapModel } from '../helpers/models';
import { relativeError } from '../helpers/close';

beforeAll(async () => {
  expect((await useWebGL()).name).toBe('webgl');
});

describe('attribution on WebGL', () => {
  it('Grad-CAM is CAM after global average pooling; SmoothGrad without noise is backward; no tensors left', async () => {
    const model = gapModel();
    const net = toNet(model, { inputRange: [-1, 1] });
    const pixels = tf.randomUniform([1, 10, 10, 3], 0, 255, 'float32', 5) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const cam = gradCam(net, pixels, { camLayer: 'maps', channel: 2, resolution: 'layer' });
    const W = model.getLayer('scores').getWeights()[0];
    const A = tfl.model({ inputs: model.inputs, outputs: model.getLayer('maps').output as tfl.SymbolicTensor });
    const want = tf.tidy(() => tf.relu(tf.sum(tf.mul(A.predict(tf.sub(tf.div(pixels, 127.5), 1)) as tf.Tensor, tf.div(tf.reshape(tf.slice(W, [0, 2], [5, 1]), [5]), 25)), 3)));
    expect(relativeError(await cam.data(), await want.data())).toBeLessThan(1e-3);
    const big = gradCam(net, pixels, { camLayer: 'maps', channel: 2 });
    const overlay = camImage(big, pixels);
    expect(overlay.shape).toEqual([10, 10, 3]);
    tf.dispose([cam, want, big, overlay]);
    const unit = { layer: 'scores', channel: 1 };
    const smooth = await smoothBackward(net, pixels, { ...unit, samples: 2, noise: 0 });
    const plain = backward(net, pixels, unit);
    expect(relativeError(await smooth.data(), await plain.data())).toBeLessThan(1e-5);
    tf.dispose([smooth, plain]);
    expect(tf.memory().numTensors).toBe(before);
    pixels.dispose();
    net.dispose();
    model.dispose();
  });

  it('Integrated Gradients and occlusion are exact on a linear net', async () => {
    const L = tfl.layers;
    const model = tfl.sequential({
      layers: [
        L.conv2d({ inputShape: [8, 8, 3], filters: 3, kernelSize: 3, padding: 'same', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }), name: 'conv' }),
        L.flatten({ name: 'flat' }),
        L.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }), name: 'scores' }),
      ],
    });
    const net = toNet(model, { inputRange: [-1, 1] });
    const pixels = tf.randomUniform([1, 8, 8, 3], 0, 255, 'float32', 6) as tf.Tensor4D;
    const score = (p: tf.Tensor) => tf.slice(net.forward(p as tf.Tensor4D, { taps: ['scores'] }).scores, [0, 1], [1, 1]);
    const ig = await integratedGradients(net, pixels, { channel: 1, steps: 1, baseline: 'black' });
    const [sum, delta] = tf.tidy(() => [tf.sum(ig).dataSync()[0], tf.sub(score(pixels), score(tf.zerosLike(pixels))).dataSync()[0]]);
    expect(Math.abs(sum - delta) / Math.abs(delta)).toBeLessThan(1e-3);
    const { drops, map } = await occlusion(net, pixels, { channel: 1, window: 4, stride: 4, fill: 'black' });
    const g = backward(net, pixels, { layer: 'scores', channel: 1 });
    const want = tf.tidy(() => tf.reshape(tf.mul(tf.avgPool(tf.sum(tf.mul(g, pixels), 3, true) as tf.Tensor4D, 4, 4, 'valid'), 16), [1, 2, 2]));
    expect(relativeError(await drops.data(), await want.data())).toBeLessThan(1e-3);
    expect(map.shape).toEqual([1, 8, 8]);
    tf.dispose([ig, drops, map, g, want, pixels]);
    net.dispose();
    model.dispose();
  });
});
