// The attribution tools' cost for one image, each next to the forward pass at the same size,
// measured in the same run: what a user waits for each map.
import * as tf from '@tensorflow/tfjs-core';
import type { Net } from '../src/index';
import { backward, gradCam, integratedGradients, occlusion, smoothBackward } from '../src/index';
import { timeIt, type Row } from './harness';

/** Milliseconds of one run of `f` (async tools: one timed run after a warm-up). */
async function once(f: () => Promise<tf.Tensor | tf.Tensor[]>): Promise<number> {
  tf.dispose(await f());
  const t0 = performance.now();
  tf.dispose(await f());
  return performance.now() - t0;
}

export async function benchAttribution(net: Net, backend: string, size: number, layer: string): Promise<Row[]> {
  const section = `attribution ${size}²`;
  const pixels = tf.randomUniform([1, size, size, 3], 0, 255, 'float32', 4) as tf.Tensor4D;
  const unit = { layer: net.logits, channel: 9 };
  const forward = await timeIt(() => net.predict(pixels), 5);
  const rows: Row[] = [{ section, backend, metric: 'forward', value: forward, unit: 'ms' }];
  const add = (metric: string, ms: number, per = '') =>
    rows.push({ section, backend, metric, value: ms, unit: 'ms', note: `${(ms / forward).toFixed(2)}× forward${per}` });
  add('guided backprop', await timeIt(() => backward(net, pixels, { ...unit, mode: 'guided' }), 3));
  add('gradCam', await timeIt(() => gradCam(net, pixels, { layer, channel: 9 }), 3), `; ${layer}`);
  const samples = 8;
  add('smoothBackward, per sample', (await once(() => smoothBackward(net, pixels, { ...unit, samples }))) / samples, `; ${samples} samples`);
  const steps = 16;
  add('integratedGradients, per step', (await once(() => integratedGradients(net, pixels, { channel: 9, steps, batchSize: 8 }))) / steps, `; ${steps} steps in batches of 8`);
  const window = Math.round(size / 8);
  const stride = Math.round(size / 8);
  const positions = (Math.floor((size - window) / stride) + 1) ** 2;
  add('occlusion, per position', (await once(async () => {
    const { map, drops } = await occlusion(net, pixels, { channel: 9, window, stride, batchSize: 16 });
    return [map, drops];
  })) / positions, `; ${positions} positions in batches of 16`);
  pixels.dispose();
  return rows;
}
