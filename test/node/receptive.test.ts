import { describe, expect, it, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { toNet, DeepvisError, type Net } from '../../src/index';
import { cropReceptiveField } from '../../src/dataset/index';
import { receptiveField, type ReceptiveField } from '../../src/net/index';
import { allKindsModel, nestedModel, randomizeWeights, sequentialModel } from '../helpers/models';
import { DARKNET, HAS_DARKNET } from '../helpers/shared';
import { loadLayersModelFile } from '../../src/backends/node';

const backend = process.env.DEEPVIS_BACKEND;
const L = tfl.layers;
type Sym = tfl.SymbolicTensor;

interface Unit { layer: string; y: number; x: number }

/**
 * Per unit and input pixel, the summed |∂ unit / ∂ pixel| over colour channels, as [h][w]
 * rows. One backward pass for many units: batch element i carries unit i's gradient
 * (nothing mixes images across the batch).
 */
function unitGradients(net: Net, units: Unit[], size: [number, number]): number[][][] {
  const [h, w] = size;
  const taps = [...new Set(units.map((u) => u.layer))];
  const mag = tf.tidy(() => {
    const pixels = tf.randomUniform([units.length, h, w, 3], 0, 255, 'float32', 5) as tf.Tensor4D;
    const g = tf.grad((p: tf.Tensor) => {
      const out = net.forward(p as tf.Tensor4D, { taps });
      const picks = units.map((u, i) => {
        const t = out[u.layer];
        return t.rank === 4 ? tf.slice(t, [i, u.y, u.x, 0], [1, 1, 1, 1]) : tf.slice(tf.reshape(t, [t.shape[0], -1]), [i, 0], [1, 1]);
      });
      return tf.sum(tf.concat(picks.map((q) => tf.reshape(q, [1]))));
    })(pixels);
    return tf.sum(tf.abs(g), 3);
  });
  const rows = mag.arraySync() as number[][][];
  mag.dispose();
  return rows;
}

/** The spatial size of every layer's output at this input size, from one forward pass. */
function mapSizes(net: Net, layers: string[], size: [number, number]): Map<string, [number, number]> {
  const zeros = tf.zeros([1, size[0], size[1], 3]) as tf.Tensor4D;
  const out = net.forward(zeros, { taps: layers });
  zeros.dispose();
  const sizes = new Map(layers.map((l) => [l, (out[l].rank === 4 ? [out[l].shape[1], out[l].shape[2]] : [1, 1]) as [number, number]]));
  tf.dispose(Object.values(out));
  return sizes;
}

interface Check { unit: Unit; field: ReceptiveField; outside: number; edges: Record<string, number> }

/** Where a unit's gradient falls: the mass outside its field, and on the field's first/last row and column. */
function checkUnit(unit: Unit, field: ReceptiveField, g: number[][]): Check {
  const top = unit.y * field.stride[0] - field.padding[0];
  const left = unit.x * field.stride[1] - field.padding[1];
  const bottom = top + field.size[0] - 1;
  const right = left + field.size[1] - 1;
  let outside = 0;
  const edges: Record<string, number> = {};
  const add = (name: string, v: number) => (edges[name] = (edges[name] ?? 0) + v);
  g.forEach((row, r) => row.forEach((v, c) => {
    if (r < top || r > bottom || c < left || c > right) outside += v;
    else {
      if (r === top) add('top', v);
      if (r === bottom) add('bottom', v);
      if (c === left) add('left', v);
      if (c === right) add('right', v);
    }
  }));
  return { unit, field, outside, edges };
}

/**
 * Every layer, units at its centre, last corner and first corner: the input gradient is
 * zero outside the field, and (dense nets) non-zero on each field edge inside the image.
 */
function checkAll(
  net: Net, size: [number, number], dense: boolean,
  notDense: (l: string, y: number, x: number) => boolean = () => false, firstCorner = true,
): number {
  const layers = net.layers.filter((l) => l.className !== 'InputLayer').map((l) => l.name);
  const sizes = mapSizes(net, layers, size);
  const units: Unit[] = layers.flatMap((layer) => {
    const [h, w] = sizes.get(layer)!;
    const at = [[Math.floor(h / 2), Math.floor(w / 2)], [h - 1, w - 1], ...(firstCorner ? [[0, 0]] : [])];
    return at.map(([y, x]) => ({ layer, y, x }));
  });
  for (let i = 0; i < units.length; i += 24) {
    const chunk = units.slice(i, i + 24);
    const grads = unitGradients(net, chunk, size);
    chunk.forEach((unit, j) => {
      const c = checkUnit(unit, receptiveField(net, unit.layer, { inputSize: size }), grads[j]);
      const what = `${unit.layer} (${unit.y}, ${unit.x}) field ${JSON.stringify(c.field)}`;
      expect(c.outside, `${what}: gradient outside`).toBe(0);
      if (!dense || notDense(unit.layer, unit.y, unit.x)) return;
      const top = unit.y * c.field.stride[0] - c.field.padding[0];
      const left = unit.x * c.field.stride[1] - c.field.padding[1];
      const inside = { top: top >= 0, bottom: top + c.field.size[0] <= size[0], left: left >= 0, right: left + c.field.size[1] <= size[1] };
      for (const edge of ['top', 'bottom', 'left', 'right'] as const) {
        if (inside[edge]) expect(c.edges[edge] ?? 0, `${what}: ${edge} edge`).toBeGreaterThan(0);
      }
    });
  }
  return units.length;
}

/** Linear convolutions, average pools, padding and branches: every path is dense. */
function denseModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [23, 21, 3], name: 'image' });
  let x = L.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', name: 'c1' }).apply(input) as Sym; // 12×11
  x = L.conv2d({ filters: 3, kernelSize: 3, dilationRate: 2, padding: 'same', name: 'c2_dilated' }).apply(x) as Sym;
  x = L.averagePooling2d({ poolSize: 3, strides: 2, padding: 'valid', name: 'p1' }).apply(x) as Sym; // 5×5
  x = L.zeroPadding2d({ padding: [[2, 1], [0, 3]], name: 'zp' }).apply(x) as Sym; // 8×8
  x = L.conv2d({ filters: 4, kernelSize: [5, 3], strides: [1, 2], padding: 'valid', name: 'c3' }).apply(x) as Sym; // 4×3
  const b1 = L.conv2d({ filters: 4, kernelSize: 1, name: 'b1' }).apply(x) as Sym;
  const b2 = L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'b2' }).apply(x) as Sym;
  const b3 = L.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same', name: 'b3' }).apply(x) as Sym;
  const sum = L.add({ name: 'sum' }).apply([b1, b2, b3]) as Sym;
  x = L.concatenate({ name: 'cat' }).apply([sum, b2]) as Sym;
  x = L.conv2d({ filters: 2, kernelSize: 2, strides: 2, padding: 'same', name: 'c4' }).apply(x) as Sym;
  const model = tfl.model({ inputs: input, outputs: x });
  randomizeWeights(model, 21);
  return model;
}

