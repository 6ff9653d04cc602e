// The library pieces the viewer, the CLI and the bench share: the one-readback frame helper,
// labels parsing, named input ranges and the layer shortlist.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { defaultViewerLayer, gridView, INPUT_RANGES, lastSpatialLayer, parseInputRange, parseLabels, readFrame, rgbaImage, showcaseLayers, tileActivationsRgba, toNet, viewableLayers, type Net } from '../../src/index';
import { loadLayersModelFile } from '../../src/backends/node';
import { errorOf } from '../helpers/errors';
import { DARKNET, HAS_DARKNET } from '../helpers/shared';

async function errorOfAsync(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (e) {
    return `${(e as { code?: string }).code}: ${(e as Error).message}`;
  }
  return 'no error';
}

describe('readFrame', () => {
  it('reads every tensor view in one readback and hands each its slice; images pass through', async () => {
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    const b = tf.tensor1d([7, -8, 9.5], 'float32');
    const c = tf.tensor1d([5, 6], 'int32');
    const image = { width: 1, height: 1, data: new Uint8ClampedArray([1, 2, 3, 255]) };
    const before = tf.memory().numTensors;
    const spies = (['data', 'dataSync', 'array', 'arraySync'] as const).map((m) => vi.spyOn(tf.Tensor.prototype, m));
    const out = await readFrame({ a, image, b, c });
    expect(spies.map((s) => s.mock.calls.length)).toEqual([1, 0, 0, 0]);
    for (const s of spies) s.mockRestore();
    expect(Array.from(out.a.values)).toEqual([1, 2, 3, 4]);
    expect(out.a.shape).toEqual([2, 2]);
    expect(Array.from(out.b.values)).toEqual([7, -8, 9.5]);
    expect(Array.from(out.c.values)).toEqual([5, 6]);
    expect(out.image).toBe(image);
    // The views are the caller's (still alive); nothing else is left.
    expect(tf.memory().numTensors).toBe(before);
    expect([a.isDisposed, b.isDisposed, c.isDisposed]).toEqual([false, false, false]);
    tf.dispose([a, b, c]);
  });

  it('reads nothing when every view is an image, and refuses a disposed tensor', async () => {
    const image = { width: 2, height: 1, data: new Uint8ClampedArray(8) };
    expect((await readFrame({ image })).image).toBe(image);
    const t = tf.scalar(1);
    t.dispose();
    expect(await errorOfAsync(() => readFrame({ t }))).toMatch(/^BAD_OPTION: Option 'views.t' must be a live tensor/);
    expect(await errorOfAsync(() => readFrame({ bad: { width: 2, height: 2, data: new Uint8ClampedArray(4) } }))).toMatch(/^BAD_OPTION: Option 'views.bad'/);
  });

  it('rgbaImage: [h, w, 3] and [h, w, 1] values rounded and clamped, alpha 255', async () => {
    const rgb = tf.tensor3d([[[0.4, 127.5, 300], [-3, 254.6, 1]]]);
    const grey = tf.tensor3d([[[10.2], [250.7]]]);
    const out = await readFrame({ rgb, grey });
    expect(Array.from(rgbaImage(out.rgb).data)).toEqual([0, 128, 255, 255, 0, 255, 1, 255]);
    expect(rgbaImage(out.grey)).toMatchObject({ width: 2, height: 1 });
    expect(Array.from(rgbaImage(out.grey).data)).toEqual([10, 10, 10, 255, 251, 251, 251, 255]);
    expect(() => rgbaImage({ shape: [4], values: new Float32Array(4) })).toThrow(/an \[h, w, 3\] or \[h, w, 1\] image/);
    tf.dispose([rgb, grey]);
  });

  it('gridView read back by readFrame is the grid of tileActivationsRgba, byte for byte', async () => {
    const act = tf.randomUniform([1, 5, 4, 6], -1, 3, 'float32', 3);
    const options = { boost: 0.5, gamma: 0.7, highlight: [{ channel: 2 }] };
    const view = gridView(act, options);
    const { grid } = await readFrame({ grid: view });
    const want = tileActivationsRgba(act, options);
    const got = rgbaImage(grid);
    expect([got.width, got.height]).toEqual([want.width, want.height]);
    expect(Array.from(got.data)).toEqual(Array.from(want.data));
    tf.dispose([act, ...(view instanceof tf.Tensor ? [view] : [])]);
  });
});

