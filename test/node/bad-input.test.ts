// Bad input, as an attacker would try it, through the library on this project's backend (wasm
// or cpu), every case in one process: each must throw a DeepvisError with the named code (or
// pass the caller's own error through), leave the tensor count where it was, finish within
// its time budget, and leave the backend working (a small convolution and its gradient,
// checked exactly, after every case).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backward, blurEvery, classLogit, deepDream, DeepvisError, gaussianBlur, gradCam, integratedGradients,
  objective, objectives, occlusion, optimizeUnit, optimizeUnits, smoothBackward, toNet, topActivations,
  type DeepvisErrorCode, type Net, type Regularizer,
} from '../../src/index';

const { channel, neuron } = objectives;
import { decodeImage, loadLayersModelFile } from '../../src/backends/node';
import { tinyGraphModel } from '../helpers/graph-model';
import { DARKNET, HAS_DARKNET } from '../helpers/shared';

const L = tfl.layers;
const init = (seed: number) => tfl.initializers.glorotUniform({ seed });

/** conv 3×3 'same' → max-pool 2 'valid' → conv → max-pool 2 'valid' → GAP → 5 logits: fully convolutional, at least 4×4 px (as the embedded net). */
function pooledModel(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      L.conv2d({ inputShape: [16, 16, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1), name: 'c1' }),
      L.maxPooling2d({ poolSize: 2, name: 'p1' }),
      L.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(2), name: 'c2' }),
      L.maxPooling2d({ poolSize: 2, name: 'p2' }),
      L.globalAveragePooling2d({ name: 'gap' }),
      L.dense({ units: 5, kernelInitializer: init(3), name: 'logits' }),
    ],
  });
}

/** One 64-filter convolution → GAP → 3 logits: its layer outputs pass the 1 GiB budget at 2048² px. */
function wideModel(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      L.conv2d({ inputShape: [null, null, 3], filters: 64, kernelSize: 3, padding: 'same', kernelInitializer: init(4), name: 'wide' }),
      L.globalAveragePooling2d({}),
      L.dense({ units: 3, kernelInitializer: init(5) }),
    ],
  });
}

/** A convnet whose input has `shape` (channels-first [3, 16, 16], or 4 channels). */
function inputModel(shape: number[], dataFormat: 'channelsFirst' | 'channelsLast'): tfl.LayersModel {
  return tfl.sequential({ layers: [L.conv2d({ inputShape: shape, filters: 2, kernelSize: 3, dataFormat }), L.flatten(), L.dense({ units: 2 })] });
}

/** d/dx Σ conv(x, ones 2×2)² at x = ones 3×3: 8 at corners, 16 on edges, 32 in the middle. */
function canary(): number[] {
  return tf.tidy(() => {
    const loss = (x: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, tf.ones([2, 2, 1, 1]) as tf.Tensor4D, 1, 'valid')));
    return Array.from(tf.grad(loss)(tf.ones([1, 3, 3, 1])).dataSync());
  });
}
const CANARY = [8, 16, 8, 16, 32, 16, 8, 16, 8];

interface Fixtures {
  pooled: Net;
  wide: Net;
  graph: Net;
  darknet: Net | null;
  photo: tf.Tensor4D; // [1, 16, 16, 3]
  dir: string;
}

interface Case {
  /** The class of defect (1–12). */
  readonly cls: number;
  readonly name: string;
  /** The code the DeepvisError must carry; `null`: the caller's own error passes through unchanged. */
  readonly code: DeepvisErrorCode | null;
  /** A pattern the message must match. */
  readonly message?: RegExp;
  readonly run: (f: Fixtures) => unknown;
  readonly skip?: (f: Fixtures) => boolean;
}

/** A regularizer whose apply is `fn`. */
const regularizer = (fn: Regularizer['apply']): Regularizer => ({ name: 'attacker', params: {}, apply: fn });
/** A tensor made inside the case and disposed before use. */
const disposed = (shape: number[]) => {
  const t = tf.zeros(shape);
  t.dispose();
  return t as tf.Tensor4D;
};
/** Runs `fn` on a tensor it makes and disposes (so the case itself leaves nothing). */
const withTensor = async <T extends tf.Tensor>(t: T, fn: (t: T) => unknown) => {
  try {
    return await fn(t);
  } finally {
    t.dispose();
  }
};
const fill = (shape: number[], v: number) => tf.fill(shape as [number], v) as unknown as tf.Tensor4D;