/** Depthwise and separable convolutions, stride-2 'same' on even sizes, a tall dilated kernel, ReLU-free. */
function separableModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [16, 18, 3], name: 'image' });
  let x = L.separableConv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', name: 'sep' }).apply(input) as Sym; // 8×9
  x = L.depthwiseConv2d({ kernelSize: [2, 3], dilationRate: [3, 1], padding: 'same', name: 'dw' }).apply(x) as Sym;
  x = L.averagePooling2d({ poolSize: 2, strides: 2, padding: 'same', name: 'pool' }).apply(x) as Sym; // 4×5
  x = L.conv2d({ filters: 3, kernelSize: 2, strides: 1, padding: 'valid', activation: 'linear', name: 'last' }).apply(x) as Sym;
  const model = tfl.model({ inputs: input, outputs: x });
  randomizeWeights(model, 5);
  return model;
}

/** Branches with different strides meet: the field becomes one patch for every unit (stride 0). */
function mixedStrideModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 3], name: 'image' });
  const a = L.conv2d({ filters: 2, kernelSize: 2, strides: 2, name: 'strided' }).apply(input) as Sym; // 4×4
  const b = L.averagePooling2d({ poolSize: 5, strides: 1, name: 'wide' }).apply(input) as Sym; // 4×4
  const bb = L.conv2d({ filters: 2, kernelSize: 1, name: 'wide_proj' }).apply(b) as Sym;
  const sum = L.add({ name: 'mixed' }).apply([a, bb]) as Sym;
  const after = L.conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'after' }).apply(sum) as Sym;
  const model = tfl.model({ inputs: input, outputs: after });
  randomizeWeights(model, 9);
  return model;
}

