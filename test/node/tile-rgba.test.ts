import { afterEach, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { tileActivations, tileActivationsRgba, TILE_PADDING_COLOR, type TileOptions, type TiledImage } from '../../src/index';
import { float32Values } from '../../src/activations/tile-arrays';
import { GammaBytes } from '../../src/activations/gamma-bytes';
import { loadLayersModelFile } from '../../src/backends/node';
import { toNet } from '../../src/net/index';
import { errorOf } from '../helpers/errors';
import { DARKNET, HAS_DARKNET } from '../helpers/shared';
import { threeTiles } from '../helpers/three-tiles';

// Lets a test take the GPU backends' path (tensor ops, then one readback) on a Node backend.
const forced = vi.hoisted(() => ({ onArrays: undefined as boolean | undefined }));
vi.mock('../../src/activations/tile-arrays', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/activations/tile-arrays')>();
  return { ...m, tilesOnArrays: () => forced.onArrays ?? m.tilesOnArrays() };
});
afterEach(() => {
  forced.onArrays = undefined;
});

const backend = process.env.DEEPVIS_BACKEND;
const P = TILE_PADDING_COLOR[0];

/** The image's pixels as rows of greys; checks every pixel is opaque grey. */
function greys({ width, height, data }: TiledImage): number[][] {
  expect(data).toBeInstanceOf(Uint8ClampedArray);
  expect(data.length).toBe(width * height * 4);
  const rows: number[][] = [];
  for (let y = 0; y < height; y++) {
    const row: number[] = [];
    for (let x = 0; x < width; x++) {
      const [r, g, b, a] = data.subarray((y * width + x) * 4, (y * width + x) * 4 + 4);
      expect([g, b, a], `(${y}, ${x})`).toEqual([r, r, 255]);
      row.push(r);
    }
    rows.push(row);
  }
  return rows;
}

/**
 * Checks each byte against `Math.round` of the RGB value clamped to 0–255; where a float32
 * value lies within 1e-3 of x.5 either neighbour passes.
 */
function expectBytesOf(img: TiledImage, rgb: tf.Tensor3D, what: string): void {
  const [h, w] = rgb.shape;
  expect([img.height, img.width], what).toEqual([h, w]);
  const v = rgb.dataSync();
  // Plain loops, one expect at the end: an expect per byte takes minutes on the large layers.
  const wrong: string[] = [];
  for (let p = 0; p < h * w; p++) {
    if (img.data[p * 4 + 3] !== 255) wrong.push(`pixel ${p}: alpha ${img.data[p * 4 + 3]}`);
    for (let k = 0; k < 3; k++) {
      const value = v[p * 3 + k];
      const want = Math.min(255, Math.max(0, Math.round(value)));
      const got = img.data[p * 4 + k];
      const nearTie = Math.abs((value % 1) - 0.5) < 1e-3 && Math.abs(got - want) === 1;
      if (got !== want && !nearTie) wrong.push(`pixel ${p} channel ${k}: ${got} for ${value}`);
    }
  }
  expect(wrong.slice(0, 5), what).toEqual([]);
}

