// The convolution gradient kernels deepvis registers for wasm (src/backends/wasm-kernels.ts) and its Slice,
// checked against tfjs's own cpu kernels through the public ops, and the naive
// `tf.grad(x => model.apply(x))` through tfjs-layers that they make possible on wasm.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { backpropInputKernel, registerWasmGradientKernels } from '../../src/backends/wasm-kernels';
import { shareWasmIdentity } from '../../src/backends/wasm-setup';
import { loadLayersModelFile } from '../../src/backends/node';
import { relativeError } from '../helpers/close';
import { DARKNET, HAS_DARKNET } from '../helpers/shared';
import { seededRandom } from '../../src/util/random';

const onWasm = process.env.DEEPVIS_BACKEND === 'wasm';
const TOL = 1e-4;

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
type Pair = number | [number, number];
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

/** Runs `fn` on cpu and brings its values back, leaving wasm selected. */
async function onCpu(fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend('cpu');
  try {
    return tf.tidy(fn).map((t) => {
      const v = t.dataSync() as Float32Array;
      t.dispose();
      return v;
    });
  } finally {
    await tf.setBackend('wasm');
  }
}

function valuesOf(ts: tf.Tensor[]): Float32Array[] {
  return ts.map((t) => {
    const v = t.dataSync() as Float32Array;
    t.dispose();
    return v;
  });
}

let seed = 1;
const randn = (shape: number[]) => tf.randomNormal(shape, 0, 1, 'float32', seed++);

/** The output shape of a convolution, for the upstream gradient. */
function outShape(x: number[], f: number[], s: Pair, d: Pair, pad: Pad, rounding: Rounding, depthwise: boolean): number[] {
  return tf.backend_util.computeConv2DInfo(x as [number, number, number, number], f as [number, number, number, number], s, d, pad as 'same', rounding, depthwise).outShape;
}

interface ConvCase { n: number; hw: [number, number]; ci: number; co: number; k: [number, number]; s: Pair; pad: Pad; rounding?: Rounding }

const convCases: ConvCase[] = [
  { n: 1, hw: [8, 8], ci: 3, co: 4, k: [1, 1], s: 1, pad: 'valid' },
  { n: 2, hw: [9, 8], ci: 3, co: 2, k: [1, 1], s: 2, pad: 'valid' },
  { n: 1, hw: [9, 7], ci: 3, co: 5, k: [3, 3], s: 1, pad: 'same' },
  { n: 2, hw: [9, 8], ci: 2, co: 3, k: [3, 3], s: 2, pad: 'same' },
  { n: 2, hw: [8, 9], ci: 3, co: 2, k: [3, 3], s: 2, pad: 'valid' },
  { n: 1, hw: [11, 10], ci: 2, co: 3, k: [5, 5], s: 2, pad: 'same' },
  { n: 1, hw: [10, 11], ci: 3, co: 4, k: [5, 5], s: 1, pad: 'valid' },
  { n: 1, hw: [9, 9], ci: 2, co: 3, k: [4, 4], s: 2, pad: 'same' },
  { n: 1, hw: [10, 8], ci: 1, co: 2, k: [3, 3], s: 3, pad: 'valid' },
  { n: 2, hw: [7, 7], ci: 2, co: 2, k: [3, 5], s: [2, 1], pad: [[0, 0], [1, 2], [2, 0], [0, 0]] },
  { n: 1, hw: [9, 10], ci: 2, co: 3, k: [3, 3], s: 2, pad: 1, rounding: 'floor' },
];

const label = (c: { n: number; hw: number[]; k: number[]; s: Pair; pad: Pad }, extra = '') =>
  `n${c.n} ${c.hw.join('×')} k${c.k.join('×')} s${JSON.stringify(c.s)} pad ${JSON.stringify(c.pad)}${extra}`;

interface DwCase { n: number; hw: [number, number]; c: number; m: number; k: [number, number]; s: Pair; d?: Pair; pad: Pad }