const CASES: readonly Case[] = [
  // 1. Degenerate shapes: checked from the layer table before wasm sees them.
  { cls: 1, name: 'a 1×1 image on a net that pools twice', code: 'BAD_SHAPE', message: /at least 4×4 pixels for this net \(layer 'p1' would be 0×0\); got 1×1/, run: (f) => withTensor(fill([1, 1, 1, 3], 9), (x) => f.pooled.predict(x)) },
  { cls: 1, name: 'a 3×3 image (the second pool would be empty)', code: 'BAD_SHAPE', message: /at least 4×4.*'p2'/, run: (f) => withTensor(fill([1, 3, 3, 3], 9), (x) => f.pooled.forward(x, { taps: ['c2'] })) },
  { cls: 1, name: 'a 3×8 image (one axis too short)', code: 'BAD_SHAPE', run: (f) => withTensor(fill([1, 3, 8, 3], 9), (x) => backward(f.pooled, x, { layer: 'logits', channel: 0 })) },
  { cls: 1, name: 'optimizeUnit({ size: 2 })', code: 'BAD_SHAPE', run: (f) => optimizeUnit(f.pooled, classLogit(0), { size: 2, steps: 2 }) },
  { cls: 1, name: 'a deep-dream octave of about one pixel', code: 'BAD_SHAPE', run: (f) => deepDream(f.pooled, f.photo, { layer: 'c2', octaves: 5, octaveScale: 2, steps: 1 }) },
  { cls: 1, name: 'a scalar objective in a batch of 2', code: 'BAD_SHAPE', message: /one score per image, \[2\]/, run: (f) => optimizeUnits(f.pooled, [objective('sum', (t) => tf.sum(t.c2), { taps: ['c2'] }), classLogit(1)], { steps: 1 }) },
  { cls: 1, name: 'classLogit(7) on a 5-class GraphModel', code: 'OUT_OF_RANGE', message: /Class 7 is out of range: the model has 5 classes/, run: (f) => optimizeUnit(f.graph, classLogit(7), { steps: 1, size: 8 }) },
  { cls: 1, name: "channel 9 of a GraphModel's 4-channel map", code: 'OUT_OF_RANGE', run: (f) => optimizeUnit(f.graph, channel('relu', 9), { steps: 1, size: 8 }) },
  { cls: 1, name: "backward from unit 9 of a GraphModel's 5 classes", code: 'OUT_OF_RANGE', run: (f) => withTensor(fill([1, 8, 8, 3], 9), (x) => backward(f.graph, x, { layer: 'logits', channel: 9 })) },
  { cls: 1, name: 'integratedGradients given [h, w, 3]', code: 'BAD_SHAPE', message: /expandDims/, run: (f) => withTensor(fill([16, 16, 3], 9), (x) => integratedGradients(f.pooled, x as unknown as tf.Tensor4D, { channel: 0 })) },
  { cls: 1, name: 'occlusion given [h, w, 3]', code: 'BAD_SHAPE', run: (f) => withTensor(fill([16, 16, 3], 9), (x) => occlusion(f.pooled, x as unknown as tf.Tensor4D, { channel: 0 })) },
  // 2. Large inputs: refused by the budget before anything is allocated.
  { cls: 2, name: 'a 2048² image through 64 filters', code: 'TOO_LARGE', message: /over deepvis's 1024 MB budget; use at most about \d+×\d+ pixels/, run: (f) => withTensor(tf.zeros([1, 2048, 2048, 3]) as tf.Tensor4D, (x) => f.wide.predict(x)) },
  { cls: 2, name: 'a batch of 16 images of 512² (fewer at once)', code: 'TOO_LARGE', message: /or fewer images at once/, run: (f) => withTensor(tf.zeros([16, 512, 512, 3]) as tf.Tensor4D, (x) => backward(f.wide, x, { layer: 'wide', channel: 0 })) },
  { cls: 2, name: 'optimizeUnit({ size: 2048 }) on the wide net', code: 'TOO_LARGE', run: (f) => optimizeUnit(f.wide, channel('wide', 0), { size: 2048, steps: 1 }) },
  { cls: 2, name: 'a 2048² image on Darknet-Tiny (the CLI\'s largest --size)', code: 'TOO_LARGE', run: (f) => withTensor(tf.zeros([1, 2048, 2048, 3]) as tf.Tensor4D, (x) => gradCam(f.darknet!, x, { camLayer: 'leaky_re_lu_13', channel: 1 })), skip: (f) => !f.darknet },
  { cls: 2, name: 'blurEvery(1, 1e6)', code: 'BAD_OPTION', message: /'width' must be a number ≥ 0 and at most 10000/, run: () => blurEvery(1, 1e6) },
  { cls: 2, name: 'gaussianBlur(x, 1e6)', code: 'BAD_OPTION', run: (f) => gaussianBlur(f.photo, 1e6) },
  { cls: 2, name: 'gaussianBlur truncate 1e9', code: 'BAD_OPTION', run: (f) => gaussianBlur(f.photo, 2, { truncate: 1e9 }) },
  // 3. Layouts the Net does not support, refused by name.
  { cls: 3, name: 'a channels-first model [3, 16, 16]', code: 'UNSUPPORTED', message: /channels-first; deepvis needs channels-last \[h, w, 3\]/, run: () => withModel(inputModel([3, 16, 16], 'channelsFirst'), toNet) },
  { cls: 3, name: 'a 4-channel model', code: 'UNSUPPORTED', message: /4-channel images/, run: () => withModel(inputModel([16, 16, 4], 'channelsLast'), toNet) },
  { cls: 3, name: 'channels-first pixels [1, 3, 16, 16]', code: 'BAD_SHAPE', message: /channels-first.*tf.transpose/, run: (f) => withTensor(fill([1, 3, 16, 16], 9), (x) => f.pooled.predict(x)) },
  { cls: 3, name: 'RGBA pixels [1, 16, 16, 4]', code: 'BAD_SHAPE', message: /got 4 channels/, run: (f) => withTensor(fill([1, 16, 16, 4], 9), (x) => gradCam(f.pooled, x, { camLayer: 'c2', channel: 0 })) },
  // 8. Error paths that used to leak.
  { cls: 8, name: 'toNet on a disposed model', code: 'DISPOSED', message: /load it again/, run: () => { const m = pooledModel(); m.dispose(); return toNet(m); } },
  { cls: 8, name: 'a regularizer that throws (its own error passes through)', code: null, message: /attacker's own error/, run: (f) => optimizeUnit(f.pooled, classLogit(0), { steps: 2, regularizers: [regularizer(() => { throw new Error("attacker's own error"); })] }) },
  { cls: 8, name: 'a regularizer that returns a number', code: 'BAD_VALUE', message: /Regularizer 'attacker' must return a new tensor/, run: (f) => optimizeUnit(f.pooled, classLogit(0), { steps: 2, regularizers: [regularizer(() => 3 as unknown as tf.Tensor4D)] }) },
  { cls: 8, name: 'a regularizer that returns another shape', code: 'BAD_VALUE', message: /must return a new tensor of shape \[1, 16, 16, 3\]; got shape \[1, 8, 8, 3\]/, run: (f) => optimizeUnit(f.pooled, classLogit(0), { steps: 2, regularizers: [regularizer((x) => tf.slice(x, [0, 0, 0, 0], [1, 8, 8, 3]))] }) },
  { cls: 8, name: 'a regularizer that disposes its input and returns it', code: 'BAD_VALUE', message: /a disposed tensor/, run: (f) => optimizeUnit(f.pooled, classLogit(0), { steps: 2, regularizers: [regularizer((x) => (x.dispose(), x))] }) },
  { cls: 8, name: 'Grad-CAM on a batch of 0', code: 'BAD_SHAPE', message: /batch of 0/, run: (f) => withTensor(tf.zeros([0, 16, 16, 3]) as tf.Tensor4D, (x) => gradCam(f.pooled, x, { camLayer: 'c2', channel: 0 })) },
  { cls: 8, name: 'smoothBackward on rank-3 pixels', code: 'BAD_SHAPE', run: (f) => withTensor(fill([16, 16, 3], 9), (x) => smoothBackward(f.pooled, x as unknown as tf.Tensor4D, { layer: 'logits', channel: 0, samples: 2 })) },
  { cls: 8, name: 'topActivations({ dispose: true }) when a batch fails', code: 'BAD_SHAPE', run: (f) => topActivations(f.pooled, (function* () { yield { id: 'a', pixels: tf.zeros([16, 16, 3]) as tf.Tensor3D }; yield { id: 'b', pixels: tf.zeros([2, 2, 3]) as tf.Tensor3D }; yield { id: 'c', pixels: tf.zeros([16, 16, 3]) as tf.Tensor3D }; })(), { layers: ['c2'], batchSize: 1, dispose: true }) },
  { cls: 8, name: 'topActivations({ dispose: true }) when the size changes mid-batch', code: 'BAD_SHAPE', run: (f) => topActivations(f.pooled, (function* () { yield { id: 'a', pixels: tf.zeros([2, 2, 3]) as tf.Tensor3D }; yield { id: 'b', pixels: tf.zeros([16, 16, 3]) as tf.Tensor3D }; })(), { layers: ['c2'], batchSize: 4, dispose: true }) },
  { cls: 8, name: 'loadLayersModelFile of a truncated weight file', code: 'BAD_VALUE', message: /hold 100 bytes; its weightsManifest lists \d+/, run: (f) => loadLayersModelFile(join(f.dir, 'truncated', 'model.json')) },
  { cls: 8, name: 'loadLayersModelFile with a weight file missing', code: 'BAD_VALUE', message: /Cannot read weight file/, run: (f) => loadLayersModelFile(join(f.dir, 'missing', 'model.json')) },
  { cls: 8, name: 'Grad-CAM with the target before the layer', code: 'BAD_OPTION', message: /The unit's layer 'c1' is not computed from camLayer 'c2'/, run: (f) => gradCam(f.pooled, f.photo, { camLayer: 'c2', layer: 'c1', channel: 0 }) },
  // 10. NaN and Infinity.
  { cls: 10, name: 'NaN pixels into backward', code: 'NOT_FINITE', run: (f) => withTensor(fill([1, 16, 16, 3], NaN), (x) => backward(f.pooled, x, { layer: 'logits', channel: 0 })) },
  { cls: 10, name: '+Infinity pixels into Grad-CAM', code: 'NOT_FINITE', run: (f) => withTensor(fill([1, 16, 16, 3], Infinity), (x) => gradCam(f.pooled, x, { camLayer: 'c2', channel: 0 })) },
  { cls: 10, name: 'one −Infinity pixel into occlusion', code: 'NOT_FINITE', run: (f) => withTensor(tf.tidy(() => tf.pad(fill([1, 1, 1, 3], -Infinity), [[0, 0], [0, 15], [0, 15], [0, 0]])) as tf.Tensor4D, (x) => occlusion(f.pooled, x, { channel: 0 })) },
  { cls: 10, name: 'NaN pixels into integratedGradients', code: 'NOT_FINITE', run: (f) => withTensor(fill([1, 16, 16, 3], NaN), (x) => integratedGradients(f.pooled, x, { channel: 0, steps: 2 })) },
  { cls: 10, name: 'a regularizer that returns NaN', code: 'NOT_FINITE', message: /after step 0's update and regularizers \(attacker\)/, run: (f) => optimizeUnit(f.pooled, classLogit(0), { steps: 3, regularizers: [regularizer((x) => tf.mul(x, NaN))] }) },
  { cls: 10, name: 'a NaN start image', code: 'NOT_FINITE', message: /Option 'start'/, run: (f) => withTensor(fill([16, 16, 3], NaN), (s) => optimizeUnit(f.pooled, classLogit(0), { steps: 2, start: s as unknown as tf.Tensor3D })) },
  { cls: 10, name: 'inputRange std [0, 0, 0]', code: 'BAD_OPTION', message: /'inputRange.std' must be 3 finite, non-zero/, run: () => withModel(pooledModel(), (m) => toNet(m, { inputRange: { mean: [120, 120, 120], std: [0, 0, 0] } })) },
  { cls: 10, name: 'inputRange mean with NaN', code: 'BAD_OPTION', run: () => withModel(pooledModel(), (m) => toNet(m, { inputRange: { mean: [NaN, 1, 2] } })) },
  { cls: 10, name: "toNet's mean with Infinity", code: 'BAD_OPTION', run: () => withModel(pooledModel(), (m) => toNet(m, { mean: [1, Infinity, 2] })) },
  // 11. Positions checked at the input size of the pass.
  { cls: 11, name: 'a position past the 16×16 map of a 64 px pass', code: 'OUT_OF_RANGE', message: /outside layer 'p2', whose map is 16×16/, run: (f) => optimizeUnit(f.pooled, neuron('p2', 0, 16, 3), { size: 64, steps: 1 }) },
  { cls: 11, name: 'a negative position', code: 'BAD_OPTION', run: (f) => optimizeUnit(f.pooled, neuron('c2', 0, -1, 3), { size: 64, steps: 1 }) },
  // 12. Named errors instead of raw ones.
  ...(['backward', 'smoothBackward', 'integratedGradients', 'occlusion', 'gradCam'] as const).map((tool): Case => ({
    cls: 12, name: `disposed pixels into ${tool}`, code: 'DISPOSED', message: /already disposed/,
    run: (f) => runTool(tool, f.pooled, disposed([1, 16, 16, 3])),
  })),
  ...(['backward', 'smoothBackward', 'integratedGradients', 'occlusion', 'gradCam'] as const).map((tool): Case => ({
    cls: 12, name: `a batch of 0 into ${tool}`, code: 'BAD_SHAPE', message: /batch of 0/,
    run: (f) => withTensor(tf.zeros([0, 16, 16, 3]) as tf.Tensor4D, (x) => runTool(tool, f.pooled, x)),
  })),
  { cls: 12, name: 'a batch of 0 into forward', code: 'BAD_SHAPE', run: (f) => withTensor(tf.zeros([0, 16, 16, 3]) as tf.Tensor4D, (x) => f.pooled.forward(x)) },
  { cls: 12, name: 'a batch of 0 into a GraphModel', code: 'BAD_SHAPE', run: (f) => withTensor(tf.zeros([0, 8, 8, 3]) as tf.Tensor4D, (x) => f.graph.predict(x)) },
  { cls: 12, name: 'an empty 0×0 image', code: 'BAD_SHAPE', message: /at least 1×1/, run: (f) => withTensor(tf.zeros([1, 0, 0, 3]) as tf.Tensor4D, (x) => f.pooled.predict(x)) },
  { cls: 12, name: 'bool pixels', code: 'BAD_DTYPE', run: (f) => withTensor(tf.zeros([1, 16, 16, 3], 'bool') as tf.Tensor4D, (x) => backward(f.pooled, x, { layer: 'logits', channel: 0 })) },
  { cls: 12, name: 'a plain array as pixels', code: 'BAD_VALUE', run: (f) => backward(f.pooled, [[1, 2, 3]] as unknown as tf.Tensor4D, { layer: 'logits', channel: 0 }) },
  { cls: 12, name: 'a disposed IG baseline', code: 'DISPOSED', message: /'baseline' was already disposed/, run: (f) => integratedGradients(f.pooled, f.photo, { channel: 0, baseline: disposed([1, 16, 16, 3]) }) },
  { cls: 12, name: 'Grad-CAM on a vector layer', code: 'BAD_OPTION', message: /'gap' gives a vector per image/, run: (f) => gradCam(f.pooled, f.photo, { camLayer: 'gap', channel: 0 }) },
  { cls: 12, name: 'a truncated PNG', code: 'BAD_VALUE', message: /The PNG does not decode/, run: (f) => decodeImage(readFileSync(join(f.dir, 'photo.png')).subarray(0, 60)) },
  { cls: 12, name: 'a truncated JPEG', code: 'BAD_VALUE', message: /The JPEG does not decode/, run: () => decodeImage(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0])) },
];

/** Builds `model`, runs `fn` on it and disposes it. */
function withModel<T>(model: tfl.LayersModel, fn: (m: tfl.LayersModel) => T): T {
  try {
    return fn(model);
  } finally {
    model.dispose();
  }
}

type Tool = 'backward' | 'smoothBackward' | 'integratedGradients' | 'occlusion' | 'gradCam';
function runTool(tool: Tool, net: Net, x: tf.Tensor4D): unknown {
  switch (tool) {
    case 'backward': return backward(net, x, { layer: 'logits', channel: 0 });
    case 'smoothBackward': return smoothBackward(net, x, { layer: 'logits', channel: 0, samples: 2 });
    case 'integratedGradients': return integratedGradients(net, x, { channel: 0, steps: 2 });
    case 'occlusion': return occlusion(net, x, { channel: 0 });
    case 'gradCam': return gradCam(net, x, { camLayer: 'c2', channel: 0 });
  }
}

/** Saves a layers model as model.json + weights.bin in `dir`, with the weight bytes `edit` makes. */
async function saveModel(model: tfl.LayersModel, dir: string, edit: (bytes: Buffer) => Buffer | null): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (a) => {
    const bytes = edit(Buffer.from(a.weightData as ArrayBuffer));
    if (bytes) writeFileSync(join(dir, 'weights.bin'), bytes);
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
}

describe(`bad input never breaks the backend, leaks or hangs (${process.env.DEEPVIS_BACKEND})`, () => {
  const f = {} as Fixtures;
  const models: { dispose(): void }[] = [];

  beforeAll(async () => {
    const pooled = pooledModel();
    const wide = wideModel();
    const { model: graph, weights } = await tinyGraphModel();
    tf.dispose(Object.values(weights));
    models.push(pooled, wide, graph);
    Object.assign(f, { pooled: toNet(pooled), wide: toNet(wide), graph: toNet(graph), photo: tf.randomUniform([1, 16, 16, 3], 0, 255, 'float32', 1) });
    f.darknet = HAS_DARKNET ? toNet(await loadLayersModelFile(DARKNET)) : null;
    f.dir = mkdtempSync(join(tmpdir(), 'deepvis-bad-'));
    const saved = pooledModel();
    await saveModel(saved, join(f.dir, 'truncated'), (b) => b.subarray(0, 100));
    await saveModel(saved, join(f.dir, 'missing'), () => null);
    saved.dispose();
    const png = new PNG({ width: 4, height: 4 });
    writeFileSync(join(f.dir, 'photo.png'), PNG.sync.write(png));
  });

  afterAll(() => {
    for (const net of [f.pooled, f.wide, f.graph, f.darknet]) net?.dispose();
    for (const m of models) m.dispose();
    f.photo?.dispose();
    if (f.dir) rmSync(f.dir, { recursive: true, force: true });
  });

  it('the canary: a convolution and its gradient, exactly', () => {
    expect(canary()).toEqual(CANARY);
  });

  for (const c of CASES) {
    // The budget: every case fails fast (the 2048² cases by arithmetic on the layer table).
    it(`[${c.cls}] ${c.name} → ${c.code ?? "the caller's error"}`, async (ctx) => {
      if (c.skip?.(f)) return ctx.skip();
      const before = tf.memory().numTensors;
      let error: unknown = null;
      try {
        await c.run(f);
      } catch (e) {
        error = e;
      }
      expect(error, 'no error').not.toBeNull();
      if (c.code === null) expect(error).not.toBeInstanceOf(DeepvisError);
      else {
        expect(error, String(error)).toBeInstanceOf(DeepvisError);
        expect((error as DeepvisError).code, (error as Error).message).toBe(c.code);
        expect((error as Error).message.split('\n')).toHaveLength(1);
      }
      if (c.message) expect((error as Error).message).toMatch(c.message);
      expect(tf.memory().numTensors - before, 'tensors left behind').toBe(0);
      expect(canary()).toEqual(CANARY);
    }, 20_000);
  }

  it('a position valid at the pass\'s size is accepted (p2 is 16×16 at 64 px; the table says 4×4)', async () => {
    const before = tf.memory().numTensors;
    const r = await optimizeUnit(f.pooled, neuron('p2', 0, 15, 3), { size: 64, steps: 2 });
    expect(r.image.shape).toEqual([64, 64, 3]);
    tf.dispose([r.image, r.last]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the smallest size the message names works, and a blur far wider than the image is a flat mean', () => {
    const before = tf.memory().numTensors;
    const y = tf.tidy(() => f.pooled.predict(tf.fill([1, 4, 4, 3], 9) as tf.Tensor4D).shape);
    expect(y).toEqual([1, 5]);
    // sigma 5000 on 16 px: the folded kernel is flat to float precision, so each channel becomes its mean.
    const [blurred, mean] = tf.tidy(() => [gaussianBlur(f.photo, 5000), tf.mean(f.photo, [1, 2], true)].map((t) => t.arraySync()));
    const flat = (blurred as number[][][][])[0].flat();
    for (const px of flat) px.forEach((v, ch) => expect(v).toBeCloseTo((mean as number[][][][])[0][0][0][ch], 2));
    expect(tf.memory().numTensors).toBe(before);
  });
});
