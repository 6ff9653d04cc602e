// Issue 2's benchmark: one input-gradient step of a class logit through the compiled Net
// against the naive way (tfjs-layers model.apply under tf.grad), Darknet-Tiny at 224².
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { toNet } from '../src/index';
import { timeIt, type Row } from './harness';

export async function benchNetGradient(model: tfl.LayersModel, backend: string, size: number, naiveRuns: number): Promise<Row[]> {
  const net = toNet(model, { inputRange: [0, 1] });
  const pixels = tf.randomUniform([1, size, size, 3], 0, 255, 'float32', 1) as tf.Tensor4D;
  const logit = (y: tf.Tensor) => tf.sum(tf.slice(y, [0, 9], [1, 1]));
  const section = `net gradient ${size}²`;
  const forward = await timeIt(() => net.predict(pixels), 5);
  const step = await timeIt(() => tf.grad((p: tf.Tensor) => logit(net.forward(p as tf.Tensor4D, { taps: [net.logits] })[net.logits]))(pixels), 5);
  const rows: Row[] = [
    { section, backend, metric: 'forward (Net)', value: forward, unit: 'ms' },
    { section, backend, metric: 'gradient step (Net)', value: step, unit: 'ms' },
    { section, backend, metric: 'step / forward', value: step / forward, unit: '×' },
  ];
  let naive: number | string;
  try {
    naive = await timeIt(() => tf.grad((p: tf.Tensor) => logit(model.apply(tf.div(p, 255)) as tf.Tensor))(pixels), naiveRuns, 0);
  } catch (e) {
    naive = `fails: ${(e as Error).message.slice(0, 60)}`;
  }
  rows.push({ section, backend, metric: 'gradient step (model.apply, naive)', value: naive, unit: typeof naive === 'number' ? 'ms' : '' });
  if (typeof naive === 'number') rows.push({ section, backend, metric: 'speed-up over naive', value: naive / step, unit: '×' });
  pixels.dispose();
  net.dispose();
  return rows;
}
