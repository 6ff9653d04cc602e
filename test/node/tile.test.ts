import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { tileLayout, tileActivations, channelImage, TILE_PADDING_COLOR, type TileOptions } from '../../src/activations/index';
import { gridSpec, layOutGrid } from '../../src/activations/tile';
import { asChannelMap } from '../../src/util/grid';
import { loadLayersModelFile } from '../../src/backends/node';
import { toNet } from '../../src/net/index';
import { errorOf } from '../helpers/errors';
import { DARKNET, HAS_DARKNET } from '../helpers/shared';
import { threeTiles } from '../helpers/three-tiles';

const backend = process.env.DEEPVIS_BACKEND;
const P = -1; // a padding pixel in the expected grey grids below

describe('tileLayout: the grid geometry', () => {
  it('is near-square, row-major, with padding between tiles and around the outside', () => {
    const g = tileLayout(16, 8, 8);
    expect([g.cols, g.rows, g.width, g.height]).toEqual([4, 4, 37, 37]);
    expect(g.origin(0)).toEqual([1, 1]);
    expect(g.origin(5)).toEqual([10, 10]);
    expect(g.origin(15)).toEqual([28, 28]);
    const odd = tileLayout(5, 3, 4, { padding: 2 });
    // cols = ceil(√5) = 3, rows = ceil(5/3) = 2; width 3·(4+2)+2, height 2·(3+2)+2
    expect([odd.cols, odd.rows, odd.width, odd.height]).toEqual([3, 2, 20, 12]);
    expect(odd.origin(4)).toEqual([7, 8]);
    expect(tileLayout(1000, 1, 1)).toMatchObject({ cols: 32, rows: 32 });
    expect(tileLayout(3, 2, 2, { padding: 0 })).toMatchObject({ cols: 2, rows: 2, width: 4, height: 4 });
  });

  it('channelAt maps pixels to channels: null on padding, empty slots and outside', () => {
    const g = tileLayout(5, 3, 4, { padding: 2 });
    expect(g.channelAt(2, 2)).toBe(0);
    expect(g.channelAt(4.9, 5.9)).toBe(0); // fractional positions (mouse coordinates) floor
    expect(g.channelAt(5, 2)).toBeNull(); // padding below tile 0
    expect(g.channelAt(2, 6)).toBeNull(); // padding right of tile 0
    expect(g.channelAt(2, 8)).toBe(1);
    expect(g.channelAt(7, 8)).toBe(4);
    expect(g.channelAt(7, 14)).toBeNull(); // slot 5 is empty
    expect(g.channelAt(-1, 3)).toBeNull();
    expect(g.channelAt(3, 40)).toBeNull();
    expect(g.channelAt(1, 1)).toBeNull();
    // Every channel's origin maps back to it, and so does its last pixel.
    for (let c = 0; c < 5; c++) {
      const [y, x] = g.origin(c);
      expect([g.channelAt(y, x), g.channelAt(y + 2, x + 3)]).toEqual([c, c]);
    }
  });

  it('rejects bad sizes and channels out of range', () => {
    expect(() => tileLayout(0, 2, 2)).toThrowError(/Option 'channels' must be an integer ≥ 1; got 0/);
    expect(() => tileLayout(4, 2, 2, { padding: -1 })).toThrowError(/Option 'padding'/);
    expect(() => tileLayout(4, 2, 2).origin(4)).toThrowError(/channels 0…3/);
  });
});

