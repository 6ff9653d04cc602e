// Issue 3 and 6 benchmarks: ms per optimizeUnit step for each paper preset (class logit),
// next to the forward pass at the same size, measured in the same run.
import * as tf from '@tensorflow/tfjs-core';
import type { Net } from '../src/index';
import { classLogit, optimizeUnit, PAPER_PRESETS } from '../src/index';
import { timeIt, type Row } from './harness';

export async function benchPresets(net: Net, backend: string, size: number, steps: number): Promise<Row[]> {
  const section = `optimizeUnit ${size}²`;
  const pixels = tf.randomUniform([1, size, size, 3], 0, 255, 'float32', 3) as tf.Tensor4D;
  const forward = await timeIt(() => net.predict(pixels), 5);
  pixels.dispose();
  const rows: Row[] = [{ section, backend, metric: 'forward', value: forward, unit: 'ms' }];
  for (const [i, preset] of PAPER_PRESETS.entries()) {
    const t0 = performance.now();
    const result = await optimizeUnit(net, classLogit(9), { ...preset, steps, size, seed: 1 });
    const perStep = (performance.now() - t0) / steps;
    tf.dispose([result.image, result.last]);
    rows.push({ section, backend, metric: `preset ${i + 1} step`, value: perStep, unit: 'ms', note: `${(perStep / forward).toFixed(2)}× forward` });
  }
  return rows;
}