const dwCases: DwCase[] = [
  { n: 1, hw: [8, 8], c: 3, m: 1, k: [1, 1], s: 1, pad: 'valid' },
  { n: 2, hw: [9, 8], c: 3, m: 2, k: [1, 1], s: 2, pad: 'same' },
  { n: 1, hw: [9, 7], c: 3, m: 1, k: [3, 3], s: 1, pad: 'same' },
  { n: 2, hw: [9, 8], c: 2, m: 2, k: [3, 3], s: 2, pad: 'same' },
  { n: 2, hw: [8, 9], c: 3, m: 1, k: [3, 3], s: 2, pad: 'valid' },
  { n: 1, hw: [11, 10], c: 2, m: 2, k: [5, 5], s: 2, pad: 'same' },
  { n: 2, hw: [10, 11], c: 4, m: 1, k: [5, 5], s: 1, pad: 'valid' },
  { n: 1, hw: [9, 9], c: 2, m: 3, k: [4, 4], s: 2, pad: 'same' },
  { n: 1, hw: [10, 8], c: 1, m: 2, k: [3, 3], s: 3, pad: 'valid' },
  { n: 2, hw: [7, 7], c: 2, m: 2, k: [3, 5], s: [2, 1], pad: [[0, 0], [1, 2], [2, 0], [0, 0]] },
  // Explicit pads wider than the kernel: the input gradient crops instead of padding.
  { n: 1, hw: [6, 7], c: 2, m: 2, k: [3, 3], s: 1, pad: [[0, 0], [4, 1], [0, 3], [0, 0]] },
];

// Dilated depthwise gradients: tfjs's gradient refuses dilations, so the kernels are run directly.
const dilatedCases: DwCase[] = [
  { n: 1, hw: [9, 9], c: 2, m: 1, k: [3, 3], s: 1, d: 2, pad: 'same' },
  { n: 2, hw: [10, 9], c: 2, m: 2, k: [3, 3], s: 1, d: 2, pad: 'valid' },
  { n: 1, hw: [12, 11], c: 3, m: 2, k: [3, 2], s: 1, d: [2, 3], pad: 'same' },
  { n: 2, hw: [11, 12], c: 2, m: 2, k: [3, 3], s: 2, d: 2, pad: 'same' },
  { n: 1, hw: [13, 10], c: 2, m: 1, k: [5, 3], s: [2, 1], d: [1, 2], pad: 'valid' },
];

/** A dilated filter written out with zeros between its taps (dilation 1 equivalent). */
function dilate(w: tf.Tensor4D, [dh, dw]: [number, number]): tf.Tensor4D {
  const [kh, kw, c, m] = w.shape;
  const out = tf.buffer([(kh - 1) * dh + 1, (kw - 1) * dw + 1, c, m], 'float32');
  const v = w.arraySync();
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let a = 0; a < c; a++) for (let b = 0; b < m; b++) out.set(v[i][j][a][b], i * dh, j * dw, a, b);
  return out.toTensor() as tf.Tensor4D;
}