describe('parseLabels', () => {
  it('takes names, objects with a name, [id, name] pairs, and objects keyed by index', () => {
    expect(parseLabels(['cat', 'dog'])).toEqual(['cat', 'dog']);
    expect(parseLabels([{ id: 3, name: 'cat' }, { label: 'dog' }, { className: 'eel' }, { displayName: 'fox' }])).toEqual(['cat', 'dog', 'eel', 'fox']);
    expect(parseLabels([['n1', 'tench'], ['n2', 'goldfish']])).toEqual(['tench', 'goldfish']);
    expect(parseLabels({ 0: ['n01440764', 'tench'], 2: 'shark', 1: { name: 'goldfish' } }, 3)).toEqual(['tench', 'goldfish', 'shark']);
    expect(parseLabels({ 1: 'b' })).toEqual(['', 'b']);
  });

  it('refuses what it cannot name, and a list of the wrong length', () => {
    expect(errorOf(() => parseLabels([{ id: 3 }]))).toMatch(/^BAD_VALUE: Label #0 is \{"id":3\}: give a name, \[id, name\], or an object with a 'name'/);
    expect(errorOf(() => parseLabels({ cat: 'x' }))).toMatch(/^BAD_VALUE: Labels given as an object must be keyed by class index/);
    expect(errorOf(() => parseLabels(true))).toMatch(/^BAD_VALUE: Labels must be a JSON array/);
    expect(errorOf(() => parseLabels(['a', 'b'], 3))).toBe('BAD_VALUE: The labels list has 2 names but the model has 3 classes: give one name per class.');
  });
});

describe('parseInputRange', () => {
  it('names the usual ranges; brackets and spaces do not matter', () => {
    expect(parseInputRange('[0, 1]')).toEqual([0, 1]);
    expect(parseInputRange(' -1,1 ')).toEqual([-1, 1]);
    expect(parseInputRange('0,255')).toEqual([0, 255]);
    expect(parseInputRange('Caffe')).toBe(INPUT_RANGES.caffe);
    expect(parseInputRange('torchvision')).toEqual({ mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] });
    expect(errorOf(() => parseInputRange('0,2'))).toBe("BAD_OPTION: Unknown input range '0,2': use one of 0,1 | -1,1 | 0,255 | caffe | torchvision.");
    expect(errorOf(() => parseInputRange('toString'))).toMatch(/^BAD_OPTION: Unknown input range/);
  });
});

describe.skipIf(!HAS_DARKNET)('the layer shortlist on Darknet-Tiny', () => {
  let net: Net;
  beforeAll(async () => {
    net = toNet(await loadLayersModelFile(DARKNET), { inputRange: [0, 1] });
  });
  afterAll(() => net?.dispose());

  it('viewable layers, showcase, the last spatial layer and the viewer default', () => {
    const names = viewableLayers(net).map((l) => l.name);
    expect(names).not.toContain('input_1');
    expect(names).toContain('global_average_pooling2d_1');
    expect(names.every((n) => net.layer(n).outputShape.length === 3 || net.layer(n).outputShape.length === 1)).toBe(true);
    const rect = showcaseLayers(net, 100);
    expect(rect.every((n) => /^leaky_re_lu_\d+$/.test(n))).toBe(true);
    expect(showcaseLayers(net, 2)).toEqual([rect[0], rect[rect.length - 1]]);
    expect(lastSpatialLayer(net)).toBe(rect[rect.length - 1]);
    expect(defaultViewerLayer(net)).toBe(rect[Math.floor(rect.length / 2)]);
  });
});