describe(`receptiveField on small models (${backend})`, () => {
  it('matches hand-computed fields (strides, dilation, valid/same, ZeroPadding2D, branches)', () => {
    const net = toNet(denseModel());
    const f = (l: string) => receptiveField(net, l);
    // c1: 3×3 stride 2 'same' on 23 rows → pad (11·2+3−23)/2 = 1; on 21 columns → 1.
    expect(f('c1')).toEqual({ size: [3, 3], stride: [2, 2], padding: [1, 1] });
    // c2: dilated span 5, pad 2 in c1 units → size 3 + 4·2, padding 1 + 2·2.
    expect(f('c2_dilated')).toEqual({ size: [11, 11], stride: [2, 2], padding: [5, 5] });
    expect(f('p1')).toEqual({ size: [15, 15], stride: [4, 4], padding: [5, 5] });
    // ZeroPadding2D [[2, 1], [0, 3]] shifts by 2 rows (·4) and no columns.
    expect(f('zp')).toEqual({ size: [15, 15], stride: [4, 4], padding: [13, 5] });
    expect(f('c3')).toEqual({ size: [31, 23], stride: [4, 8], padding: [13, 5] });
    expect(f('b1')).toEqual(f('c3'));
    expect(f('b2')).toEqual({ size: [39, 39], stride: [4, 8], padding: [17, 13] });
    expect(f('sum')).toEqual(f('b2')); // the envelope of b1, b2, b3
    expect(f('cat')).toEqual(f('b2'));
    net.dispose();
  });

  it('the envelope of branches with different strides is one patch for every unit', () => {
    const net = toNet(mixedStrideModel());
    expect(receptiveField(net, 'strided')).toEqual({ size: [2, 2], stride: [2, 2], padding: [0, 0] });
    expect(receptiveField(net, 'mixed')).toEqual({ size: [8, 8], stride: [0, 0], padding: [0, 0] });
    expect(checkAll(net, [8, 8], false)).toBeGreaterThan(0);
    net.dispose();
  });

  it('layers without space (global pooling, flatten, dense) see the whole input', () => {
    const net = toNet(allKindsModel());
    for (const l of ['gap', 'gmp', 'flatten', 'dense_a', 'probs']) {
      expect(receptiveField(net, l), l).toEqual({ size: [12, 12], stride: [0, 0], padding: [0, 0] });
    }
    net.dispose();
  });

  it("asks for inputSize when 'same' padding with stride 2 depends on a free input size", () => {
    const net = toNet(sequentialModel());
    expect(receptiveField(net, 's_conv1')).toEqual({ size: [3, 3], stride: [1, 1], padding: [1, 1] });
    let err: unknown;
    try {
      receptiveField(net, 's_conv2');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DeepvisError);
    expect((err as DeepvisError).code).toBe('BAD_OPTION');
    expect((err as Error).message).toMatch(/inputSize.*|s_pool/);
    // 2×2 stride 2 'same': no padding on even sizes, one row after on odd sizes (tfjs puts the odd pixel after).
    expect(receptiveField(net, 's_conv2', { inputSize: [10, 11] })).toEqual({ size: [8, 8], stride: [2, 2], padding: [1, 1] });
    expect(() => receptiveField(net, 's_conv9', { inputSize: [10, 10] })).toThrow(/s_conv1|s_conv2/);
    expect(() => receptiveField(net, 's_conv2', { inputSize: [10, 0] as [number, number] })).toThrow(/inputSize/);
    net.dispose();
  });

  // A ZeroPadding2D unit inside the padding sees nothing at all: only its centre unit (real) is checked for edges.
  const padding = (l: string, y: number, x: number) => l === 'zp' && !(y === 4 && x === 4);
  const dense: [string, () => tfl.LayersModel, [number, number], number][] = [
    ['dense (strides, dilation, valid/same, ZeroPadding2D, branches)', denseModel, [23, 21], 11],
    ['separable (depthwise, separable, stride-2 same on even sizes)', separableModel, [16, 18], 4],
  ];
  for (const [name, make, size, layers] of dense) {
    it(`${name}: the input gradient is zero outside the field and non-zero on its edges`, () => {
      const net = toNet(make());
      const before = tf.memory().numTensors;
      expect(checkAll(net, size, true, padding)).toBe(3 * layers);
      expect(tf.memory().numTensors).toBe(before);
      net.dispose();
    });
  }

  it('test-helper models: the input gradient is zero outside every spatial layer\'s field', () => {
    // allKinds with dilation 1: tfjs has no gradient for its dilated form under cpu reference checks, but ours has.
    for (const [model, size] of [[allKindsModel(), [12, 12]], [nestedModel(), [8, 8]], [sequentialModel(), [9, 10]]] as const) {
      const net = toNet(model);
      expect(checkAll(net, size as [number, number], false)).toBeGreaterThan(5);
      net.dispose();
    }
  });
});

