// The compiled Net against tfjs-layers itself on the real Darknet-Tiny ImageNet model.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { toNet, type Net } from '../../src/index';
import { loadLayersModelFile, readImage } from '../../src/backends/node';
import { DARKNET, HAS_DARKNET, SHARED } from '../helpers/shared';
import { expectTensorsClose, onBackend } from '../helpers/close';

const backend = process.env.DEEPVIS_BACKEND;
// cpu runs Darknet's forward in ~3 s at 224²; wasm in ~0.1 s.
const cpu = backend === 'cpu';

describe.skipIf(!HAS_DARKNET)(`Darknet-Tiny through the compiled Net (${backend})`, () => {
  let model: tfl.LayersModel;
  let net: Net;
  let labels: string[];
  beforeAll(async () => {
    model = await loadLayersModelFile(DARKNET);
    net = toNet(model, { inputRange: [0, 1] });
    labels = JSON.parse(readFileSync(join(dirname(DARKNET), 'labels.json'), 'utf8'));
  });
  afterAll(() => {
    net.dispose();
    model.dispose();
  });

  it('compiles all 52 layers with the 15 BatchNorms folded', () => {
    expect(net.layers).toHaveLength(52);
    expect(net.layers.filter((l) => !l.compiled)).toEqual([]);
    expect(net.layers.filter((l) => l.note?.startsWith('folded into'))).toHaveLength(15);
    expect(net.fullyConvolutional).toBe(true);
    expect(net.logits).toBe('global_average_pooling2d_1');
    expect(net.describe()).toMatch(/conv2d_1\s+Conv2D\s+\[224, 224, 16\]\s+linear\s+compiled\s+batch_normalization_1 folded in/);
  });

  it('every tap equals the original model (one sub-model predict) within 1e-4 relative', () => {
    const names = model.layers.filter((l) => l.getClassName() !== 'InputLayer').map((l) => l.name);
    const taps = cpu ? names.filter((_, i) => i % 4 === 3 || i === names.length - 1) : names;
    const pixels = tf.randomUniform([1, 224, 224, 3], 0, 255, 'float32', 42) as tf.Tensor4D;
    const ours = net.forward(pixels, { taps });
    const sub = tfl.model({ inputs: model.inputs, outputs: taps.map((n) => model.getLayer(n).output as tfl.SymbolicTensor) });
    const theirs = sub.predict(tf.div(pixels, 255)) as tf.Tensor[];
    taps.forEach((n, i) => expectTensorsClose(ours[n], theirs[i], 1e-4, n));
    tf.dispose([pixels, ours, theirs]);
  });

  it('the input gradient of a class logit equals the gradient through model.apply within 1e-3 relative', async () => {
    const size = 64;
    const pixels = tf.randomUniform([1, size, size, 3], 0, 255, 'float32', 7) as tf.Tensor4D;
    const logit = (y: tf.Tensor) => tf.sum(tf.slice(y, [0, 281], [1, 1]));
    const ours = tf.grad((p: tf.Tensor) => logit(net.forward(p as tf.Tensor4D, { taps: [net.logits] })[net.logits]))(pixels);
    // The naive way: tfjs-layers' apply under tf.grad (it needs filter-gradient kernels wasm lacks: take it on cpu).
    const theirs = await onBackend('cpu', () => tf.grad((p: tf.Tensor) => logit(model.apply(tf.div(p, 255)) as tf.Tensor))(pixels));
    expectTensorsClose(ours, theirs, 1e-3, 'gradient');
    tf.dispose([pixels, ours, theirs]);
  });

  it('classifies the sample photos as a person would (top-5)', async () => {
    // Darknet's class order differs from the standard one; its index file maps between them.
    const index: { standardIndex: number }[] = JSON.parse(readFileSync(join(dirname(DARKNET), 'imagenet_class_index_darknet.json'), 'utf8'));
    const expectations: [string, (standard: number) => boolean][] = [
      ['dog.jpg', (i) => i >= 151 && i <= 268], // the dog breeds
      ['eagle.jpg', (i) => i >= 21 && i <= 24], // kite, bald eagle, vulture, great grey owl
    ];
    for (const [file, wanted] of expectations) {
      const image = await readImage(join(SHARED, 'images/darknet-samples-7', file));
      const pixels = tf.tidy(() => tf.image.resizeBilinear(tf.expandDims(image, 0) as tf.Tensor4D, [224, 224]));
      const logits = net.predict(pixels);
      const top5 = Array.from((await tf.topk(logits, 5).indices.data()) as Int32Array);
      expect(top5.some((i) => wanted(index[i].standardIndex)), `${file}: ${top5.map((i) => labels[i]).join(', ')}`).toBe(true);
      tf.dispose([image, pixels, logits]);
    }
  });

  it('keeps the tensor count flat over repeated forward + gradient calls', () => {
    const pixels = tf.randomUniform([1, 32, 32, 3], 0, 255, 'float32', 9) as tf.Tensor4D;
    const step = () => tf.tidy(() => tf.sum(tf.grad((p: tf.Tensor) => tf.sum(net.forward(p as tf.Tensor4D, { taps: ['leaky_re_lu_9'] }).leaky_re_lu_9))(pixels)));
    step().dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < (cpu ? 5 : 20); i++) step().dispose();
    expect(tf.memory().numTensors).toBe(before);
    pixels.dispose();
  });
});