describe(`tileActivationsRgba: exact bytes on hand-made activations (${backend})`, () => {
  // The activation of tile.test.ts: three 2×2 channels, values in 0…12, act[y][x] = [ch0, ch1, ch2].
  //   ch0 = [[0, 3], [6, 12]]   ch1 = [[12, 12], [0, 0]]   ch2 = [[3, 0], [0, 6]]
  const values = [0, 12, 3, 3, 12, 0, 6, 0, 0, 12, 0, 6];
  const act = () => tf.tensor4d(values, [1, 2, 2, 3]);
  const tile = (options?: TileOptions, input: tf.Tensor = act()) => {
    try {
      return tileActivationsRgba(input, options);
    } finally {
      input.dispose();
    }
  };
  const layout = (c0: number[], c1: number[], c2: number[]) => threeTiles(P, c0, c1, c2);

  it('one min-max over the layer: 63.75 → 64, 127.5 → 128 (Math.round)', () => {
    const img = tile();
    expect([img.width, img.height]).toEqual([7, 7]);
    expect(greys(img)).toEqual(layout([0, 64, 128, 255], [255, 255, 0, 0], [64, 0, 0, 128]));
  });

  it("normalize 'channel', boost and gamma", () => {
    expect(greys(tile({ normalize: 'channel' }))).toEqual(layout([0, 64, 128, 255], [255, 255, 0, 0], [128, 0, 0, 255]));
    expect(greys(tile({ boost: 1 }))).toEqual(layout([0, 64, 128, 255], [255, 255, 0, 0], [128, 0, 0, 255]));
    // ch2 × √2: 63.75·√2 = 90.16, 127.5·√2 = 180.31.
    expect(greys(tile({ boost: 0.5 }))).toEqual(layout([0, 64, 128, 255], [255, 255, 0, 0], [90, 0, 0, 180]));
    // 255·√0.25 = 127.5 → 128, 255·√0.5 = 180.31 → 180.
    expect(greys(tile({ gamma: 0.5 }))).toEqual(layout([0, 128, 180, 255], [255, 255, 0, 0], [128, 0, 0, 180]));
  });

  it('padding 0 packs the tiles; a rank-3 map gives the same grid', () => {
    expect(greys(tile({ padding: 0 }))).toEqual([
      [0, 64, 255, 255],
      [128, 255, 0, 0],
      [64, 0, P, P],
      [0, 128, P, P],
    ]);
    expect(greys(tile({}, tf.tensor3d(values, [2, 2, 3])))).toEqual(layout([0, 64, 128, 255], [255, 255, 0, 0], [64, 0, 0, 128]));
  });

  it('fully connected [1, c] and [c]: blockSize squares', () => {
    expect(greys(tile({ blockSize: 2 }, tf.tensor2d([0, 6, 12], [1, 3])))).toEqual(layout([0, 0, 0, 0], [128, 128, 128, 128], [255, 255, 255, 255]));
    const flat = tile({}, tf.tensor1d([0, 6, 12]));
    expect([flat.width, flat.height]).toEqual([19, 19]); // default blockSize 8
    expect(greys(flat)[1].slice(0, 11)).toEqual([P, 0, 0, 0, 0, 0, 0, 0, 0, P, 128]);
  });

  it('a constant layer is black; values past 255 (boost > 1) clamp', () => {
    expect(greys(tile({}, tf.fill([1, 2, 2, 3], 5))).flat().every((v) => v === 0 || v === P)).toBe(true);
    // boost 2 doubles ch2 twice over: 63.75·4 = 255, 127.5·4 = 510 → 255.
    expect(greys(tile({ boost: 2 }))).toEqual(layout([0, 64, 128, 255], [255, 255, 0, 0], [255, 0, 0, 255]));
  });

  it('highlighted tiles get a border in their colour, later ones winning; alpha stays 255', () => {
    const { data } = tile({ highlight: [{ channel: 1, color: [255, 0, 0] }, { channel: 2 }], gamma: 0.5 });
    const px = (y: number, x: number) => Array.from(data.subarray((y * 7 + x) * 4, (y * 7 + x) * 4 + 4));
    for (let y = 0; y <= 3; y++) for (let x = 3; x <= 6; x++) {
      const onRing = y === 0 || y === 3 || x === 3 || x === 6;
      if (onRing && !(y === 3 && x <= 3)) expect(px(y, x), `(${y}, ${x})`).toEqual([255, 0, 0, 255]);
    }
    expect(px(1, 4)).toEqual([255, 255, 255, 255]);
    expect(px(3, 3)).toEqual([255, 200, 0, 255]);
    expect(px(6, 0)).toEqual([255, 200, 0, 255]);
    expect(px(4, 1)).toEqual([128, 128, 128, 255]);
    expect(px(6, 6)).toEqual([P, P, P, 255]);
    // Without padding the border is the tile's own outer pixel.
    const packed = tile({ padding: 0, highlight: [{ channel: 0, color: [0, 0, 255] }] }).data;
    expect(Array.from(packed.subarray(0, 4))).toEqual([0, 0, 255, 255]);
    expect(Array.from(packed.subarray(5 * 4, 6 * 4))).toEqual([0, 0, 255, 255]);
    expect(Array.from(packed.subarray(2 * 4, 3 * 4))).toEqual([255, 255, 255, 255]);
  });

  it('the GPU backends\' path (tensor ops, one readback) gives the same bytes', () => {
    for (const options of [{}, { normalize: 'channel', boost: 0.5, gamma: 0.7, highlight: [{ channel: 2, color: [10, 20, 30] }] }] as TileOptions[]) {
      const onArrays = tile(options);
      forced.onArrays = false;
      const viaOps = tile(options);
      forced.onArrays = undefined;
      expect(Array.from(viaOps.data)).toEqual(Array.from(onArrays.data));
    }
  });

  it('the same errors as tileActivations, and no tensors left behind', () => {
    const a = act();
    const batch = tf.zeros([2, 2, 2, 3]);
    const before = tf.memory().numTensors;
    const bad: [tf.Tensor, TileOptions][] = [
      [a, { normalize: 'global' as 'layer' }],
      [a, { boost: -0.5 }],
      [a, { gamma: 0 }],
      [a, { padding: 1.5 }],
      [a, { blockSize: 0 }],
      [a, { highlight: {} as [] }],
      [a, { highlight: [{ channel: 3 }] }],
      [a, { highlight: [{ channel: 0, color: [1, 2] as unknown as [number, number, number] }] }],
      [batch, {}],
    ];
    for (const [input, options] of bad) {
      const want = errorOf(() => tileActivations(input, options));
      expect(want).not.toBe('no error');
      expect(errorOf(() => tileActivationsRgba(input, options))).toBe(want);
    }
    expect(errorOf(() => tileActivationsRgba(batch))).toMatch(/^BAD_SHAPE: .*got shape \[2, 2, 2, 3\]/);
    for (let i = 0; i < 10; i++) tileActivationsRgba(a, { boost: 0.3, gamma: 0.7, highlight: [{ channel: i % 3 }] });
    expect(tf.memory().numTensors).toBe(before);
    a.dispose();
    expect(errorOf(() => tileActivationsRgba(a))).toMatch(/^DISPOSED:/);
    batch.dispose();
  });
});