describe(`tileActivations: exact pixels on hand-made activations (${backend})`, () => {
  // Three 2×2 channels, values in 0…12, act[y][x] = [ch0, ch1, ch2].
  //   ch0 = [[0, 3], [6, 12]]   ch1 = [[12, 12], [0, 0]]   ch2 = [[3, 0], [0, 6]]
  const values = [0, 12, 3, 3, 12, 0, 6, 0, 0, 12, 0, 6];
  const act = () => tf.tensor4d(values, [1, 2, 2, 3]);

  /** The grid as rows of grey values, padding as P; checks the image is RGB grey / padding colour. */
  const grey = (img: tf.Tensor3D): number[][] => {
    const [h, w, d] = img.shape;
    expect(d).toBe(3);
    const v = img.dataSync();
    img.dispose();
    const rows: number[][] = [];
    for (let y = 0; y < h; y++) {
      const row: number[] = [];
      for (let x = 0; x < w; x++) {
        const [r, g, b] = [0, 1, 2].map((k) => v[(y * w + x) * 3 + k]);
        if (r === TILE_PADDING_COLOR[0] && g === TILE_PADDING_COLOR[1] && b === TILE_PADDING_COLOR[2]) row.push(P);
        else {
          expect([g, b]).toEqual([r, r]);
          row.push(Math.round(r * 1000) / 1000);
        }
      }
      rows.push(row);
    }
    return rows;
  };
  const tile = (options?: TileOptions, input: tf.Tensor = act()) => {
    const img = tileActivations(input, options);
    input.dispose();
    return img;
  };
  const layout = (c0: number[], c1: number[], c2: number[]) => threeTiles(P, c0, c1, c2);

  it('one min-max over the whole layer by default (0 → 0, 12 → 255)', () => {
    expect(grey(tile())).toEqual(layout([0, 63.75, 127.5, 255], [255, 255, 0, 0], [63.75, 0, 0, 127.5]));
  });

  it("normalize 'channel': each channel its own min-max", () => {
    expect(grey(tile({ normalize: 'channel' }))).toEqual(layout([0, 63.75, 127.5, 255], [255, 255, 0, 0], [127.5, 0, 0, 255]));
  });

  it('boost scales each channel by its max^-b; gamma is applied last', () => {
    // ch2's normalized max is 0.5: b = 1 doubles it, b = 0.5 multiplies by √2; ch0 and ch1 (max 1) stay.
    expect(grey(tile({ boost: 1 }))).toEqual(layout([0, 63.75, 127.5, 255], [255, 255, 0, 0], [127.5, 0, 0, 255]));
    const r = (v: number) => Math.round(v * 1000) / 1000;
    expect(grey(tile({ boost: 0.5 }))).toEqual(layout([0, 63.75, 127.5, 255], [255, 255, 0, 0], [r(63.75 * Math.SQRT2), 0, 0, r(127.5 * Math.SQRT2)]));
    const g = (v: number) => r(255 * Math.sqrt(v));
    expect(grey(tile({ gamma: 0.5 }))).toEqual(layout([0, g(0.25), g(0.5), 255], [255, 255, 0, 0], [g(0.25), 0, 0, g(0.5)]));
  });

  it('a rank-3 [h, w, c] map gives the same grid; padding 0 packs the tiles', () => {
    expect(grey(tile({}, tf.tensor3d(values, [2, 2, 3])))).toEqual(layout([0, 63.75, 127.5, 255], [255, 255, 0, 0], [63.75, 0, 0, 127.5]));
    expect(grey(tile({ padding: 0 }))).toEqual([
      [0, 63.75, 255, 255],
      [127.5, 255, 0, 0],
      [63.75, 0, P, P],
      [0, 127.5, P, P],
    ]);
  });

  it('fully connected units are drawn as blockSize squares', () => {
    const fc = tf.tensor2d([0, 6, 12], [1, 3]);
    expect(grey(tile({ blockSize: 2 }, fc))).toEqual(layout([0, 0, 0, 0], [127.5, 127.5, 127.5, 127.5], [255, 255, 255, 255]));
    const flat = tileActivations(tf.tensor1d([0, 6, 12]));
    expect(flat.shape).toEqual([2 * 9 + 1, 2 * 9 + 1, 3]); // default blockSize 8
    flat.dispose();
  });

  it('a constant layer is black, not NaN', () => {
    const rows = grey(tile({}, tf.fill([1, 2, 2, 3], 5)));
    expect(rows.flat().every((v) => v === 0 || v === P)).toBe(true);
  });

  it('highlighted tiles get a border over the padding around them, in their colour', () => {
    const img = tile({ highlight: [{ channel: 1, color: [255, 0, 0] }, { channel: 2 }] });
    const v = Array.from(img.dataSync());
    img.dispose();
    const px = (y: number, x: number) => v.slice((y * 7 + x) * 3, (y * 7 + x) * 3 + 3);
    // Channel 1's tile spans rows 1–2, cols 4–5: its ring is rows 0–3 × cols 3–6, minus the inside.
    for (let y = 0; y <= 3; y++) for (let x = 3; x <= 6; x++) {
      const onRing = y === 0 || y === 3 || x === 3 || x === 6;
      if (onRing && !(y === 3 && x <= 3)) expect(px(y, x), `(${y}, ${x})`).toEqual([255, 0, 0]);
    }
    expect(px(1, 4)).toEqual([255, 255, 255]); // the tile itself is untouched
    // Channel 2 (later, default colour) wins where the rings share the corner pixel (3, 3).
    expect(px(3, 3)).toEqual([255, 200, 0]);
    expect(px(6, 0)).toEqual([255, 200, 0]);
    expect(px(4, 1)).toEqual([63.75, 63.75, 63.75]);
    expect(px(6, 6)).toEqual([...TILE_PADDING_COLOR]);
    // Without padding the border is the tile's own outer pixel.
    const packed = tile({ padding: 0, highlight: [{ channel: 0, color: [0, 0, 255] }] });
    const p = Array.from(packed.dataSync());
    packed.dispose();
    expect(p.slice(0, 3)).toEqual([0, 0, 255]);
    expect(p.slice(5 * 3, 5 * 3 + 3)).toEqual([0, 0, 255]);
    expect(p.slice(2 * 3, 2 * 3 + 3)).toEqual([255, 255, 255]);
  });

  it('errors: bad options, channel out of range, a batch', () => {
    const a = act();
    expect(errorOf(() => tileActivations(a, { normalize: 'global' as 'layer' }))).toMatch(/^BAD_OPTION: Option 'normalize' must be 'layer' or 'channel'; got 'global'/);
    expect(errorOf(() => tileActivations(a, { boost: -0.5 }))).toMatch(/^BAD_OPTION: Option 'boost'/);
    expect(errorOf(() => tileActivations(a, { gamma: 0 }))).toMatch(/^BAD_OPTION: Option 'gamma'/);
    expect(errorOf(() => tileActivations(a, { highlight: [{ channel: 3 }] }))).toMatch(/^OUT_OF_RANGE: Highlighted channel 3 is out of range: this layer has 3 channels \(0…2\)/);
    const batch = tf.zeros([2, 2, 2, 3]);
    expect(errorOf(() => tileActivations(batch))).toMatch(/^BAD_SHAPE: .*got shape \[2, 2, 2, 3\]/);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) tileActivations(a, { boost: 0.3, gamma: 0.7, highlight: [{ channel: i % 3 }] }).dispose();
    expect(() => tileActivations(a, { highlight: [{ channel: 9 }] })).toThrow();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, batch]);
  });
});

