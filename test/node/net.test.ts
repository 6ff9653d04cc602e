import { describe, expect, it, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { toNet, DeepvisError, PRE_ACTIVATION, type Net } from '../../src/index';
import { allKindsModel, nestedModel, sequentialModel } from '../helpers/models';
import { expectTensorsClose, onBackend, relativeError } from '../helpers/close';

const backend = process.env.DEEPVIS_BACKEND;

/** The original model's value of every layer, through one tfjs-layers sub-model predict. */
function referenceOutputs(model: tfl.LayersModel, names: string[], input: tf.Tensor): Record<string, tf.Tensor> {
  // A layer applied more than once (a nested model) is read at its last application.
  const output = (n: string) => {
    const layer = model.getLayer(n);
    return layer.inboundNodes.length > 1 ? layer.getOutputAt(layer.inboundNodes.length - 1) : layer.output;
  };
  const sub = tfl.model({ inputs: model.inputs, outputs: names.map((n) => output(n) as tfl.SymbolicTensor) });
  const ys = sub.predict(input) as tf.Tensor | tf.Tensor[];
  const list = Array.isArray(ys) ? ys : [ys];
  return Object.fromEntries(names.map((n, i) => [n, list[i]]));
}

function pixelsFor(shape: [number, number, number, number], seed: number): tf.Tensor4D {
  return tf.randomUniform(shape, 0, 255, 'float32', seed) as tf.Tensor4D;
}

describe(`toNet on small models covering every compiled layer kind (${backend})`, () => {
  const model = allKindsModel();
  const net = toNet(model, { inputRange: [-1, 1] });
  afterAll(() => net.dispose());

  it('compiles every layer (no fallbacks) and folds BatchNorm where it follows an affine layer', () => {
    expect(net.layers.filter((l) => !l.compiled).map((l) => l.name)).toEqual([]);
    const note = (n: string) => net.layer(n).note ?? '';
    expect(note('bn_a')).toBe('folded into conv_a');
    expect(note('bn_b')).toBe('folded into dw_b');
    expect(note('bn_c')).toBe('folded into sep_c');
    expect(note('bn_dense')).toBe('folded into dense_a');
    expect(note('bn_alone')).toBe('');
    expect(net.fullyConvolutional).toBe(false);
    expect(net.logits).toBe('probs' + PRE_ACTIVATION);
    expect(net.layer('leaky_c').activation).toBe('leakyRelu');
    expect(net.layer('relu6_b').activation).toBe('relu6');
    expect(net.layer('conv_stride').geometry).toEqual({ kernel: [3, 3], strides: [2, 2], dilations: [1, 1], padding: 'valid' });
  });

  it('taps of every layer equal the original model within 1e-4 relative, in one pass', () => {
    const names = model.layers.filter((l) => l.getClassName() !== 'InputLayer').map((l) => l.name);
    const pixels = pixelsFor([2, 12, 12, 3], 1);
    const input = tf.tidy(() => tf.sub(tf.div(pixels, 127.5), 1));
    const ours = net.forward(pixels, { taps: names });
    const theirs = referenceOutputs(model, names, input);
    for (const n of names) expectTensorsClose(ours[n], theirs[n], 1e-4, n);
    tf.dispose([pixels, input, ours, theirs]);
  });

  it('pre-activation taps hold the value before the inline activation', () => {
    const pixels = pixelsFor([1, 12, 12, 3], 2);
    const { 'probs/pre': logits, probs } = net.forward(pixels, { taps: ['probs/pre', 'probs'] });
    expectTensorsClose(tf.softmax(logits), probs, 1e-5, 'softmax(pre)');
    tf.dispose([pixels, logits, probs]);
  });

  it('a tapped folded convolution gives its own pre-BatchNorm value', () => {
    const pixels = pixelsFor([1, 12, 12, 3], 3);
    const input = tf.tidy(() => tf.sub(tf.div(pixels, 127.5), 1));
    const ours = net.forward(pixels, { taps: ['conv_a', 'bn_a'] });
    const theirs = referenceOutputs(model, ['conv_a', 'bn_a'], input);
    expectTensorsClose(ours.conv_a, theirs.conv_a, 1e-4, 'conv_a');
    expectTensorsClose(ours.bn_a, theirs.bn_a, 1e-4, 'bn_a');
    tf.dispose([pixels, input, ours, theirs]);
  });

  it('tapping a folded convolution runs it once: its BatchNorm becomes an affine of it', async () => {
    const pixels = pixelsFor([1, 12, 12, 3], 3);
    const convolutions = async (taps: string[]) => {
      const { kernels } = await tf.profile(() => tf.stack(Object.values(net.forward(pixels, { taps })).map((t) => tf.sum(t))));
      return kernels.filter((k) => /Conv2D$/.test(k.name)).length;
    };
    const folded = await convolutions(['bn_a']);
    expect(folded).toBe(1);
    expect(await convolutions(['conv_a', 'bn_a'])).toBe(folded);
    expect(await convolutions(['conv_a'])).toBe(folded);
    // The same BatchNorm value either way (folded: one rounding less).
    const alone = net.forward(pixels, { taps: ['bn_a'] }).bn_a;
    const both = net.forward(pixels, { taps: ['conv_a', 'bn_a'] });
    expectTensorsClose(both.bn_a, alone, 1e-5, 'bn_a');
    tf.dispose([pixels, alone, both]);
  });

  it('the input gradient equals the gradient through model.apply within 1e-3 relative', async () => {
    // tfjs-layers has no gradient for dilated convolutions, so the reference model has none.
    const model = allKindsModel(1);
    const net = toNet(model, { inputRange: [-1, 1] });
    const pixels = pixelsFor([1, 12, 12, 3], 4);
    const weights = tf.randomNormal([1, 5], 0, 1, 'float32', 5);
    const objective = (y: tf.Tensor) => tf.sum(tf.mul(y, weights));
    const ours = tf.grad((p: tf.Tensor) => objective(net.forward(p as tf.Tensor4D, { taps: ['probs/pre'] })['probs/pre']))(pixels);
    const logitsModel = tfl.model({ inputs: model.inputs, outputs: model.getLayer('probs').input as tfl.SymbolicTensor });
    // model.apply on the layer before the softmax-dense: rebuild logits as dense(x) without activation.
    const dense = model.getLayer('probs');
    const [k, b] = dense.getWeights();
    // tfjs-layers' own gradient needs filter-gradient kernels that wasm lacks: take it on cpu.
    const theirs = await onBackend('cpu', () => tf.grad((p: tf.Tensor) => {
      const x = logitsModel.apply(tf.sub(tf.div(p, 127.5), 1)) as tf.Tensor;
      return objective(tf.add(tf.matMul(x as tf.Tensor2D, k as tf.Tensor2D), b));
    })(pixels));
    expectTensorsClose(ours, theirs, 1e-3, 'gradient');
    tf.dispose([pixels, weights, ours, theirs]);
    net.dispose();
    model.dispose();
  });

  it('leaves the tensor count unchanged after 100 forward + gradient calls', () => {
    const pixels = pixelsFor([1, 12, 12, 3], 6);
    const step = () => tf.tidy(() => {
      const g = tf.grad((p: tf.Tensor) => tf.sum(net.forward(p as tf.Tensor4D, { taps: ['concat'] }).concat))(pixels);
      return tf.sum(g);
    });
    step().dispose(); // warm-up: backends may cache tensors on first use
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) {
      const outs = net.forward(pixels, { taps: ['add', 'probs'] });
      tf.dispose(outs);
      step().dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    pixels.dispose();
  });
});

describe(`toNet on nested and Sequential models (${backend})`, () => {
  it('inlines a Sequential sub-model; its layers tap as outer/inner', () => {
    const model = nestedModel();
    const net = toNet(model, { inputRange: [0, 255] });
    expect(net.layers.map((l) => l.name)).toContain('inner/inner_conv');
    expect(net.layer('inner/inner_bn').note).toBe('folded into inner/inner_conv');
    expect(net.logits).toBe('outer_logits');
    const pixels = pixelsFor([2, 8, 8, 3], 8);
    const ours = net.forward(pixels, { taps: ['outer_softmax', 'inner', 'outer_add'] });
    const theirs = referenceOutputs(model, ['outer_softmax', 'inner', 'outer_add'], pixels);
    for (const n of ['outer_softmax', 'inner', 'outer_add']) expectTensorsClose(ours[n], theirs[n], 1e-4, n);
    tf.dispose([pixels, ours, theirs]);
    net.dispose();
    model.dispose();
  });

  it('runs a fully convolutional Sequential model at any input size', () => {
    const model = sequentialModel();
    const net = toNet(model);
    expect(net.fullyConvolutional).toBe(true);
    expect(net.inputShape).toEqual([null, null, 3]);
    for (const size of [9, 16, 23]) {
      const pixels = pixelsFor([1, size, size, 3], size);
      const ours = net.predict(pixels);
      const theirs = model.predict(tf.div(pixels, 255)) as tf.Tensor;
      expectTensorsClose(ours, theirs, 1e-4, `size ${size}`);
      tf.dispose([pixels, ours, theirs]);
    }
    net.dispose();
    model.dispose();
  });
});

describe('pixel space', () => {
  it('maps 0–255 pixels onto [0,1], [-1,1], [0,255], caffe BGR mean/std and a custom function', () => {
    const model = sequentialModel();
    const px = tf.tensor4d([0, 127.5, 255, 10, 20, 30], [1, 1, 2, 3]);
    const mapped = (o: Parameters<typeof toNet>[1]) => Array.from(toNet(model, o).toModelInput(px).dataSync());
    expect(relativeError(mapped({ inputRange: [0, 1] }), [0, 0.5, 1, 10 / 255, 20 / 255, 30 / 255])).toBeLessThan(1e-6);
    expect(mapped({ inputRange: [-1, 1] })[2]).toBeCloseTo(1, 6);
    expect(mapped({ inputRange: [0, 255] })).toEqual([0, 127.5, 255, 10, 20, 30]);
    // caffe: (rgb − mean) / std, then channels reversed to BGR
    expect(mapped({ inputRange: { mean: [1, 2, 3], std: [1, 2, 4], bgr: true } })).toEqual([(255 - 3) / 4, (127.5 - 2) / 2, -1, (30 - 3) / 4, (20 - 2) / 2, 9]);
    expect(mapped({ inputRange: (p) => tf.mul(p, 2) })).toEqual([0, 255, 510, 20, 40, 60]);
    const net = toNet(model, { inputRange: { mean: [1, 2, 3] } });
    expect(net.mean).toEqual([1, 2, 3]);
    expect(toNet(model).mean).toEqual([123.68, 116.779, 103.939]);
    px.dispose();
    model.dispose();
  });
});

describe('errors a person can act on', () => {
  const model = allKindsModel();
  let net: Net;
  it('an unknown tap lists the closest names', () => {
    net = toNet(model);
    expect(() => net.forward(tf.zeros([1, 12, 12, 3]), { taps: ['conv_strid'] })).toThrowError(/Unknown layer 'conv_strid'. Closest names: 'conv_stride'/);
    expect(() => net.layer('bn-a')).toThrowError(/'bn_a'/);
    try {
      net.layer('nope');
    } catch (e) {
      expect(e).toBeInstanceOf(DeepvisError);
      expect((e as DeepvisError).code).toBe('UNKNOWN_LAYER');
    }
    expect(() => net.forward(tf.zeros([1, 12, 12, 3]), { taps: ['pad/pre'] })).toThrowError(/no separate pre-activation/);
    // Activation-only layers: their input is the pre-activation value.
    for (const name of ['relu_a', 'relu6_b', 'leaky_c']) {
      expect(net.layer(name).hasPreActivation, name).toBe(false);
      expect(() => net.forward(tf.zeros([1, 12, 12, 3]), { taps: [`${name}/pre`] })).toThrowError(/no separate pre-activation/);
    }
  });

  it('wrong shapes and dtypes say what was expected', () => {
    const cases: [tf.Tensor, RegExp][] = [
      [tf.zeros([12, 12, 3]), /Expected \[n, 12, 12, 3\] 0–255 RGB pixels; got shape \[12, 12, 3\]/],
      [tf.zeros([1, 12, 12, 4]), /got 4 channels/],
      [tf.zeros([1, 16, 16, 3]), /needs 12×12 images/],
      [tf.zeros([1, 12, 12, 3], 'bool'), /Expected float32 \(or int32\) pixels; got bool/],
    ];
    for (const [t, msg] of cases) {
      expect(() => net.forward(t as tf.Tensor4D)).toThrowError(msg);
      t.dispose();
    }
    const disposedPixels = tf.zeros([1, 12, 12, 3]);
    disposedPixels.dispose();
    expect(() => net.forward(disposedPixels as tf.Tensor4D)).toThrowError(/already disposed/);
  });

  it('a disposed Net or model is refused, and leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    const other = toNet(model);
    other.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => other.predict(tf.zeros([1, 12, 12, 3]))).toThrowError(/This Net was disposed/);
    model.dispose();
    expect(() => net.predict(tf.zeros([1, 12, 12, 3]))).toThrowError(/model behind this Net was disposed/);
    net.dispose();
  });

  it('rejects a bad inputRange and a non-model', () => {
    expect(() => toNet(sequentialModel(), { inputRange: [1, 1] })).toThrowError(/Option 'inputRange' must be \[lo, hi\]/);
    expect(() => toNet({} as never)).toThrowError(/toNet expects a tfjs LayersModel/);
  });
});
