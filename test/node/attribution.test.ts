// The attribution interface: one unit, one signature, one runner, a registry; input × gradient
// and Grad-CAM++ against references computed here independently (tfjs-layers' own forward
// and gradient, plain JavaScript arithmetic); SmoothGrad and VarGrad around any method.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  ATTRIBUTION_METHODS, attributionMethodNamed, backward, gradCamPlusPlus, inputXGradient, integratedGradients, runPerImage,
  smoothGrad, toNet, unitRef, varGrad, DeepvisError,
} from '../../src/index';
import { relativeError, takeValues as values } from '../helpers/close';
import { gapModel, scorerModel } from '../helpers/models';

const toInput = (p: tf.Tensor) => tf.sub(tf.div(p, 127.5), 1);
/** A tensor's values, the tensor kept. */
const read = (t: tf.Tensor) => t.dataSync() as Float32Array;

describe(`attribution: one interface (${process.env.DEEPVIS_BACKEND})`, () => {
  const pixels = tf.randomUniform([2, 12, 12, 3], 0, 255, 'float32', 11) as tf.Tensor4D;

  it('input × gradient: (x − mean) ⊙ the tfjs-layers gradient; on a linear net, exactly f(x) − f(mean) and Integrated Gradients', async () => {
    const relu = scorerModel({ relu: true });
    const net = toNet(relu, { inputRange: [-1, 1] });
    const mean = tf.reshape(tf.tensor1d([...net.mean]), [1, 1, 1, 3]);
    const got = await inputXGradient(net, pixels, { layer: 'scores', channel: 1 });
    const want = tf.tidy(() => {
      const score = (p: tf.Tensor) => tf.sum(tf.slice(relu.apply(toInput(p)) as tf.Tensor, [0, 1], [-1, 1]));
      return tf.mul(tf.sub(pixels, mean), tf.grad(score)(pixels));
    });
    expect(relativeError(values(got), values(want))).toBeLessThanOrEqual(1e-5);
    // A linear net: the shares add up to the change from the mean image, per image, and equal IG's.
    const linear = scorerModel({ relu: false });
    const flat = toNet(linear, { inputRange: [-1, 1] });
    const shares = await inputXGradient(flat, pixels, { layer: 'scores', channel: 3 });
    const sums = values(tf.sum(shares, [1, 2, 3]));
    const f = (p: tf.Tensor) => values(tf.slice(linear.predict(toInput(p)) as tf.Tensor, [0, 3], [-1, 1]));
    const [fx, f0] = [f(pixels), f(tf.add(tf.zerosLike(pixels), mean))];
    for (let i = 0; i < 2; i++) expect(sums[i]).toBeCloseTo(fx[i] - f0[i], 2);
    const ig = await integratedGradients(flat, pixels, { layer: 'scores', channel: 3, steps: 3 });
    expect(relativeError(values(shares), values(ig))).toBeLessThanOrEqual(1e-5);
    tf.dispose([got, want, shares, ig, mean]);
    net.dispose();
    flat.dispose();
  });

  it('Grad-CAM++ after global average pooling: α = g²/(2g² + ΣA·g³) with g = W[k, c]/(h·w), by hand', () => {
    const model = gapModel();
    const net = toNet(model, { inputRange: [-1, 1] });
    const pixels = tf.randomUniform([2, 10, 10, 3], 0, 255, 'float32', 12) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const W = model.getLayer('scores').getWeights()[0].arraySync() as number[][]; // [5, 4]
    const sub = tfl.model({ inputs: model.inputs, outputs: model.getLayer('maps').output as tfl.SymbolicTensor });
    const maps = tf.tidy(() => sub.predict(toInput(pixels)) as tf.Tensor);
    const A = maps.arraySync() as number[][][][]; // [2, 5, 5, 5]
    maps.dispose();
    for (const c of [0, 2]) {
      const got = values(gradCamPlusPlus(net, pixels, { camLayer: 'maps', channel: c, resolution: 'layer' }));
      const want: number[] = [];
      for (let n = 0; n < 2; n++) {
        const weights = W.map((row, k) => {
          const g = row[c] / 25;
          const total = A[n].flat().reduce((s, v) => s + v[k], 0);
          const denominator = 2 * g * g + total * g ** 3;
          const alpha = denominator === 0 ? 0 : (g * g) / denominator;
          return 25 * alpha * Math.max(g, 0);
        });
        for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) want.push(Math.max(0, weights.reduce((s, w, k) => s + w * A[n][y][x][k], 0)));
      }
      expect(want.some((v) => v > 0)).toBe(true);
      expect(relativeError(got, want), `class ${c}`).toBeLessThanOrEqual(1e-4);
    }
    expect(tf.memory().numTensors).toBe(before);
    pixels.dispose();
    net.dispose();
    model.dispose();
  });

  it('every registered method: one signature, its kind\'s shape, a drawing 0–255, no tensors left; SmoothGrad and VarGrad wrap any of them', async () => {
    const model = scorerModel({ relu: true, maps: true });
    const net = toNet(model, { inputRange: [-1, 1] });
    const target = unitRef(net, 'scores', 2);
    const options = { camLayer: 'maps', steps: 3, window: 4, stride: 4 };
    const names = ATTRIBUTION_METHODS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const m of ['gradient', 'deconv', 'guided', 'input-x-gradient', 'integrated', 'gradcam', 'gradcam++', 'guided-gradcam', 'occlusion']) expect(names).toContain(m);
    const before = tf.memory().numTensors;
    for (const method of ATTRIBUTION_METHODS) {
      const a = await method.run(net, pixels, target, options);
      expect(a.method).toBe(method.name);
      expect(a.values.shape, method.name).toEqual(method.kind === 'coarse' ? [2, 12, 12] : [2, 12, 12, 3]);
      const picture = method.draw(a, pixels, { index: 1 });
      expect(picture.shape).toEqual([12, 12, 3]);
      const [lo, hi] = [tf.min(picture), tf.max(picture)].map((t) => { const v = t.dataSync()[0]; t.dispose(); return v; });
      expect(lo, method.name).toBeGreaterThanOrEqual(0);
      expect(hi, method.name).toBeLessThanOrEqual(255);
      // Noise 0: SmoothGrad is the method itself, VarGrad zero.
      const smooth = await smoothGrad(method, { samples: 2, noise: 0 }).run(net, pixels, target, options);
      expect(relativeError(read(smooth.values), read(a.values)), method.name).toBeLessThanOrEqual(1e-5);
      const spread = await varGrad(method, { samples: 2, noise: 0 }).run(net, pixels, target, options);
      expect(spread.kind).toBe(method.kind === 'coarse' ? 'coarse' : 'unsigned');
      const largest = Math.max(...read(a.values).map(Math.abs));
      expect(Math.max(...read(spread.values)), method.name).toBeLessThanOrEqual(1e-6 * Math.max(1, largest * largest));
      tf.dispose([a.values, picture, smooth.values, spread.values]);
    }
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
    model.dispose();
  });

  it('VarGrad of the gradient on a linear net is 0 (the gradient is the same everywhere); on a ReLU net it is not; batches of copies change nothing', async () => {
    const linear = toNet(scorerModel({ relu: false }), { inputRange: [-1, 1] });
    const target = { layer: 'scores', channel: 0 };
    const gradient = attributionMethodNamed('gradient');
    const flat = await varGrad(gradient, { samples: 4, noise: 0.3 }).run(linear, pixels, target);
    const g = backward(linear, pixels, target);
    const largest = Math.max(...read(g).map(Math.abs));
    expect(Math.max(...read(flat.values))).toBeLessThanOrEqual(1e-6 * largest * largest);
    const relu = toNet(scorerModel({ relu: true }), { inputRange: [-1, 1] });
    const one = await varGrad(gradient, { samples: 4, noise: 0.3, seed: 2 }).run(relu, pixels, target);
    const batched = await varGrad(gradient, { samples: 4, noise: 0.3, seed: 2 }).run(relu, pixels, target, { batchSize: 3 });
    expect(Math.max(...read(one.values))).toBeGreaterThan(0);
    expect(relativeError(read(batched.values), read(one.values))).toBeLessThanOrEqual(1e-4);
    tf.dispose([flat.values, g, one.values, batched.values]);
    linear.dispose();
    relu.dispose();
  });

  it('a unit is one thing: its mean is the gradient of the channel\'s mean; \'max\' is fixed on the image; bad units are refused up front', async () => {
    const model = scorerModel({ relu: true, maps: true });
    const net = toNet(model, { inputRange: [-1, 1] });
    const sub = tfl.model({ inputs: model.inputs, outputs: model.getLayer('maps').output as tfl.SymbolicTensor });
    const got = backward(net, pixels, { layer: 'maps', channel: 1, at: 'mean' });
    const want = tf.tidy(() => tf.grad((p: tf.Tensor) => tf.mul(tf.sum(tf.slice(sub.apply(toInput(p)) as tf.Tensor, [0, 0, 0, 1], [-1, -1, -1, 1])), 1 / 144))(pixels));
    expect(relativeError(values(got), values(want))).toBeLessThanOrEqual(1e-5);
    expect(() => unitRef(net, 'maps', 4)).toThrowError(/Channel 4 is out of range: layer 'maps' has 4 channels/);
    expect(() => unitRef(net, 'mapz', 0)).toThrowError(/Unknown layer 'mapz'/);
    expect(() => unitRef(net, 'maps', 0, 'centre' as 'max')).toThrowError(/Option 'at' must be 'max', 'mean', 'energy' or \[y, x\]; got 'centre'/);
    await expect(attributionMethodNamed('gradcam').run(net, pixels, { layer: 'scores', channel: 0 }, { camLayer: 'flat' })).rejects.toThrow(/needs a layer of maps/);
    expect(() => attributionMethodNamed('lime')).toThrowError(DeepvisError);
    expect(() => attributionMethodNamed('lime')).toThrowError(/Unknown attribution method 'lime': one of 'guided', 'deconv'/);
    tf.dispose([got, want]);
    net.dispose();
    model.dispose();
  });

  it('the runner: batches, progress over every image, abort with nothing left behind', async () => {
    const before = tf.memory().numTensors;
    const seen: [number, number][] = [];
    const sums = await runPerImage(pixels, 'test', 5, { batchSize: 2, onProgress: (d, t) => seen.push([d, t]) }, (image) => {
      let s: tf.Tensor | null = null;
      return {
        step: (_, count) => {
          const add = tf.tidy(() => tf.mul(tf.mean(image, [1, 2]), count));
          const next = s ? tf.add(s, add) : add;
          if (s) tf.dispose([s, add]);
          s = next;
        },
        finish: () => { const r = s!; s = null; return r; },
        dispose: () => s?.dispose(),
      };
    });
    expect(seen).toEqual([[2, 10], [4, 10], [5, 10], [7, 10], [9, 10], [10, 10]]);
    expect(relativeError(read(sums), values(tf.tidy(() => tf.mul(tf.mean(pixels, [1, 2]), 5))))).toBeLessThanOrEqual(1e-5);
    sums.dispose();
    const controller = new AbortController();
    const run = runPerImage(pixels, 'test', 5, { batchSize: 1, signal: controller.signal, onProgress: (d) => d === 3 && controller.abort() }, () => {
      const held = tf.zeros([1]);
      return { step: () => {}, finish: () => tf.clone(held), dispose: () => held.dispose() };
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError', code: 'ABORTED', message: 'test was aborted (options.signal).' });
    expect(tf.memory().numTensors).toBe(before);
  });
});
