// Issue 2's benchmark: one input-gradient step of a class logit through the compiled Net
// against the naive way (tfjs-layers model.apply under tf.grad), Darknet-Tiny at 224².
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { toNet, type Net } from '../src/index';
import { timeIt, type Row } from './harness';

const logit = (y: tf.Tensor) => tf.sum(tf.slice(y, [0, 9], [1, 1]));

/** One gradient step of class logit 9 with respect to the 0–255 pixels, through the Net. */
export const netStep = (net: Net, pixels: tf.Tensor4D) => () =>
  tf.grad((p: tf.Tensor) => logit(net.forward(p as tf.Tensor4D, { taps: [net.logits] })[net.logits]))(pixels);

/** The same step the naive way: tfjs-layers `model.apply` under `tf.grad` (input in [0, 1]). */
export const naiveStep = (model: tfl.LayersModel, pixels: tf.Tensor4D) => () =>
  tf.grad((p: tf.Tensor) => logit(model.apply(tf.div(p, 255)) as tf.Tensor))(pixels);

export async function benchNetGradient(model: tfl.LayersModel, backend: string, size: number, naiveRuns: number): Promise<Row[]> {
  const net = toNet(model, { inputRange: [0, 1] });
  const pixels = tf.randomUniform([1, size, size, 3], 0, 255, 'float32', 1) as tf.Tensor4D;
  const section = `net gradient ${size}²`;
  const forward = await timeIt(() => net.predict(pixels), 5);
  const step = await timeIt(netStep(net, pixels), 5);
  const rows: Row[] = [
    { section, backend, metric: 'forward (Net)', value: forward, unit: 'ms' },
    { section, backend, metric: 'gradient step (Net)', value: step, unit: 'ms' },
    { section, backend, metric: 'step / forward', value: step / forward, unit: '×' },
  ];
  let naive: number | string;
  try {
    naive = await timeIt(naiveStep(model, pixels), naiveRuns, naiveRuns > 1 ? 1 : 0);
  } catch (e) {
    naive = `fails: ${(e as Error).message.slice(0, 60)}`;
  }
  rows.push({ section, backend, metric: 'gradient step (model.apply, naive)', value: naive, unit: typeof naive === 'number' ? 'ms' : '' });
  if (typeof naive === 'number') rows.push({ section, backend, metric: 'speed-up over naive', value: naive / step, unit: '×' });
  pixels.dispose();
  net.dispose();
  return rows;
}
