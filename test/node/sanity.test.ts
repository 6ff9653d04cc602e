// Sanity and faithfulness as features: the map comparisons against scipy, the deletion and
// insertion curves on a hand-made net, the randomization cascade's bookkeeping, and on
// Darknet-Tiny the published finding (Adebayo et al. 2018) with numbers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import {
  areaUnder, attributionMethodNamed, deletionInsertion, modelRandomization, passesRandomization, spearman, ssim, toNet, topHalfCorrelation,
} from '../../src/index';
import { loadLayersModelFile } from '../../src/backends/node';
import { relativeError, takeValues as values } from '../helpers/close';
import { scorerModel } from '../helpers/models';
import { photoAndTop } from '../helpers/photos';
import { DARKNET, HAS_DARKNET, sharedImages } from '../helpers/shared';

interface MetricCase { shape: [number, number]; relation: string; a: number[]; b: number[]; spearman: number; ssim: number }
// scipy references: scripts/fixtures/sanity_metrics.py.
const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/sanity-metrics.json'), 'utf8')) as { cases: MetricCase[] };

describe(`sanity checks and faithfulness curves (${process.env.DEEPVIS_BACKEND})`, () => {
  it('spearman and ssim equal scipy\'s on noisy, independent and tied maps', () => {
    for (const c of fixture.cases) {
      expect(spearman(c.a, c.b), c.relation).toBeCloseTo(c.spearman, 10);
      const [a, b] = [tf.tensor2d(c.a, c.shape), tf.tensor2d(c.b, c.shape)];
      expect(ssim(a, b), c.relation).toBeCloseTo(c.ssim, 4);
      expect(ssim(a, a)).toBeCloseTo(1, 5);
      tf.dispose([a, b]);
    }
    expect(spearman([1, 2, 3, 4], [10, 20, 40, 30])).toBeCloseTo(0.8, 12);
    expect(areaUnder([1, 0.5, 0])).toBe(0.5);
  });

  it('deletion and insertion: the ends are the image, the filled image and its blur; the curves follow the ranking', async () => {
    const model = scorerModel({ relu: false });
    const net = toNet(model, { inputRange: [-1, 1] });
    const pixels = tf.randomUniform([1, 12, 12, 3], 0, 255, 'float32', 21) as tf.Tensor4D;
    const target = { layer: 'scores', channel: 1 };
    const before = tf.memory().numTensors;
    const ixg = await attributionMethodNamed('input-x-gradient').run(net, pixels, target);
    const curves = await deletionInsertion(net, pixels, target, ixg, { steps: 6, batchSize: 4 });
    expect(curves.deletion.length).toBe(7);
    const mean = tf.tidy(() => tf.add(tf.zerosLike(pixels), tf.reshape(tf.tensor1d([...net.mean]), [1, 1, 1, 3])));
    // 'scores' is the logits, so the curves read the class's probability. The ends:
    const p = (x: tf.Tensor) => values(tf.tidy(() => tf.slice(tf.softmax(net.forward(x as tf.Tensor4D, { taps: ['scores'] }).scores), [0, 1], [1, 1])))[0];
    expect(net.logits).toBe('scores');
    expect(curves.deletion[0]).toBeCloseTo(p(pixels), 5);
    expect(curves.deletion[6]).toBeCloseTo(p(mean), 5);
    expect(curves.insertion[6]).toBeCloseTo(p(pixels), 5);
    expect(curves.deletionAuc).toBeCloseTo(areaUnder(curves.deletion), 12);
    // On a linear net input × gradient is each pixel's exact share: deleting by it drops the
    // logit fastest. Against the reverse ranking (least important first) the deletion curve
    // lies lower at every inner point where the shares are positive.
    const reversed = { ...ixg, values: tf.tidy(() => tf.sub(tf.max(tf.abs(ixg.values)), tf.abs(ixg.values))) };
    const worse = await deletionInsertion(net, pixels, target, reversed, { steps: 6 });
    expect(curves.deletionAuc).toBeLessThan(worse.deletionAuc);
    expect(curves.insertionAuc).toBeGreaterThan(worse.insertionAuc);
    tf.dispose([ixg.values, reversed.values, mean]);
    expect(tf.memory().numTensors).toBe(before);
    pixels.dispose();
    net.dispose();
    model.dispose();
  });

  it('the cascade: one step per layer with a kernel, the trained model first, the weights put back, no tensors left', async () => {
    const model = scorerModel({ relu: true, maps: true });
    const net = toNet(model, { inputRange: [-1, 1] });
    const pixels = tf.randomUniform([2, 12, 12, 3], 0, 255, 'float32', 22) as tf.Tensor4D;
    const out = values(tf.tidy(() => net.predict(pixels)));
    const before = tf.memory().numTensors;
    const methods = ['gradient', 'guided', 'gradcam'].map(attributionMethodNamed);
    const seen: number[] = [];
    const results = await modelRandomization(model, pixels, { layer: 'scores', channel: 0 }, {
      netOptions: { inputRange: [-1, 1] }, methods, camLayer: 'maps', pictures: { percentile: 99 }, onStep: (d) => seen.push(d),
    });
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(results.map((r) => r.method)).toEqual(['gradient', 'guided', 'gradcam']);
    for (const r of results) {
      expect(r.steps.map((s) => s.layer)).toEqual([null, 'scores', 'maps', 'conv']);
      expect(r.steps[0].spearman).toEqual([1, 1]);
      expect(r.pictures!.map((p) => p.shape)).toEqual(Array(4).fill([12, 12, 3]));
      for (const s of r.steps) for (const v of [...s.spearman, ...s.ssim]) expect(Number.isFinite(v)).toBe(true);
      tf.dispose(r.pictures!);
    }
    // Randomizing every layer changes the gradient.
    expect(Math.abs(results[0].steps[3].spearman[0])).toBeLessThan(0.9);
    expect(tf.memory().numTensors).toBe(before);
    const again = toNet(model, { inputRange: [-1, 1] });
    expect(relativeError(values(tf.tidy(() => again.predict(pixels))), out)).toBe(0);
    const held = tf.memory().numTensors;
    // Errors put the weights back too.
    await expect(modelRandomization(model, pixels, { layer: 'scores', channel: 0 }, { layers: ['pool'] })).rejects.toThrow(/Layer 'pool' has no kernel to randomize; layers with one: 'scores', 'maps', 'conv'/);
    await expect(modelRandomization(model, pixels, { layer: 'scores', channel: 9 }, { methods })).rejects.toThrow(/Channel 9 is out of range/);
    expect(relativeError(values(tf.tidy(() => again.predict(pixels))), out)).toBe(0);
    expect(tf.memory().numTensors).toBe(held);
    tf.dispose([pixels]);
    again.dispose();
    net.dispose();
    model.dispose();
  });

  it.skipIf(!HAS_DARKNET)('on Darknet-Tiny, randomizing the top half of the layers: the gradient and Integrated Gradients change, guided backprop much less (Adebayo et al. 2018)', async () => {
    const model = await loadLayersModelFile(DARKNET);
    const net = toNet(model, { inputRange: [0, 1] });
    const { x, top } = await photoAndTop(net, sharedImages()[0], 64);
    const methods = ['gradient', 'integrated', 'guided'].map(attributionMethodNamed);
    const results = await modelRandomization(model, x, { layer: net.logits, channel: top }, { netOptions: { inputRange: [0, 1] }, methods, steps: 8, depth: 8 });
    const rho = Object.fromEntries(results.map((r) => [r.method, topHalfCorrelation(r)]));
    console.log(`[sanity] mean Spearman over the top half of the cascade: ${results.map((r) => `${r.label} ${rho[r.method].toFixed(2)}`).join(', ')}`);
    expect(rho.gradient).toBeLessThan(0.6);
    expect(rho.integrated).toBeLessThan(0.7);
    expect(rho.guided).toBeGreaterThan(0.85);
    expect(rho.guided - rho.gradient).toBeGreaterThan(0.3);
    expect(results.map((r) => passesRandomization(r))).toEqual([true, true, false]);
    x.dispose();
    net.dispose();
    model.dispose();
  }, 240_000);
});
