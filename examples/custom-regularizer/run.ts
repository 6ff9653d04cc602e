// The core of the custom-regularizer example as a function, so tests can call it with few steps.
import * as tf from '@tensorflow/tfjs-core';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  loadDefaultNet, optimizeUnit, objective, l2Decay, blurEvery, displayImage, DEFAULT_MODEL_LABELS,
  type Objective, type Regularizer, type OptimizeResult,
} from '../../src/index';
import { writePng } from '../../src/backends/node';
import { neighbourSmoothing, jitter, totalVariation } from './regularizers';

/** Options of {@link run}. */
export interface RunOptions {
  /** Output folder. Default `deepvis-out/custom-regularizer`. */
  out?: string;
  /** Class of the embedded Fashion-MNIST model. Default 7 (sneaker). */
  cls?: number;
  /** Steps per run. Default 200. */
  steps?: number;
  /** Weight of the neighbour smoothing. Default 0.25. */
  weight?: number;
  seed?: number;
  /** Progress lines (default `console.log`). */
  log?: (line: string) => void;
}

/** What {@link run} made. */
export interface RunReport {
  files: { without: string; with: string; comparison: string };
  /** Total variation of the best image without and with the custom regularizers. */
  tv: { without: number; with: number };
  /** Objective value reached without and with. */
  best: { without: number; with: number };
  /** How many times the custom regularizer's `apply` ran in the "with" run. */
  smoothingCalls: number;
  /** The custom regularizers as JSON (name and params only). */
  json: string;
}

/**
 * A custom objective: the class logit minus the mean of all logits, so the image is pushed
 * towards this class *and away from the others* (a contrastive class score).
 */
export function classVsRest(k: number): Objective {
  return objective(`logit ${k} vs rest`, (t) => {
    const logits = t.logits as tf.Tensor2D;                          // [n, 10], pre-softmax
    return tf.sub(tf.squeeze(tf.slice(logits, [0, k], [-1, 1]), [1]), tf.mean(logits, 1));
  }, { taps: ['logits'] });
}

/** Optimizes one class twice (preset-3-like regularizers, then with the custom ones added) and writes PNGs. */
export async function run(options: RunOptions = {}): Promise<RunReport> {
  const { out = 'deepvis-out/custom-regularizer', cls = 7, steps = 200, weight = 0.25, seed = 1, log = console.log } = options;
  await mkdir(out, { recursive: true });
  const net = await loadDefaultNet();
  try {
    const goal = classVsRest(cls);
    const label = DEFAULT_MODEL_LABELS[cls];
    let smoothingCalls = 0;
    const custom: Regularizer[] = [jitter(1), neighbourSmoothing(weight, () => { smoothingCalls++; })];
    const base: Regularizer[] = [l2Decay(1e-4), blurEvery(4, 0.5)];

    const optimize = async (what: string, regularizers: Regularizer[]): Promise<OptimizeResult> => {
      log(`${what}: ${regularizers.map((r) => r.name).join(' → ')}`);
      return optimizeUnit(net, goal, {
        steps, lr: 100, seed, regularizers,
        onStep: (s) => {
          if (s.step % 50 === 0 || s.isLast) log(`  step ${String(s.step + 1).padStart(4)}/${steps}  ${goal.name} = ${s.activation.toFixed(2)}`);
        },
      });
    };
    const without = await optimize('without', base);
    const withCustom = await optimize('with', [...custom, ...base]);

    // Saved as the toolbox showed its images (norm01c: centred on the mean, stretched), enlarged.
    const big = (im: tf.Tensor3D) => tf.tidy(() => tf.image.resizeNearestNeighbor(displayImage(im, { mean: net.mean }), [112, 112]));
    const files = { without: join(out, 'without.png'), with: join(out, 'with.png'), comparison: join(out, 'comparison.png') };
    const a = big(without.image);
    const b = big(withCustom.image);
    const gap = tf.fill([112, 8, 3], 255);
    const both = tf.concat([a, gap, b], 1);
    await writePng(files.without, a);
    await writePng(files.with, b);
    await writePng(files.comparison, both);
    tf.dispose([a, b, gap, both]);

    const report: RunReport = {
      files,
      tv: { without: totalVariation(without.image), with: totalVariation(withCustom.image) },
      best: { without: without.best, with: withCustom.best },
      smoothingCalls,
      json: JSON.stringify(custom.map(({ name, params }) => ({ name, params }))),
    };
    tf.dispose([without.image, without.last, withCustom.image, withCustom.last]);
    log(`${label} (class ${cls}): total variation ${report.tv.without.toFixed(1)} without → ${report.tv.with.toFixed(1)} with; ` +
      `objective ${report.best.without.toFixed(2)} → ${report.best.with.toFixed(2)}`);
    log(`custom regularizers as data: ${report.json}`);
    log(`wrote ${files.comparison} (left: without, right: with)`);
    return report;
  } finally {
    net.dispose();
  }
}
