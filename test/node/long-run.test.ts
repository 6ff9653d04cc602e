// Memory over a long run: 10,000 optimization steps with every regularizer kind must leave
// the tensor count and tensor bytes exactly where they were, at every point of the run.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { toNet } from '../../src/net/index';
import { classLogit } from '../../src/objectives/index';
import { blurEvery, clipSmallContribution, clipSmallNorm, l2Decay } from '../../src/regularizers/index';
import { lrProgress, optimizeUnitSteps } from '../../src/optimize/index';
import { sequentialModel } from '../helpers/models';

const STEPS = 10_000;

describe(`a ${STEPS}-step run (${process.env.DEEPVIS_BACKEND})`, () => {
  it('keeps the tensor count and bytes flat from the first step to the last, and after', { timeout: 600_000 }, async () => {
    const net = toNet(sequentialModel());
    const before = tf.memory();
    const regularizers = [l2Decay(1e-4), blurEvery(4, 0.5), clipSmallNorm(10), clipSmallContribution(10)];
    const seen: { step: number; tensors: number; bytes: number }[] = [];
    let peakRss = 0;
    for await (const s of optimizeUnitSteps(net, classLogit(1), { steps: STEPS, size: 12, seed: 3, regularizers, lr: lrProgress({ maxLr: 100, desiredProgress: 2 }) })) {
      if (s.step % 1000 === 999 || s.step === 9) {
        const { numTensors, numBytes } = tf.memory();
        seen.push({ step: s.step, tensors: numTensors, bytes: numBytes });
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      }
      if (s.isLast) tf.dispose(Object.values(s.result()).filter((v): v is tf.Tensor => v instanceof tf.Tensor));
    }
    console.log(`[long-run] ${STEPS} steps; tensors during the run ${seen[0].tensors}; peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
    // Between steps the loop holds the same tensors (image, best, mean) whatever the step.
    expect(seen).toHaveLength(11);
    for (const m of seen) expect(m).toEqual({ step: m.step, tensors: seen[0].tensors, bytes: seen[0].bytes });
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    net.dispose();
  });
});
