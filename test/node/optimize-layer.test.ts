import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { toNet } from '../../src/net/index';
import { channel } from '../../src/objectives/index';
import { optimizeLayer, optimizeUnit } from '../../src/optimize/index';
import { displayImage } from '../../src/image/display';
import { TILE_PADDING_COLOR } from '../../src/activations/index';
import { DeepvisError } from '../../src/errors';
import { sequentialModel } from '../helpers/models';

describe(`optimizeLayer on a small net (${process.env.DEEPVIS_BACKEND})`, () => {
  const model = sequentialModel();
  const net = toNet(model);
  afterAll(() => net.dispose());

  it('every channel of s_conv2 (6) in batches of 4: exact sheet geometry, tile i = optimizeUnit alone, flat tensor count', async () => {
    const before = tf.memory().numTensors;
    const options = { steps: 6, size: 10, seed: 5 };
    const progress: string[] = [];
    const r = await optimizeLayer(net, 's_conv2', {
      ...options, batchSize: 4,
      onProgress: (p) => { progress.push(`${p.done}/${p.total}:${p.channels.join(',')}`); },
    });
    expect(progress).toEqual(['4/6:0,1,2,3', '6/6:4,5']);
    expect(r.channels).toEqual([0, 1, 2, 3, 4, 5]);
    // cols = ceil(sqrt(6)) = 3, rows = 2; 1-px padding between tiles and around: 3·11+1 × 2·11+1.
    expect([r.layout.cols, r.layout.rows]).toEqual([3, 2]);
    expect(r.sheet.shape).toEqual([2 * 11 + 1, 3 * 11 + 1, 3]);
    expect(r.images).toEqual([]);
    expect(r.results.map((x) => x.channel)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(tf.memory().numTensors).toBe(before + 1);
    // Padding is the grid colour.
    const pad = tf.tidy(() => Array.from(tf.slice(r.sheet, [0, 0, 0], [1, -1, -1]).dataSync()));
    expect(pad.every((v) => v === TILE_PADDING_COLOR[0])).toBe(true);
    for (const c of [1, 4]) {
      const alone = await optimizeUnit(net, channel('s_conv2', c), options);
      const [y, x] = r.layout.origin(c);
      expect([y, x]).toEqual([1 + Math.floor(c / 3) * 11, 1 + (c % 3) * 11]);
      // Tiles are shown as the toolbox showed them (norm01c, each on its own) by default.
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.slice(r.sheet, [y, x, 0], [10, 10, 3]), displayImage(alone.image, { mean: net.mean })))).dataSync()[0]);
      expect(diff).toBeLessThan(1e-2);
      r.results[c].activations.forEach((v, i) => expect(v).toBeCloseTo(alone.activations[i], 3));
      expect(r.results[c].bestStep).toBe(alone.bestStep);
      tf.dispose([alone.image, alone.last]);
    }
    r.sheet.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("chosen channels, keepImages, a fixed start, display 'raw': 3 tiles in a 2 × 2 grid, images returned", async () => {
    const before = tf.memory().numTensors;
    const r = await optimizeLayer(net, 's_conv1', { channels: [3, 0, 2], steps: 3, size: [6, 8], start: 'mean', keepImages: true, padding: 2, display: 'raw' });
    expect([r.layout.cols, r.layout.rows]).toEqual([2, 2]);
    expect(r.sheet.shape).toEqual([2 * 8 + 2, 2 * 10 + 2, 3]);
    expect(r.images.map((t) => t.shape)).toEqual([[6, 8, 3], [6, 8, 3], [6, 8, 3]]);
    const tile = tf.tidy(() => tf.slice(r.sheet, [2, 12, 0], [6, 8, 3]));
    expect(Array.from(tile.dataSync())).toEqual(Array.from(r.images[1].dataSync()));
    tf.dispose([tile, r.sheet, ...r.images]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('abort between batches and bad input leave no tensor', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const run = optimizeLayer(net, 's_conv2', { steps: 3, size: 8, batchSize: 2, signal: controller.signal, onProgress: () => controller.abort() });
    await expect(run).rejects.toMatchObject({ name: 'AbortError', code: 'ABORTED' });
    await expect(optimizeLayer(net, 's_conv9', { steps: 2, size: 8 })).rejects.toMatchObject({ code: 'UNKNOWN_LAYER' });
    await expect(optimizeLayer(net, 's_conv2', { channels: [6], steps: 2, size: 8 })).rejects.toThrow(/Channel 6 is out of range for layer 's_conv2'/);
    await expect(optimizeLayer(net, 's_conv2', { batchSize: 0 })).rejects.toBeInstanceOf(DeepvisError);
    await expect(optimizeLayer(net, 's_conv2', { channels: [] })).rejects.toThrow(/'channels' must be a non-empty array/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
