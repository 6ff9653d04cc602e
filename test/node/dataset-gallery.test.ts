import { describe, expect, it, afterAll } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { toNet, DeepvisError } from '../../src/index';
import { backward, backwardImage } from '../../src/attribution/index';
import { cropReceptiveField, montage, topActivations, unitMontage, type DatasetImage } from '../../src/dataset/index';
import { receptiveField } from '../../src/net/index';
import { writeGallery } from '../../src/dataset/gallery-node';
import { parseAtlas } from '../../src/dataset/atlas';
import { decodeImage } from '../../src/backends/node';
import { sequentialModel } from '../helpers/models';

const backend = process.env.DEEPVIS_BACKEND;

describe('montage', () => {
  it('tiles row-major with gaps and background, exactly', () => {
    const a = tf.fill([2, 1, 3], 1) as tf.Tensor3D;
    const b = tf.fill([2, 1, 3], 2) as tf.Tensor3D;
    const c = tf.fill([2, 1, 3], 3) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    const m = montage([a, b, c], { cols: 2, gap: 1, background: [7, 8, 9] });
    // 2 rows × 2 cols of 2×1 tiles, 1-px gaps: [5, 3]; the empty fourth cell is background.
    expect(m.shape).toEqual([5, 3, 3]);
    const px = (v: number) => [v, v, v];
    const bg = [7, 8, 9];
    const rowOf = (l: number[], r: number[]) => [...l, ...bg, ...r];
    expect(Array.from(m.dataSync())).toEqual([
      ...rowOf(px(1), px(2)), ...rowOf(px(1), px(2)),
      ...bg, ...bg, ...bg,
      ...rowOf(px(3), bg), ...rowOf(px(3), bg),
    ]);
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const square = montage([a, b, c, a, b]); // default: ceil(sqrt(5)) = 3 columns, 2 rows, white gaps
    expect(square.shape).toEqual([5, 5, 3]);
    expect(Array.from(square.dataSync()).slice(3, 6)).toEqual([255, 255, 255]);
    square.dispose();
    expect(() => montage([a, tf.zeros([1, 1, 3]) as tf.Tensor3D])).toThrow(/tile 1/);
    expect(() => montage([a, b, c], { cols: 1, rows: 2 })).toThrow(/rows/);
    tf.dispose([a, b, c]);
  });
});

