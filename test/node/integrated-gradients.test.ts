import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { integratedGradients, toNet, type Net } from '../../src/index';
import { loadLayersModelFile } from '../../src/backends/node';
import { relativeError, takeValues as values } from '../helpers/close';
import { scorerModel } from '../helpers/models';
import { photoAndTop } from '../helpers/photos';
import { DARKNET, HAS_DARKNET, sharedImages } from '../helpers/shared';

/** f(x) for one unit of a tap: the class score, or a map's value at [y, x]. */
function unitValue(net: Net, x: tf.Tensor4D, layer: string, channel: number, at?: readonly [number, number]): number {
  return tf.tidy(() => {
    const a = net.forward(x, { taps: [layer] })[layer];
    const begin = a.rank === 4 ? [0, at![0], at![1], channel] : [0, channel];
    return tf.slice(a, begin, begin.map(() => 1)).dataSync()[0];
  });
}

describe(`integratedGradients (${process.env.DEEPVIS_BACKEND})`, () => {
  const pixels = tf.randomUniform([1, 12, 12, 3], 0, 255, 'float32', 3) as tf.Tensor4D;

  it('on a linear net one step is exact: (x − x₀) ⊙ ∇f, adding up to f(x) − f(x₀)', async () => {
    const model = scorerModel({ relu: false, maps: true });
    const net = toNet(model, { inputRange: [-1, 1] });
    const ig = await integratedGradients(net, pixels, { channel: 1, steps: 1, baseline: 'black' });
    const sum = tf.tidy(() => tf.sum(ig).dataSync()[0]);
    const delta = unitValue(net, pixels, 'scores', 1) - unitValue(net, tf.zerosLike(pixels), 'scores', 1);
    expect(Math.abs(sum - delta) / Math.abs(delta)).toBeLessThan(1e-4);
    ig.dispose();
    net.dispose();
    model.dispose();
  });

  it('on a ReLU net equals the Riemann sum of plain tfjs-layers gradients along the path', async () => {
    const model = scorerModel({ relu: true, maps: true });
    const net = toNet(model, { inputRange: [-1, 1] });
    const before = tf.memory().numTensors;
    const got = values(await integratedGradients(net, pixels, { channel: 2, steps: 4, batchSize: 3 }));
    expect(tf.memory().numTensors).toBe(before);
    const mean = tf.reshape(tf.tensor1d([...net.mean]), [1, 1, 1, 3]);
    const want = values(tf.tidy(() => {
      const score = (p: tf.Tensor) => tf.sum(tf.slice(model.apply(tf.sub(tf.div(p, 127.5), 1)) as tf.Tensor, [0, 2], [1, 1]));
      const grads = [0.125, 0.375, 0.625, 0.875].map((a) => tf.grad(score)(tf.add(mean, tf.mul(a, tf.sub(pixels, mean)))));
      return tf.mul(tf.sub(pixels, mean), tf.div(tf.addN(grads), 4));
    }));
    expect(relativeError(got, want)).toBeLessThanOrEqual(1e-4);
    mean.dispose();
    net.dispose();
    model.dispose();
  });

  it('on a map: the unit at its strongest position, fixed along the path; a given baseline; a batch', async () => {
    const model = scorerModel({ relu: true, maps: true });
    const net = toNet(model, { inputRange: [-1, 1] });
    const a = net.forward(pixels, { taps: ['maps'] }).maps;
    const index = tf.tidy(() => tf.argMax(tf.reshape(tf.slice(a, [0, 0, 0, 3], [1, -1, -1, 1]), [-1])).dataSync()[0]);
    a.dispose();
    const at: [number, number] = [Math.floor(index / 12), index % 12];
    const base = tf.randomUniform([1, 12, 12, 3], 0, 255, 'float32', 8) as tf.Tensor4D;
    const auto = await integratedGradients(net, pixels, { layer: 'maps', channel: 3, baseline: base, steps: 4 });
    const given = await integratedGradients(net, pixels, { layer: 'maps', channel: 3, at, baseline: base, steps: 4 });
    expect(relativeError(values(auto), values(given))).toBe(0);
    // A batch: each image its own, as alone.
    const two = tf.concat([pixels, base]) as tf.Tensor4D;
    const both = await integratedGradients(net, two, { channel: 0, steps: 3, baseline: 'black' });
    const second = await integratedGradients(net, base, { channel: 0, steps: 3, baseline: 'black' });
    expect(relativeError(values(tf.slice(both, [1, 0, 0, 0], [1, -1, -1, -1])), values(second))).toBeLessThanOrEqual(1e-6);
    tf.dispose([base, two, both]);
    net.dispose();
    model.dispose();
  });

  it('reports progress, aborts, refuses bad options and leaves no tensors', async () => {
    const model = scorerModel({ relu: true, maps: true });
    const net = toNet(model, { inputRange: [-1, 1] });
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    (await integratedGradients(net, pixels, { channel: 0, steps: 5, batchSize: 2, onProgress: (d, t) => seen.push(d / t) })).dispose();
    expect(seen).toEqual([0.4, 0.8, 1]);
    const controller = new AbortController();
    const run = integratedGradients(net, pixels, { channel: 0, steps: 50, batchSize: 2, signal: controller.signal, onProgress: (d) => d >= 4 && controller.abort() });
    await expect(run).rejects.toMatchObject({ name: 'AbortError', code: 'ABORTED' });
    await expect(integratedGradients(net, pixels, { channel: 0, steps: 0 })).rejects.toThrow(/Option 'steps' must be an integer from 1 to 100000; got 0/);
    await expect(integratedGradients(net, pixels, { channel: 0, baseline: 'white' as 'black' })).rejects.toThrow(/Option 'baseline' must be 'mean', 'black' or a \[1, h, w, 3\] image; got 'white'/);
    const small = tf.zeros([1, 6, 6, 3]) as tf.Tensor4D;
    await expect(integratedGradients(net, pixels, { channel: 0, baseline: small })).rejects.toThrow(/Option 'baseline' must be \[1, 12, 12, 3\] like the image; got \[1, 6, 6, 3\]/);
    small.dispose();
    await expect(integratedGradients(net, pixels, { channel: 9, steps: 2 })).rejects.toThrow(/Channel 9 is out of range/);
    await expect(integratedGradients(net, pixels, { layer: 'mapz', channel: 0, steps: 2 })).rejects.toThrow(/Unknown layer 'mapz'/);
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
    model.dispose();
  });

  it.skipIf(!HAS_DARKNET)('on Darknet-Tiny and a real photo the shares add up to the change in the class score', async () => {
    const model = await loadLayersModelFile(DARKNET);
    const net = toNet(model, { inputRange: [0, 1] });
    const { x, top } = await photoAndTop(net, sharedImages()[0], 64);
    const ig = await integratedGradients(net, x, { channel: top, steps: 64, batchSize: 16 });
    const sum = tf.tidy(() => tf.sum(ig).dataSync()[0]);
    const grey = tf.tidy(() => tf.mul(tf.onesLike(x), tf.reshape(tf.tensor1d([...net.mean]), [1, 1, 1, 3]))) as tf.Tensor4D;
    const delta = unitValue(net, x, net.logits, top) - unitValue(net, grey, net.logits, top);
    console.log(`[integratedGradients] class ${top}: Σ shares ${sum.toFixed(3)}, f(x) − f(x₀) ${delta.toFixed(3)}`);
    expect(Math.abs(sum - delta) / Math.abs(delta)).toBeLessThan(0.05);
    tf.dispose([x, ig, grey]);
    net.dispose();
    model.dispose();
  }, 120_000);
});