describe('cropReceptiveField', () => {
  // A 4×5 image whose pixel (r, c, k) holds 100r + 10c + k.
  const image = tf.tensor3d(Array.from({ length: 4 * 5 * 3 }, (_, i) => {
    const k = i % 3;
    const c = Math.floor(i / 3) % 5;
    const r = Math.floor(i / 15);
    return 100 * r + 10 * c + k;
  }), [4, 5, 3]);
  afterAll(() => image.dispose());
  const field: ReceptiveField = { size: [3, 2], stride: [2, 3], padding: [1, 2] };
  const at = (t: tf.Tensor, r: number, c: number) => Array.from((t.arraySync() as number[][][])[r][c]);

  it('cuts the field exactly where it lies inside the image', () => {
    const before = tf.memory().numTensors;
    // unit (1, 1): rows 1..3, columns 1..2
    const crop = cropReceptiveField(image, field, 1, 1);
    expect(crop.shape).toEqual([3, 2, 3]);
    expect(Array.from(crop.dataSync())).toEqual([110, 111, 112, 120, 121, 122, 210, 211, 212, 220, 221, 222, 310, 311, 312, 320, 321, 322]);
    crop.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('pads with zeros, a per-channel colour, or the image mean where the field leaves the image', () => {
    const before = tf.memory().numTensors;
    // unit (0, 0): rows −1..1, columns −2..−1 → entirely outside in columns.
    const outside = cropReceptiveField(image, field, 0, 0, { fill: [1, 2, 3] });
    expect(Array.from(outside.dataSync())).toEqual(new Array(6).fill([1, 2, 3]).flat());
    // unit (2, 2): rows 3..5, columns 4..5 → only (3, 4) inside.
    const corner = cropReceptiveField(image, field, 2, 2);
    expect(Array.from(corner.dataSync())).toEqual([340, 341, 342, ...new Array(15).fill(0)]);
    const mean = cropReceptiveField(image, field, 2, 2, { fill: 'mean' });
    // mean over rows 0..3 and columns 0..4 of 100r + 10c + k = 150 + 20 + k
    expect(at(mean, 0, 0)).toEqual([340, 341, 342]);
    expect(at(mean, 0, 1)).toEqual([170, 171, 172]);
    expect(at(mean, 2, 1)).toEqual([170, 171, 172]);
    // unit (0, 1): rows −1..1, columns 1..2 → first row filled.
    const top = cropReceptiveField(image, field, 0, 1, { fill: 7 });
    expect(Array.from(top.dataSync())).toEqual([7, 7, 7, 7, 7, 7, 10, 11, 12, 20, 21, 22, 110, 111, 112, 120, 121, 122]);
    tf.dispose([outside, corner, mean, top]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a batch and a bad fill with errors that say what to pass', () => {
    const batch = tf.zeros([1, 4, 5, 3]);
    expect(() => cropReceptiveField(batch as unknown as tf.Tensor3D, field, 0, 0)).toThrow(/\[h, w, c\]/);
    expect(() => cropReceptiveField(image, field, 0, 0, { fill: [1, 2] })).toThrow(/fill/);
    batch.dispose();
  });
});

// Darknet-Tiny is ~30× slower on cpu; its gradients run on wasm only.
describe.skipIf(!HAS_DARKNET || backend === 'cpu')(`receptiveField of Darknet-Tiny (${backend})`, () => {
  let net: Net;
  it('loads', async () => {
    net = toNet(await loadLayersModelFile(DARKNET), { inputRange: [0, 1] });
  });
  afterAll(() => net?.dispose());

  it('matches the architecture: 3×3 convolutions and 2×2 stride-2 pools', () => {
    // conv1 3 → pool 4 (stride 2) → conv2 8 → pool 10 (4) → conv4 18 → conv6 26 → pool 30 (8)
    // → conv8 46 → conv10 62 → pool 70 (16) → conv12 102 → conv14 134.
    expect(receptiveField(net, 'leaky_re_lu_1')).toEqual({ size: [3, 3], stride: [1, 1], padding: [1, 1] });
    expect(receptiveField(net, 'leaky_re_lu_5')).toEqual({ size: [18, 18], stride: [4, 4], padding: [7, 7] });
    expect(receptiveField(net, 'leaky_re_lu_15')).toEqual({ size: [134, 134], stride: [16, 16], padding: [59, 59] });
    expect(receptiveField(net, 'conv2d_16')).toEqual({ size: [134, 134], stride: [16, 16], padding: [59, 59] });
    expect(receptiveField(net, 'global_average_pooling2d_1')).toEqual({ size: [224, 224], stride: [0, 0], padding: [0, 0] });
  });

  it('the input gradient of every layer is zero outside its field at 64×64', () => {
    const before = tf.memory().numTensors;
    // The centre unit and the last corner (wasm's exact max-pool gradient is slow; each unit costs ~0.3 s).
    expect(checkAll(net, [64, 64], false, undefined, false)).toBeGreaterThan(100);
    expect(tf.memory().numTensors).toBe(before);
  });
});