describe(`channelImage: one channel enlarged (${backend})`, () => {
  const values = [0, 12, 3, 3, 12, 0, 6, 0, 0, 12, 0, 6];
  const greyOf = (img: tf.Tensor3D) => {
    const v = img.dataSync();
    const out = { shape: img.shape, grey: Array.from(v).filter((_, i) => i % 3 === 0), rgbEqual: Array.from(v).every((x, i) => x === v[i - (i % 3)]) };
    img.dispose();
    return out;
  };

  it('nearest-neighbour blocks of the layer-normalized values (like its tile)', () => {
    const act = tf.tensor4d(values, [1, 2, 2, 3]);
    const a = greyOf(channelImage(act, 0, { size: 4 }));
    expect(a.shape).toEqual([4, 4, 3]);
    expect(a.rgbEqual).toBe(true);
    expect(a.grey).toEqual([0, 0, 63.75, 63.75, 0, 0, 63.75, 63.75, 127.5, 127.5, 255, 255, 127.5, 127.5, 255, 255]);
    expect(greyOf(channelImage(act, 2, { size: 2 })).grey).toEqual([63.75, 0, 0, 127.5]);
    expect(greyOf(channelImage(act, 2, { size: 2, normalize: 'channel' })).grey).toEqual([127.5, 0, 0, 255]);
    const wide = greyOf(channelImage(act, 1, { size: [2, 6] }));
    expect(wide.shape).toEqual([2, 6, 3]);
    expect(wide.grey).toEqual([255, 255, 255, 255, 255, 255, 0, 0, 0, 0, 0, 0]);
    expect(greyOf(channelImage(act, 1)).shape).toEqual([256, 256, 3]);
    act.dispose();
  });

  it('keeps the aspect ratio for a number size; a fully connected unit is one square', () => {
    const strip = tf.tensor3d([1, 2], [1, 2, 1]);
    expect(greyOf(channelImage(strip, 0, { size: 8 })).shape).toEqual([4, 8, 3]);
    const fc = tf.tensor2d([0, 6, 12], [1, 3]);
    const unit = greyOf(channelImage(fc, 1, { size: 3 }));
    expect(unit.shape).toEqual([3, 3, 3]);
    expect(unit.grey).toEqual(Array(9).fill(127.5));
    tf.dispose([strip, fc]);
  });

  it('rejects a channel out of range and a bad size, leaving no tensors', () => {
    const act = tf.tensor4d(values, [1, 2, 2, 3]);
    const before = tf.memory().numTensors;
    expect(() => channelImage(act, 3)).toThrowError(/channel 3 is out of range: this layer has 3 channels \(0…2\)/);
    expect(() => channelImage(act, 0, { size: 0 })).toThrowError(/Option 'size' must be an integer ≥ 1 or \[h, w\]/);
    for (let i = 0; i < 10; i++) channelImage(act, i % 3, { size: 16 }).dispose();
    expect(tf.memory().numTensors).toBe(before);
    act.dispose();
  });
});

