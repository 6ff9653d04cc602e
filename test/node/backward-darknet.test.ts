import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { toNet, type BackwardRule, type Net } from '../../src/index';
import { loadLayersModelFile } from '../../src/net/load-file';
import { backward, backwardImage } from '../../src/attribution/index';
import { relativeError } from '../helpers/close';
import { DARKNET, HAS_DARKNET } from '../helpers/shared';

const backend = process.env.DEEPVIS_BACKEND;

interface Case { layer: string; channel: number; seed: 'unit' | 'activation'; mode: BackwardRule; offset: number }
// PyTorch float64 references on the same weights: scripts/fixtures/backward_darknet.py.
const meta = JSON.parse(readFileSync(join(__dirname, '../fixtures/backward-darknet.json'), 'utf8')) as {
  pixels: number[]; pixelsShape: [number, number, number, number]; gradLength: number; cases: Case[];
};
const bin = readFileSync(join(__dirname, '../fixtures/backward-darknet.bin'));
const grads = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));

describe.skipIf(!HAS_DARKNET)(`backward on Darknet-Tiny agrees with PyTorch (${backend}; 48×48 input)`, () => {
  let model: tfl.LayersModel;
  let net: Net;
  let pixels: tf.Tensor4D;
  beforeAll(async () => {
    model = await loadLayersModelFile(DARKNET);
    net = toNet(model, { inputRange: [0, 1] });
    pixels = tf.tensor4d(meta.pixels, meta.pixelsShape);
  });
  afterAll(() => {
    tf.dispose(pixels);
    net?.dispose();
    model?.dispose();
  });

  for (const c of meta.cases) {
    it(`${c.layer}[${c.channel}] seed ${c.seed}, ${c.mode}`, () => {
      const expected = grads.subarray(c.offset, c.offset + meta.gradLength);
      const g = backward(net, pixels, { layer: c.layer, channel: c.channel, at: c.seed === 'activation' ? 'energy' : 'max', mode: c.mode });
      expect(g.shape).toEqual(meta.pixelsShape);
      const e = relativeError(g.dataSync(), expected);
      g.dispose();
      expect(e).toBeLessThan(1e-4);
    });
  }

  it('the modes give different pictures (the comparison can fail)', () => {
    const pick = (mode: BackwardRule) => meta.cases.find((c) => c.layer === 'leaky_re_lu_10' && c.mode === mode)!.offset;
    const at = (o: number) => grads.subarray(o, o + meta.gradLength);
    expect(relativeError(at(pick('guided')), at(pick('gradient')))).toBeGreaterThan(0.1);
    expect(relativeError(at(pick('deconv')), at(pick('guided')))).toBeGreaterThan(0.1);
  });

  it('backward + every display filter leaves the tensor count flat', () => {
    const run = (i: number) => {
      const g = backward(net, pixels, { layer: 'leaky_re_lu_7', channel: i, mode: (['gradient', 'deconv', 'guided'] as const)[i % 3] });
      const imgs = (['raw', 'gray', 'norm', 'normblur'] as const).map((f) => backwardImage(g, f));
      for (const img of imgs) expect(img.shape).toEqual([48, 48, 3]);
      tf.dispose([g, ...imgs]);
    };
    run(0);
    const before = tf.memory().numTensors;
    for (let i = 1; i <= 6; i++) run(i);
    expect(tf.memory().numTensors).toBe(before);
  });
});