describe('GammaBytes: Math.round(255 · u^γ) by table', () => {
  it('equals the pow for each gamma, over random u, every threshold ± a hair, and the edges', () => {
    const rand = tf.randomUniform([20000], 0, 1, 'float32', 3).dataSync();
    for (const gamma of [0.05, 0.3, 0.5, 0.7, 1.5, 3, 40]) {
      const table = new GammaBytes(gamma);
      const us = [...Array.from(rand), ...Array.from(rand, (u) => u * 1e-3), 0, 1e-300, 1 - 1e-12, 1, 1.5, 1e9, -0.1, -1e-300];
      for (let k = 1; k < 256; k++) {
        const t = ((k - 0.5) / 255) ** (1 / gamma);
        us.push(t * (1 - 1e-9), t * (1 + 1e-9));
      }
      // As a Uint8ClampedArray stores it: NaN (a negative u's pow) is 0.
      const wrong = us.filter((u) => table.of(u) !== (Math.min(255, Math.max(0, Math.round(255 * u ** gamma))) || 0));
      expect(wrong, `gamma ${gamma}`).toEqual([]);
    }
    expect(new GammaBytes(0.5).of(NaN)).toBe(0);
  });
});

describe(`float32Values (${backend})`, () => {
  it('returns the values of dataSync as float32 for any dtype', () => {
    const t = tf.randomUniform([3, 5, 7], -2, 2, 'float32', 1);
    expect(float32Values(t)).toBeInstanceOf(Float32Array);
    expect(Array.from(float32Values(t))).toEqual(Array.from(t.dataSync()));
    const ints = tf.tensor1d([1, -2, 3], 'int32');
    expect(float32Values(ints)).toEqual(new Float32Array([1, -2, 3]));
    tf.dispose([t, ints]);
  });
});

describe(`tileActivationsRgba agrees with tileActivations on Darknet-Tiny (${backend})`, () => {
  it.skipIf(!HAS_DARKNET)('every layer, three option mixes; also against the tensor-op path', async () => {
    const net = toNet(await loadLayersModelFile(DARKNET), { inputRange: [0, 1] });
    const pixels = tf.randomUniform([1, 64, 64, 3], 0, 255, 'float32', 4) as tf.Tensor4D;
    const layers = net.layers.filter((l) => l.outputShape.length === 3 || l.outputShape.length === 1).map((l) => l.name);
    const acts = net.forward(pixels, { taps: layers });
    const mixes: TileOptions[] = [
      {},
      { normalize: 'channel', boost: 0.5, gamma: 0.7, padding: 2, highlight: [{ channel: 1 }, { channel: 0, color: [0, 9, 99] }] },
      { boost: 1.5, padding: 0, highlight: [{ channel: 2 }], blockSize: 3 },
    ];
    const before = tf.memory().numTensors;
    for (const l of layers) {
      for (const options of mixes) {
        const what = `${l} ${JSON.stringify(options)}`;
        const img = tileActivationsRgba(acts[l], options);
        const rgb = tileActivations(acts[l], options);
        forced.onArrays = false;
        const rgbViaOps = tileActivations(acts[l], options);
        forced.onArrays = undefined;
        expectBytesOf(img, rgb, what);
        // The tensor ops' float32 values are within 1e-3 of the JavaScript pass's: the bytes agree too.
        expectBytesOf(img, rgbViaOps, `${what} vs the tensor ops`);
        tf.dispose([rgb, rgbViaOps]);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([pixels, ...Object.values(acts)]);
    net.dispose();
  });
});
