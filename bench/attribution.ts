// The attribution methods' cost for one image, each next to the forward pass at the same size,
// measured in the same run: what a user waits for each map. Every registered method gets a row
// (ATTRIBUTION_METHODS), with the same options, plus SmoothGrad of the gradient per sample.
import * as tf from '@tensorflow/tfjs-core';
import type { AttributionMethod, AttributionOptions, Net, ToNetOptions } from '../src/index';
import { ATTRIBUTION_METHODS, attributionMethodNamed, deletionInsertion, modelRandomization, passesRandomization, smoothGrad } from '../src/index';
import { timeIt, type Row } from './harness';

/** Milliseconds of one run of a method (one timed run after a warm-up). */
async function once(method: AttributionMethod, net: Net, pixels: tf.Tensor4D, options: AttributionOptions): Promise<number> {
  const target = { layer: net.logits, channel: 9 };
  (await method.run(net, pixels, target, options)).values.dispose();
  const t0 = performance.now();
  const a = await method.run(net, pixels, target, options);
  await a.values.data();
  a.values.dispose();
  return performance.now() - t0;
}

export async function benchAttribution(net: Net, backend: string, size: number, camLayer: string): Promise<Row[]> {
  const section = `attribution ${size}²`;
  const pixels = tf.randomUniform([1, size, size, 3], 0, 255, 'float32', 4) as tf.Tensor4D;
  const forward = await timeIt(() => net.predict(pixels), 5);
  const rows: Row[] = [{ section, backend, metric: 'forward', value: forward, unit: 'ms' }];
  const add = (metric: string, ms: number, note: string) =>
    rows.push({ section, backend, metric, value: ms, unit: 'ms', note: `${(ms / forward).toFixed(2)}× forward${note}` });
  const steps = 16;
  const window = Math.round(size / 8);
  const options: AttributionOptions = { camLayer, steps, batchSize: 8, window, stride: window };
  const positions = (Math.floor((size - window) / window) + 1) ** 2;
  for (const method of ATTRIBUTION_METHODS) {
    const detail = [
      method.reads.includes('camLayer') ? `; ${camLayer}` : '',
      method.reads.includes('steps') ? `; ${steps} steps in batches of 8` : '',
      method.reads.includes('window') ? `; ${positions} positions in batches of 8` : '',
    ].join('');
    add(method.label, await once(method, net, pixels, options), detail);
  }
  const samples = 8;
  add('SmoothGrad of the gradient, per sample', (await once(smoothGrad(attributionMethodNamed('gradient'), { samples }), net, pixels, { batchSize: 1 })) / samples, `; ${samples} samples`);
  pixels.dispose();
  return rows;
}

/**
 * The sanity and faithfulness checks on a real photo, for every registered method: the cost of
 * one randomization cascade step (every method once, the net recompiled) against the methods'
 * own cost, the correlation with the trained model's map after the top `depth` layers are
 * random, and the deletion / insertion areas.
 */
export async function benchSanity(model: unknown, net: Net, netOptions: ToNetOptions, backend: string, photo: tf.Tensor4D, camLayer: string, depth = 2): Promise<Row[]> {
  const section = `sanity ${photo.shape[1]}²`;
  const target = { layer: net.logits, channel: tf.tidy(() => tf.argMax(net.predict(photo), 1).dataSync()[0]) };
  const options: AttributionOptions = { camLayer, steps: 8, batchSize: 8 };
  const rows: Row[] = [];
  let own = 0;
  for (const method of ATTRIBUTION_METHODS) {
    const t0 = performance.now();
    const a = await method.run(net, photo, target, options);
    own += performance.now() - t0;
    const c = await deletionInsertion(net, photo, target, a);
    a.values.dispose();
    rows.push({ section, backend, metric: `${method.label}: deletion / insertion AUC`, value: `${c.deletionAuc.toFixed(3)} / ${c.insertionAuc.toFixed(3)}`, unit: '', note: 'class probability; deletion lower, insertion higher is more faithful' });
  }
  const t0 = performance.now();
  const results = await modelRandomization(model, photo, target, { ...options, netOptions, depth });
  const perStep = (performance.now() - t0) / (depth + 1);
  for (const r of results) {
    rows.push({ section, backend, metric: `${r.label}: Spearman ρ, top ${depth} layers random`, value: r.steps[depth].spearman[0], unit: '', note: passesRandomization(r) ? 'changes (passes)' : 'barely changes (fails)' });
  }
  rows.push({ section, backend, metric: 'randomization check, per cascade step', value: perStep, unit: 'ms', note: `${(perStep / own).toFixed(2)}× running every method once` });
  return rows;
}
