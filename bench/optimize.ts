// Issue 3 and 6 benchmarks: ms per optimizeUnit step for each paper preset (class logit),
// next to the forward pass at the same size, measured in the same run; and what the loop adds
// to the bare input-gradient step, the two interleaved (issue 17).
import * as tf from '@tensorflow/tfjs-core';
import type { Net } from '../src/index';
import { classLogit, optimizeUnit, PAPER_PRESETS } from '../src/index';
import { median, stepGaps, timeIt, type Row } from './harness';
import { netStep } from './net-gradient';

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

/**
 * The loop's overhead: the median time between `onStep` calls of a preset 3 run against the
 * median bare input-gradient step (`netStep`: forward, backward, read back), in `rounds`
 * interleaved rounds so that both see the same machine.
 */
export async function benchLoopOverhead(net: Net, backend: string, size: number, rounds: number): Promise<Row[]> {
  const section = `optimizeUnit ${size}²`;
  const pixels = tf.randomUniform([1, size, size, 3], 0, 255, 'float32', 5) as tf.Tensor4D;
  const bare: number[] = [];
  const loop: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < 6; i++) {
      const t0 = performance.now();
      const g = netStep(net, pixels)();
      await g.data();
      g.dispose();
      if (i > 0) bare.push(performance.now() - t0);
    }
    const result = await optimizeUnit(net, classLogit(9), { ...PAPER_PRESETS[2], steps: 9, size, seed: 1 + round, onStep: stepGaps(loop) });
    tf.dispose([result.image, result.last]);
  }
  pixels.dispose();
  const [b, l] = [median(bare), median(loop)];
  return [
    { section, backend, metric: 'bare gradient step (interleaved)', value: b, unit: 'ms', note: `median of ${bare.length}` },
    { section, backend, metric: 'preset 3 step (interleaved)', value: l, unit: 'ms', note: `median of ${loop.length}` },
    { section, backend, metric: 'preset 3 step / bare gradient step', value: l / b, unit: '×', note: 'what the loop adds; target ≤ 1.1× on wasm' },
  ];
}
