// The paper's progress presets (1 and 4) on the real Darknet-Tiny (../shared/models): with the
// desired gain read as desiredProgress · √s they climb far past where the 2-logit step stalled
// (the blur every 4th step and the percentile clips undid it: ~10 and ~3 logits by step 150),
// and the saved picture (norm01c) is structured, not a flat grey square. Heavy (two batches of
// three images, ~3 min on an idle 2-core machine, 11 min on a busy one): wasm only.
// Measured (seed 1): preset 1 best 72, 105, 109, top-1 3/3; preset 4 best 9.3, 36, 17, top-1 1/3.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModelFile } from '../../src/backends/node';
import { displayImage } from '../../src/image/display';
import { toNet } from '../../src/net/index';
import type { Net } from '../../src/net/types';
import { classLogit } from '../../src/objectives/index';
import { optimizeUnits, PAPER_PRESETS } from '../../src/optimize/index';
import { DARKNET, HAS_DARKNET } from '../helpers/shared';

const onCpu = process.env.DEEPVIS_BACKEND === 'cpu';
if (!HAS_DARKNET) console.warn('[presets-darknet] Darknet-Tiny absent: skipped.');
if (onCpu) console.warn('[presets-darknet] skipped on the cpu backend (too slow for the time budget); runs on wasm.');

const SIZE = 128;
const STEPS = 150;
const CLASSES = [130, 650, 124];
/**
 * Below this the saved picture (0–255) is a flat grey square. Measured: preset 1 9–12,
 * preset 4 4–5 (sparse styles: most pixels are the mean image, grey); the raw pixels of the
 * stalled runs had 1.1 and 0.5.
 */
const PICTURE_STD = 3;
/** Top-1 hits required of the three classes, by preset index (measured: 3 and 1). */
const TOP1: Record<number, number> = { 0: 3, 3: 1 };

/** Standard deviation of the saved picture's bytes: a flat grey square has none. */
const pictureStd = (net: Net, image: tf.Tensor3D) => tf.tidy(() => {
  const shown = displayImage(image, { mean: net.mean });
  return Math.sqrt(tf.moments(shown).variance.dataSync()[0]);
});

describe.skipIf(!HAS_DARKNET || onCpu)(`presets 1 and 4 on Darknet-Tiny (${process.env.DEEPVIS_BACKEND})`, () => {
  let net: Net;
  beforeAll(async () => { net = toNet(await loadLayersModelFile(DARKNET)); });
  afterAll(() => net?.dispose());

  for (const [index, minBest] of [[0, 25], [3, 6]] as const) {
    it(`preset ${index + 1}: the target logit climbs past the old stall, the picture is structured (${SIZE}², ${STEPS} steps)`, { timeout: 900_000 }, async () => {
      const before = tf.memory().numTensors;
      const results = await optimizeUnits(net, CLASSES.map(classLogit), { ...PAPER_PRESETS[index], steps: STEPS, size: SIZE, seed: 1 });
      const top1 = tf.tidy(() => Array.from(tf.argMax(net.predict(tf.stack(results.map((r) => r.image)) as tf.Tensor4D), 1).dataSync()));
      const stds = results.map((r) => pictureStd(net, r.image));
      console.log(`[presets-darknet] preset ${index + 1}: best ${results.map((r) => r.best.toFixed(1)).join(', ')}; top-1 ${top1.join(', ')}; picture std ${stds.map((v) => v.toFixed(1)).join(', ')}`);
      for (const [i, r] of results.entries()) {
        expect(r.best, `class ${CLASSES[i]}`).toBeGreaterThan(minBest);
        expect(stds[i], `class ${CLASSES[i]}`).toBeGreaterThan(PICTURE_STD);
      }
      expect(CLASSES.filter((k, i) => top1[i] === k).length).toBeGreaterThanOrEqual(TOP1[index]);
      tf.dispose(results.flatMap((r) => [r.image, r.last]));
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