describe(`tiling paths agree on Darknet-Tiny's activations (${process.env.DEEPVIS_BACKEND})`, () => {
  it.skipIf(!HAS_DARKNET)('the JavaScript pass equals the tensor ops for every layer and option mix', async () => {
    const net = toNet(await loadLayersModelFile(DARKNET), { inputRange: [0, 1] });
    const pixels = tf.randomUniform([1, 64, 64, 3], 0, 255, 'float32', 4) as tf.Tensor4D;
    const layers = net.layers.filter((l) => l.outputShape.length === 3 || l.outputShape.length === 1).map((l) => l.name);
    const acts = net.forward(pixels, { taps: layers });
    const mixes: Required<TileOptions>[] = [
      { normalize: 'layer', boost: 0, gamma: 1, padding: 1, highlight: [], blockSize: 8 },
      { normalize: 'channel', boost: 0.5, gamma: 0.7, padding: 2, highlight: [{ channel: 1 }, { channel: 0, color: [0, 9, 99] }], blockSize: 8 },
      { normalize: 'layer', boost: 0, gamma: 1, padding: 0, highlight: [{ channel: 2 }], blockSize: 3 },
    ];
    const before = tf.memory().numTensors;
    for (const l of layers) {
      for (const options of mixes) {
        const { map, fc } = asChannelMap(acts[l]);
        const spec = gridSpec(map.shape, fc, options);
        const [a, b] = [layOutGrid(map, spec, true), layOutGrid(map, spec, false)];
        const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
        expect(diff, `${l} ${JSON.stringify(options)}`).toBeLessThan(1e-3);
        expect(a.shape).toEqual(b.shape);
        tf.dispose([a, b, map]);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([pixels, ...Object.values(acts)]);
    net.dispose();
  });
});
