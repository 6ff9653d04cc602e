import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { camImage, gradCam, toNet } from '../../src/index';
import { loadLayersModelFile } from '../../src/backends/node';
import { relativeError, takeValues as values } from '../helpers/close';
import { hideFifths, photoAndTop } from '../helpers/photos';
import { DARKNET, HAS_DARKNET, sharedImages } from '../helpers/shared';
import { gapModel } from '../helpers/models';

describe(`gradCam and the forward's add option (${process.env.DEEPVIS_BACKEND})`, () => {
  const pixels = tf.randomUniform([2, 10, 10, 3], 0, 255, 'float32', 5) as tf.Tensor4D;
  const toInput = (p: tf.Tensor) => tf.sub(tf.div(p, 127.5), 1);

  it('after global average pooling Grad-CAM is CAM: ReLU(Σ_k W[k, c] / (h·w) · A_k), per image', () => {
    const model = gapModel();
    const net = toNet(model, { inputRange: [-1, 1] });
    const before = tf.memory().numTensors;
    const W = model.getLayer('scores').getWeights()[0]; // [5, 4]
    const A = tfl.model({ inputs: model.inputs, outputs: model.getLayer('maps').output as tfl.SymbolicTensor });
    for (const c of [0, 3]) {
      const got = gradCam(net, pixels, { camLayer: 'maps', channel: c, resolution: 'layer' });
      expect(got.shape).toEqual([2, 5, 5]);
      const want = tf.tidy(() => tf.relu(tf.sum(tf.mul(A.predict(toInput(pixels)) as tf.Tensor, tf.div(tf.reshape(tf.slice(W, [0, c], [5, 1]), [5]), 25)), 3)));
      expect(relativeError(values(got), values(want)), `class ${c}`).toBeLessThanOrEqual(1e-5);
      // At the input's size: the same map resized bilinearly.
      const big = gradCam(net, pixels, { camLayer: 'maps', channel: c });
      expect(big.shape).toEqual([2, 10, 10]);
      const small = gradCam(net, pixels, { camLayer: 'maps', channel: c, resolution: 'layer' });
      const resized = tf.tidy(() => tf.squeeze(tf.image.resizeBilinear(tf.expandDims(small, 3) as tf.Tensor4D, [10, 10]), [3]));
      expect(relativeError(values(big), values(resized))).toBeLessThanOrEqual(1e-6);
      small.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
    model.dispose();
  });

  it('add: a tensor added to a layer reaches every later layer; bad ones are refused', () => {
    const model = gapModel();
    const net = toNet(model, { inputRange: [-1, 1] });
    const delta = tf.randomNormal([2, 5, 5, 5], 0, 1, 'float32', 6);
    const plain = net.forward(pixels, { taps: ['maps', 'scores'] });
    const moved = net.forward(pixels, { taps: ['maps', 'scores'], add: { maps: delta } });
    expect(relativeError(values(moved.maps), values(tf.add(plain.maps, delta)))).toBeLessThanOrEqual(1e-6);
    // scores = GAP(A + δ) W + b: the shift is mean(δ) W.
    const shift = tf.matMul(tf.mean(delta, [1, 2]) as tf.Tensor2D, model.getLayer('scores').getWeights()[0] as tf.Tensor2D);
    expect(relativeError(values(moved.scores), values(tf.add(plain.scores, shift)))).toBeLessThanOrEqual(1e-5);
    // A per-channel tensor broadcasts over space; its gradient is the full one summed over space.
    const perChannel = tf.randomNormal([2, 1, 1, 5], 0, 1, 'float32', 7);
    const broad = net.forward(pixels, { taps: ['scores'], add: { maps: perChannel } }).scores;
    const full = net.forward(pixels, { taps: ['scores'], add: { maps: tf.tile(perChannel, [1, 5, 5, 1]) } }).scores;
    expect(relativeError(values(broad), values(full))).toBeLessThanOrEqual(1e-6);
    const f = (d: tf.Tensor) => tf.sum(tf.slice(net.forward(pixels, { taps: ['scores'], add: { maps: d } }).scores, [0, 1], [2, 1]));
    const gSmall = tf.grad(f)(tf.zeros([2, 1, 1, 5]));
    const gFull = tf.grad(f)(tf.zeros([2, 5, 5, 5]));
    expect(relativeError(values(gSmall), values(tf.sum(gFull, [1, 2], true)))).toBeLessThanOrEqual(1e-5);
    tf.dispose([perChannel, gFull]);
    expect(() => net.forward(pixels, { add: { maps: tf.zeros([2, 4, 4, 5]) } })).toThrowError(/The tensor added at 'maps' has shape \[2, 4, 4, 5\]; that layer's output is \[2, 5, 5, 5\] \(each dimension must match it or be 1\)/);
    expect(() => net.forward(pixels, { add: { mapz: delta } })).toThrowError(/Unknown layer 'mapz'. Closest names: 'maps'/);
    expect(() => net.forward(pixels, { add: { 'maps/pre': delta } })).toThrowError(/Option 'add' takes layer outputs; 'maps\/pre' is a pre-activation tap/);
    tf.dispose([delta, plain, shift]);
    net.dispose();
    model.dispose();
  });

  it('refuses a layer without maps, a unit out of range and bad options', () => {
    const model = gapModel();
    const net = toNet(model, { inputRange: [-1, 1] });
    const before = tf.memory().numTensors;
    expect(() => gradCam(net, pixels, { camLayer: 'gap', channel: 0 })).toThrowError(/gradCam needs a layer of maps \[n, h, w, c\]; 'gap' gives a vector per image/);
    expect(() => gradCam(net, pixels, { camLayer: 'maps', channel: 4 })).toThrowError(/Channel 4 is out of range: layer 'scores' has 4 channels/);
    expect(() => gradCam(net, pixels, { camLayer: 'mapps', channel: 0 })).toThrowError(/Unknown layer 'mapps'/);
    expect(() => gradCam(net, pixels, { camLayer: 'maps', channel: 0, resolution: 'full' as 'input' })).toThrowError(/Option 'resolution' must be 'input' or 'layer'/);
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
    model.dispose();
  });

  it('camImage: the jet ramp on a hand-made map, alone and blended over an image', () => {
    const cam = tf.tensor2d([[0, 2], [1, 0.5]]); // scaled by its max: 0, 1, 0.5, 0.25
    expect(Array.from(values(camImage(cam)))).toEqual([0, 0, 127.5, 127.5, 0, 0, 127.5, 255, 127.5, 0, 127.5, 255]);
    const image = tf.fill([1, 2, 2, 3], 100);
    const blended = values(camImage(tf.expandDims(cam, 0), image, { alpha: 0.25 }));
    expect(Array.from(blended.slice(0, 6))).toEqual([75, 75, 75 + 0.25 * 127.5, 75 + 0.25 * 127.5, 75, 75]);
    expect(() => camImage(tf.zeros([2, 2, 2]))).toThrowError(/Expected one image's map \[1, h, w\] or \[h, w\]; got shape \[2, 2, 2\]/);
    expect(() => camImage(cam, tf.zeros([3, 3, 3]))).toThrowError(/Expected the image as \[1, 2, 2, 3\] or \[2, 2, 3\]/);
    expect(() => camImage(cam, image, { alpha: 2 })).toThrowError(/Option 'alpha' must be a number from 0 to 1/);
    tf.dispose([cam, image]);
  });

  it.skipIf(!HAS_DARKNET)('on Darknet-Tiny and real photos, hiding the map\'s hottest fifth costs the class more than hiding its coldest', async () => {
    const model = await loadLayersModelFile(DARKNET);
    const net = toNet(model, { inputRange: [0, 1] });
    for (const file of sharedImages().slice(0, 3)) {
      const { x, top } = await photoAndTop(net, file, 128);
      const cam = gradCam(net, x, { camLayer: 'leaky_re_lu_15', channel: top });
      const { hot, cold } = hideFifths(net, x, cam, top);
      console.log(`[gradCam] ${file.split('/').pop()}: class ${top}, hottest fifth hidden ${hot.toFixed(2)}, coldest ${cold.toFixed(2)}`);
      expect(hot).toBeLessThan(cold);
      tf.dispose([x, cam]);
    }
    net.dispose();
    model.dispose();
  }, 120_000);
});