describe(`unitMontage and writeGallery on a small model (${backend})`, () => {
  const net = toNet(sequentialModel());
  const images: DatasetImage[] = Array.from({ length: 12 }, (_, i) => ({
    id: `photo ${i}`, pixels: tf.randomUniform([24, 22, 3], 0, 255, 'float32', 40 + i) as tf.Tensor3D,
  }));
  const byId = new Map(images.map((i) => [i.id, i.pixels]));
  const load = (id: string) => tf.clone(byId.get(id)!);
  let dir = '';
  afterAll(async () => {
    tf.dispose(images.map((i) => i.pixels));
    net.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('crops only: the grid holds each top image\'s receptive-field crop, best first', async () => {
    const top = await topActivations(net, images, { layers: ['s_conv2'], k: 9 });
    const before = tf.memory().numTensors;
    const picture = await unitMontage(net, top, 's_conv2', 2, load, { mode: 'none', tileSize: 1, fill: 0 });
    const field = receptiveField(net, 's_conv2', { inputSize: [24, 22] });
    expect(field.size).toEqual([8, 8]);
    const crops = top.layers.s_conv2.units[2].map((e) => cropReceptiveField(byId.get(e.id)!, field, e.y, e.x));
    const expected = montage(crops, { cols: 3, rows: 3 });
    expect(picture.shape).toEqual([26, 26, 3]);
    expect(Array.from(picture.dataSync())).toEqual(Array.from(expected.dataSync()));
    tf.dispose([picture, expected, ...crops]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('deconv beside the crops: each tile is the unit\'s deconv on the whole image at its maximum, cropped to the field', async () => {
    const top = await topActivations(net, images, { layers: ['s_conv2'], k: 9 });
    const before = tf.memory().numTensors;
    const picture = await unitMontage(net, top, 's_conv2', 1, load, { tileSize: 16, gap: 8, fill: 0 });
    // 8×8 crops enlarged ×2 → 16; 3 tiles + 2 gaps = 50; two grids and an 8-px gap.
    expect(picture.shape).toEqual([50, 108, 3]);
    const field = receptiveField(net, 's_conv2', { inputSize: [24, 22] });
    // unitMontage runs backward on a window around the field; the reference runs it on the whole image.
    const entries = top.layers.s_conv2.units[1];
    expect(new Set(entries.map((e) => `${e.y},${e.x}`)).size).toBeGreaterThan(3); // maxima all over the map
    entries.forEach((e, i) => {
      const expected = tf.tidy(() => {
        const g = backward(net, tf.expandDims(byId.get(e.id)!) as tf.Tensor4D, { layer: 's_conv2', channel: 1, at: [e.y, e.x], mode: 'deconv' });
        const tile = backwardImage(cropReceptiveField(tf.squeeze(g, [0]) as tf.Tensor3D, field, e.y, e.x), 'norm');
        return tf.image.resizeNearestNeighbor(tile, [16, 16]);
      });
      const got = tf.slice(picture, [Math.floor(i / 3) * 17, 58 + (i % 3) * 17, 0], [16, 16, 3]);
      const [a, b] = [got.dataSync(), expected.dataSync()];
      expect(Math.max(...b), `tile ${i}`).toBe(255); // a real signal, scaled
      expect(Math.max(...a.map((v, j) => Math.abs(v - b[j]))), `tile ${i}`).toBeLessThan(1e-3);
      tf.dispose([expected, got]);
    });
    tf.dispose(picture);
    expect(tf.memory().numTensors).toBe(before);
    await expect(unitMontage(net, top, 's_conv2', 6, load)).rejects.toThrow(/0…5/);
    await expect(unitMontage(net, top, 's_conv1', 0, load)).rejects.toBeInstanceOf(DeepvisError);
  });

  it('writeGallery writes one PNG per unit and an HTML page listing them', async () => {
    const top = await topActivations(net, images, { layers: ['s_conv1', 's_conv2'], k: 4 });
    dir = await mkdtemp(join(tmpdir(), 'deepvis-gallery-'));
    const before = tf.memory().numTensors;
    const seen: string[] = [];
    const files = await writeGallery(dir, net, top, load, {
      units: { s_conv1: [0, 3], s_conv2: [5] }, title: 'Test <gallery>',
      onProgress: (p) => seen.push(`${p.done}/${p.total} ${p.layer}:${p.unit}`),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(seen).toEqual(['1/3 s_conv1:0', '2/3 s_conv1:3', '3/3 s_conv2:5']);
    expect(files.images.map((f) => f.slice(dir.length + 1))).toEqual(['s_conv1-unit-0.png', 's_conv1-unit-3.png', 's_conv2-unit-5.png']);
    // s_conv1: 3×3 fields enlarged ×21 to 63 px; k = 4 → a 2-row grid of 3 columns.
    const png = decodeImage(await readFile(files.images[0]));
    expect(png.shape).toEqual([2 * 63 + 1, 2 * (3 * 63 + 2) + 8, 3]);
    png.dispose();
    const html = await readFile(files.html, 'utf8');
    expect(html).toContain('<title>Test &#60;gallery&#62;</title>');
    expect(html.match(/<img /g)?.length).toBe(3);
    expect(html).toContain('src="s_conv2-unit-5.png"');
    expect(html).toContain(top.layers.s_conv2.units[5][0].id);
    // The atlas: every unit drawn, its entries as topActivations ranked them, each tile its own PNG.
    const atlas = parseAtlas(JSON.parse(await readFile(files.atlas, 'utf8')));
    expect(atlas).toMatchObject({ format: 'deepvis-atlas', version: 1, mode: 'deconv', k: 4, images: top.images, size: top.size });
    expect(Object.keys(atlas.layers)).toEqual(['s_conv1', 's_conv2']);
    expect(Object.keys(atlas.layers.s_conv1.units)).toEqual(['0', '3']);
    const unit = atlas.layers.s_conv1.units['3'];
    expect(unit.top.map((e) => [e.image, e.value, e.y, e.x])).toEqual(top.layers.s_conv1.units[3].map((e) => [e.id, e.value, e.y, e.x]));
    expect(unit.top[0]).toMatchObject({ crop: 'units/s_conv1/3/top-1.png', backward: 'units/s_conv1/3/deconv-1.png' });
    for (const e of unit.top) {
      for (const file of [e.crop, e.backward!]) {
        const tile = decodeImage(await readFile(join(dir, file)));
        expect(tile.shape).toEqual([63, 63, 3]);
        tile.dispose();
      }
    }
  });
});