describe.skipIf(!onWasm)('wasm gradient kernels', () => {
  beforeAll(() => {
    // The test setup selects wasm through useNodeBackend, which registers them.
    registerWasmGradientKernels();
  });

  it('are registered for wasm and only once', () => {
    for (const name of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'MaxPoolGrad']) {
      expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
    }
    expect(registerWasmGradientKernels()).toEqual([]);
  });

  it('Slice (copied in runs, in the heap) equals cpu on 300 random blocks of ranks 1–6, every dtype, and an image crop; nothing left', async () => {
    const random = seededRandom(5);
    const cases = Array.from({ length: 300 }, () => {
      const rank = 1 + Math.floor(random() * 6);
      const shape = Array.from({ length: rank }, () => 1 + Math.floor(random() * 5));
      const begin = shape.map((d) => Math.floor(random() * d));
      const size = shape.map((d, k) => (random() < 0.3 ? -1 : Math.floor(random() * (d - begin[k] + 1))));
      const dtype = (['float32', 'int32', 'bool'] as const)[Math.floor(random() * 3)];
      const values = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (dtype === 'bool' ? Number(random() < 0.5) : Math.round(random() * 1000 - 500) / 7));
      return { shape, begin, size, dtype, values };
    });
    cases.push({ shape: [2, 40, 41, 3], begin: [0, 3, 5, 0], size: [-1, 30, 28, -1], dtype: 'float32', values: Array.from({ length: 2 * 40 * 41 * 3 }, (_, i) => i / 3) });
    const run = () => cases.map((c) => {
      const x = tf.tensor(c.values, c.shape, c.dtype);
      const y = tf.slice(x, c.begin, c.size);
      const out = { shape: y.shape, values: Array.from(y.dataSync()) };
      tf.dispose([x, y]);
      return out;
    });
    const before = tf.memory().numTensors;
    const here = run();
    expect(tf.memory().numTensors).toBe(before);
    await tf.setBackend('cpu');
    let reference: ReturnType<typeof run>;
    try {
      reference = run();
    } finally {
      await tf.setBackend('wasm');
    }
    expect(here).toEqual(reference);
    expect(registerWasmGradientKernels()).toEqual([]);
  });

  // All-negative windows (wasm 4.22's own MaxPoolGrad sent their gradient to the wrong element)
  // and windows of tied zeros (after a ReLU), with overlap, padding and odd sizes.
  it.each([
    { hw: [7, 8], k: [2, 2], s: [2, 2], pad: 'valid' },
    { hw: [7, 8], k: [3, 3], s: [2, 2], pad: 'same' },
    { hw: [6, 6], k: [3, 3], s: [1, 1], pad: 'same' },
    { hw: [9, 7], k: [2, 3], s: [1, 2], pad: 'valid' },
  ] as const)('max-pool gradients match cpu, negative and tied windows too: $hw.0×$hw.1 k$k.0×$k.1 s$s.0×$s.1 $pad', async (c) => {
    const shape = [2, c.hw[0], c.hw[1], 3];
    const negative = tf.sub(randn(shape), 2);
    const tied = tf.relu(randn(shape));
    const cases = [negative, tied];
    const f = (x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, [...c.k], [...c.s], c.pad);
    const dy = randn(f(negative).shape);
    const grads = () => cases.map((x) => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), dy)))(x));
    const got = valuesOf(grads());
    const want = await onCpu(grads);
    for (const [i, what] of ['all-negative', 'tied zeros'].entries()) expect(relativeError(got[i], want[i]), what).toBeLessThanOrEqual(1e-6);
    tf.dispose([negative, tied, dy]);
  });

  it.each(convCases)('conv2d filter and input gradients match cpu: %#', async (c) => {
    const x = randn([c.n, ...c.hw, c.ci]) as tf.Tensor4D;
    const w = randn([...c.k, c.ci, c.co]) as tf.Tensor4D;
    const dy = randn(outShape(x.shape, w.shape, c.s, 1, c.pad, c.rounding, false));
    const f = () => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad, 'NHWC', 1, c.rounding), dy))([x, w], tf.onesLike(dy));
    const got = valuesOf(tf.tidy(f));
    const want = await onCpu(f);
    expect(relativeError(got[0], want[0]), `${label(c)} dx`).toBeLessThanOrEqual(TOL);
    expect(relativeError(got[1], want[1]), `${label(c)} dW`).toBeLessThanOrEqual(TOL);
    tf.dispose([x, w, dy]);
  });

  it.each(dwCases)('depthwiseConv2d filter and input gradients match cpu: %#', async (c) => {
    const x = randn([c.n, ...c.hw, c.c]) as tf.Tensor4D;
    const w = randn([...c.k, c.c, c.m]) as tf.Tensor4D;
    const dy = randn(outShape(x.shape, w.shape, c.s, 1, c.pad, undefined, true));
    const f = () => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad as 'same'), dy))([x, w], tf.onesLike(dy));
    const got = valuesOf(tf.tidy(f));
    const want = await onCpu(f);
    expect(relativeError(got[0], want[0]), `${label(c, ` m${c.m}`)} dx`).toBeLessThanOrEqual(TOL);
    expect(relativeError(got[1], want[1]), `${label(c, ` m${c.m}`)} dW`).toBeLessThanOrEqual(TOL);
    tf.dispose([x, w, dy]);
  });

  it.each(dilatedCases)('dilated depthwise backprop kernels match cpu on the written-out filter: %#', async (c) => {
    const d = (typeof c.d === 'number' ? [c.d, c.d] : c.d) as [number, number];
    const x = randn([c.n, ...c.hw, c.c]) as tf.Tensor4D;
    const w = randn([...c.k, c.c, c.m]) as tf.Tensor4D;
    const dy = randn(outShape(x.shape, w.shape, c.s, d, c.pad, undefined, true)) as tf.Tensor4D;
    const attrs = { strides: c.s, dilations: d, pad: c.pad };
    const dW = tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape }) as tf.Tensor;
    const dx = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape }) as tf.Tensor;
    const got = valuesOf([dx, dW]);
    const wide = dilate(w, d);
    const want = await onCpu(() => {
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad as 'same'), dy))([x, wide], tf.onesLike(dy));
      return [gx, tf.stridedSlice(gw, [0, 0, 0, 0], gw.shape, [d[0], d[1], 1, 1])];
    });
    expect(relativeError(got[0], want[0]), `${label(c, ` d${d} m${c.m}`)} dx`).toBeLessThanOrEqual(TOL);
    expect(relativeError(got[1], want[1]), `${label(c, ` d${d} m${c.m}`)} dW`).toBeLessThanOrEqual(TOL);
    tf.dispose([x, w, dy, wide]);
  });

  it('fused conv2d and depthwiseConv2d (bias, relu) gradients match cpu', async () => {
    const x = randn([2, 9, 8, 3]) as tf.Tensor4D;
    const w = randn([3, 3, 3, 4]) as tf.Tensor4D;
    const wd = randn([3, 3, 3, 2]) as tf.Tensor4D;
    const b = randn([4]);
    const bd = randn([6]);
    const f = () => tf.grads((a: tf.Tensor, k: tf.Tensor, kb: tf.Tensor, kd: tf.Tensor, kdb: tf.Tensor) => tf.add(
      tf.sum(tf.fused.conv2d({ x: a as tf.Tensor4D, filter: k as tf.Tensor4D, strides: 2, pad: 'same', bias: kb, activation: 'relu' })),
      tf.sum(tf.square(tf.fused.depthwiseConv2d({ x: a as tf.Tensor4D, filter: kd as tf.Tensor4D, strides: 1, pad: 'valid', bias: kdb }))),
    ))([x, w, b, wd, bd]);
    const got = valuesOf(tf.tidy(f));
    const want = await onCpu(f);
    got.forEach((g, i) => expect(relativeError(g, want[i]), `gradient ${i}`).toBeLessThanOrEqual(TOL));
    tf.dispose([x, w, wd, b, bd]);
  });

  // The forward-kernel Conv2DBackpropInput (the one input-gradient implementation, which the
  // Net takes too) on every conv case, and dilated against the written-out filter.
  const dilatedConvCases: (ConvCase & { d: [number, number] })[] = [
    { n: 1, hw: [9, 9], ci: 2, co: 3, k: [3, 3], s: 1, d: [2, 2], pad: 'same' },
    { n: 2, hw: [12, 11], ci: 3, co: 2, k: [3, 2], s: 1, d: [2, 3], pad: 'valid' },
    { n: 1, hw: [8, 9], ci: 2, co: 2, k: [3, 3], s: 1, d: [2, 1], pad: [[0, 0], [5, 0], [1, 3], [0, 0]] },
  ];
  it.each([...convCases.map((c) => ({ ...c, d: [1, 1] as [number, number] })), ...dilatedConvCases])('backpropInputKernel(\'conv\') matches cpu\'s input gradient: %#', async (c) => {
    const x = randn([c.n, ...c.hw, c.ci]) as tf.Tensor4D;
    const w = randn([...c.k, c.ci, c.co]) as tf.Tensor4D;
    const dy = randn(outShape(x.shape, w.shape, c.s, c.d, c.pad, c.rounding, false)) as tf.Tensor4D;
    const attrs = { strides: c.s, dilations: c.d, pad: c.pad, dimRoundingMode: c.rounding, inputShape: x.shape };
    const got = valuesOf([backpropInputKernel('conv')({ inputs: { dy, filter: w }, backend: tf.backend(), attrs: attrs as unknown as tf.NamedAttrMap }) as tf.Tensor]);
    const wide = dilate(w, c.d);
    const want = await onCpu(() => [tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, wide, c.s, c.pad, 'NHWC', 1, c.rounding), dy)))(x)]);
    expect(relativeError(got[0], want[0]), `${label(c, ` d${c.d}`)} dx`).toBeLessThanOrEqual(TOL);
    tf.dispose([x, w, dy, wide]);
  });

  it('a kernel called by hand with bare tensor infos gives the same values, keeps its inputs and leaks nothing', () => {
    const input = tf.sub(randn([1, 6, 6, 2]), 2);
    const dy = randn([1, 3, 3, 2]);
    const attrs = { filterSize: 2, strides: 2, pad: 'valid' } as unknown as tf.NamedAttrMap;
    const viaEngine = tf.engine().runKernel('MaxPoolGrad', { dy, input }, attrs) as tf.Tensor;
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const [tensors, buffers] = [tf.memory().numTensors, backend.numDataIds()];
    const bare = (t: tf.Tensor): tf.TensorInfo => ({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });
    const byHand = tf.getKernel('MaxPoolGrad', 'wasm')!.kernelFunc({ inputs: { dy: bare(dy), input: bare(input) }, backend, attrs }) as tf.Tensor;
    expect(Array.from(byHand.dataSync())).toEqual(Array.from(viaEngine.dataSync()));
    byHand.dispose();
    expect([tf.memory().numTensors, backend.numDataIds()]).toEqual([tensors, buffers]);
    expect(input.dataSync().length).toBe(72);
    tf.dispose([input, dy, viaEngine]);
  });

  it('NCHW filter gradients say so', () => {
    const x = tf.zeros([1, 2, 5, 5]);
    const dy = tf.zeros([1, 3, 5, 5]);
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 3] })).toThrow(/NHWC/);
    tf.dispose([x, dy]);
  });

  describe('naive tf.grad through a tfjs-layers model', () => {
    let model: tfl.LayersModel;
    let x: tf.Tensor4D;
    const grad = () => tf.grad((t: tf.Tensor) => tf.sum(model.apply(t) as tf.Tensor));

    beforeAll(() => {
      const L = tfl.layers;
      model = tfl.sequential({
        layers: [
          L.conv2d({ inputShape: [15, 14, 3], filters: 6, kernelSize: 3, strides: 2, padding: 'same', name: 'conv' }),
          L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', name: 'dw' }),
          L.separableConv2d({ filters: 8, kernelSize: 3, depthMultiplier: 2, padding: 'valid', name: 'sep' }),
          L.batchNormalization({ name: 'bn' }),
          L.leakyReLU({ alpha: 0.1, name: 'leaky' }),
          L.maxPooling2d({ poolSize: 2, strides: 2, name: 'pool' }),
          L.globalAveragePooling2d({ name: 'gap' }),
          L.dense({ units: 4, name: 'dense' }),
        ],
      });
      // Non-trivial batch-norm statistics; the LeakyReLU's output has all-negative max-pool
      // windows (whose gradient wasm's own MaxPoolGrad sent to the wrong element).
      const bn = model.getLayer('bn');
      bn.setWeights([tf.add(0.5, tf.randomUniform([8], 0, 1, 'float32', 3)), tf.fill([8], 0), randn([8]), tf.add(1, tf.randomUniform([8], 0, 2, 'float32', 4))]);
      x = randn([2, 15, 14, 3]) as tf.Tensor4D;
    });

    it('matches cpu and no longer throws', async () => {
      const pooled = tfl.model({ inputs: model.inputs, outputs: model.getLayer('leaky').output as tfl.SymbolicTensor });
      const negativeWindows = tf.tidy(() => tf.sum(tf.cast(tf.less(tf.maxPool(pooled.predict(x) as tf.Tensor4D, 2, 2, 'valid'), 0), 'int32')));
      expect(negativeWindows.dataSync()[0], 'all-negative max-pool windows').toBeGreaterThan(0);
      negativeWindows.dispose();
      const got = valuesOf([grad()(x)]);
      const want = await onCpu(() => [grad()(x)]);
      expect(relativeError(got[0], want[0])).toBeLessThanOrEqual(TOL);
    });

    it('leaks no tensors and no wasm buffers over 20 calls', () => {
      const backend = tf.engine().backend as unknown as { numDataIds(): number };
      grad()(x).dispose();
      const tensors = tf.memory().numTensors;
      const buffers = backend.numDataIds();
      for (let i = 0; i < 20; i++) grad()(x).dispose();
      expect(tf.memory().numTensors).toBe(tensors);
      expect(backend.numDataIds()).toBe(buffers);
    });
  });

  describe.skipIf(!HAS_DARKNET)('on Darknet-Tiny', () => {
    it('the naive gradient of one class logit through model.apply runs at 64×64 and equals cpu\'s', async () => {
      const model = await loadLayersModelFile(DARKNET);
      const x = tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 7);
      const grad = () => [tf.grad((t: tf.Tensor) => tf.sum(tf.slice(model.apply(t) as tf.Tensor, [0, 7], [1, 1])))(x)];
      const [got] = valuesOf(grad());
      const [want] = await onCpu(grad);
      expect(got.length).toBe(64 * 64 * 3);
      expect(relativeError(got, want)).toBeLessThanOrEqual(TOL);
      x.dispose();
      model.dispose();
    }, 120_000);
  });
});

describe.skipIf(!onWasm)('the sharing Identity deepvis registers on wasm', () => {
  it('clones share data (no new wasm buffer), outlive the original, and are refused twice', () => {
    expect(shareWasmIdentity()).toBe(false); // useNodeBackend already set it up
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const buffers = backend.numDataIds();
    const y = tf.clone(x);
    expect(backend.numDataIds()).toBe(buffers);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    const z = tf.add(y, 1); // a kernel writes a new buffer, never into its input
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    tf.dispose([y, z]);
    expect(backend.numDataIds()).toBe(buffers - 1);
  });
});
