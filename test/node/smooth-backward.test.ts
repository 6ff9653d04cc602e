import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { backward, toNet } from '../../src/index';
import { smoothBackward } from '../../src/attribution/smooth';
import { loadLayersModelFile } from '../../src/backends/node';
import { relativeError, takeValues as values } from '../helpers/close';
import { scorerModel } from '../helpers/models';
import { photoAndTop } from '../helpers/photos';
import { DARKNET, HAS_DARKNET, sharedImages } from '../helpers/shared';

/** Total variation of a map's L2 norm over colours, relative to its mean: how speckled it is. */
function speckle(g: tf.Tensor4D): number {
  return tf.tidy(() => {
    const n = tf.sqrt(tf.sum(tf.square(g), 3));
    const [, h, w] = n.shape;
    const dy = tf.abs(tf.sub(tf.slice(n, [0, 1, 0], [1, h - 1, w]), tf.slice(n, [0, 0, 0], [1, h - 1, w])));
    const dx = tf.abs(tf.sub(tf.slice(n, [0, 0, 1], [1, h, w - 1]), tf.slice(n, [0, 0, 0], [1, h, w - 1])));
    return tf.div(tf.add(tf.mean(dy), tf.mean(dx)), tf.mean(n)).dataSync()[0];
  });
}

describe(`smoothBackward: SmoothGrad over backward (${process.env.DEEPVIS_BACKEND})`, () => {
  const pixels = tf.randomUniform([1, 12, 12, 3], 0, 255, 'float32', 3) as tf.Tensor4D;
  const unit = { layer: 'scores', channel: 2 };

  it('on a linear net the gradient is the same everywhere, so any noise gives the plain gradient', async () => {
    const model = scorerModel({ relu: false });
    const net = toNet(model, { inputRange: [-1, 1] });
    const plain = values(backward(net, pixels, unit));
    const smooth = values(await smoothBackward(net, pixels, { ...unit, samples: 4, noise: 0.5 }));
    expect(relativeError(smooth, plain)).toBeLessThanOrEqual(1e-5);
    net.dispose();
    model.dispose();
  });

  it('equals the average of plain tfjs-layers gradients at the same noisy images; noise 0 gives backward', async () => {
    const model = scorerModel({ relu: true });
    const net = toNet(model, { inputRange: [-1, 1] });
    const samples = 5;
    const noise = 0.2;
    const got = values(await smoothBackward(net, pixels, { ...unit, samples, noise, seed: 4 }));
    // The same draws, through model.apply and tf.grad: σ = noise × the image's pixel range.
    const want = values(tf.tidy(() => {
      const sigma = tf.mul(tf.sub(tf.max(pixels), tf.min(pixels)), noise);
      const score = (p: tf.Tensor) => tf.sum(tf.slice(model.apply(tf.sub(tf.div(p, 127.5), 1)) as tf.Tensor, [0, 2], [1, 1]));
      const grads = Array.from({ length: samples }, (_, i) => tf.grad(score)(tf.add(pixels, tf.mul(tf.randomNormal(pixels.shape, 0, 1, 'float32', 4 * 100_003 + i), sigma))));
      return tf.div(tf.addN(grads), samples);
    }));
    expect(relativeError(got, want)).toBeLessThanOrEqual(1e-4);
    // Different from the plain gradient (the check above can fail), the same for the same seed.
    expect(relativeError(got, values(backward(net, pixels, unit)))).toBeGreaterThan(0.01);
    expect(relativeError(got, values(await smoothBackward(net, pixels, { ...unit, samples, noise, seed: 4 })))).toBe(0);
    for (const mode of ['gradient', 'deconv', 'guided'] as const) {
      const zero = values(await smoothBackward(net, pixels, { ...unit, mode, samples: 2, noise: 0 }));
      expect(relativeError(zero, values(backward(net, pixels, { ...unit, mode }))), mode).toBeLessThanOrEqual(1e-6);
    }
    net.dispose();
    model.dispose();
  });

  it('reports progress, aborts, refuses bad options and leaves no tensors', async () => {
    const model = scorerModel({ relu: true });
    const net = toNet(model, { inputRange: [-1, 1] });
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    (await smoothBackward(net, pixels, { ...unit, samples: 3, onProgress: (done, total) => seen.push(done / total) })).dispose();
    expect(seen).toEqual([1 / 3, 2 / 3, 1]);
    const controller = new AbortController();
    const run = smoothBackward(net, pixels, { ...unit, samples: 50, signal: controller.signal, onProgress: (done) => done === 2 && controller.abort() });
    await expect(run).rejects.toMatchObject({ name: 'AbortError', code: 'ABORTED' });
    await expect(smoothBackward(net, pixels, { ...unit, samples: 0 })).rejects.toThrow(/Option 'samples' must be an integer from 1 to 100000; got 0/);
    await expect(smoothBackward(net, pixels, { ...unit, noise: -1 })).rejects.toThrow(/Option 'noise' must be a number ≥ 0/);
    await expect(smoothBackward(net, pixels, { ...unit, noise: NaN })).rejects.toThrow(/Option 'noise'/);
    await expect(smoothBackward(net, pixels, { layer: 'nope', channel: 0, samples: 2 })).rejects.toThrow(/Unknown layer 'nope'/);
    await expect(smoothBackward(net, pixels, { ...unit, channel: 9, samples: 2 })).rejects.toThrow(/Channel 9 is out of range/);
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
    model.dispose();
  });

  it.skipIf(!HAS_DARKNET)('on Darknet-Tiny and a real photo, the smoothed gradient is far less speckled than the plain one', async () => {
    const model = await loadLayersModelFile(DARKNET);
    const net = toNet(model, { inputRange: [0, 1] });
    const { x, top } = await photoAndTop(net, sharedImages()[0], 64);
    const plain = backward(net, x, { layer: net.logits, channel: top });
    const smooth = await smoothBackward(net, x, { layer: net.logits, channel: top, samples: 32 });
    const [a, b] = [speckle(plain), speckle(smooth)];
    console.log(`[smoothBackward] speckle plain ${a.toFixed(3)}, smooth ${b.toFixed(3)}`);
    expect(b, `speckle plain ${a.toFixed(3)}, smooth ${b.toFixed(3)}`).toBeLessThan(0.85 * a);
    tf.dispose([x, plain, smooth]);
    net.dispose();
    model.dispose();
  }, 120_000);
});
