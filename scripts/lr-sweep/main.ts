// Measures how well a reading of the presets' learning rates works: optimizes ten class
// logits in one batch and prints one JSON line (top-1 hits, mean p(target), image RMS).
// The tables in docs/optimization.md ("Which reading?") come from this script (one run a row).
//   node --import tsx scripts/lr-sweep/main.ts --net darknet --preset 3 --scale caffenet --factor 1 --size 128 --steps 200
//   (--desired N replaces a progress preset's desired gain per step)
// Darknet-Tiny is read from $DEEPVIS_SHARED/models (default ../shared); `--net default` uses the embedded model.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModelFile, useNodeBackend } from '../../src/backends/node';
import { loadDefaultNet } from '../../src/default-model/index';
import { toNet } from '../../src/net/index';
import type { Net } from '../../src/net/types';
import { classLogit } from '../../src/objectives/index';
import { lrConstant, lrProgress, optimizeUnits, PAPER_PRESETS, seededRandom, type LrScale } from '../../src/optimize/index';

const { values: args } = parseArgs({
  options: {
    net: { type: 'string', default: 'darknet' },
    preset: { type: 'string', default: '3' },
    scale: { type: 'string', default: 'caffenet' },
    factor: { type: 'string', default: '1' },
    desired: { type: 'string' },
    size: { type: 'string', default: '128' },
    steps: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    backend: { type: 'string', default: 'wasm' },
  },
});

async function loadNet(): Promise<{ net: Net; classes: number[] }> {
  if (args.net === 'default') return { net: await loadDefaultNet(), classes: Array.from({ length: 10 }, (_, i) => i) };
  const file = join(process.env.DEEPVIS_SHARED ?? '../shared', 'models/darknet-tiny-imagenet-tfjs/model.json');
  if (!existsSync(file)) throw new Error(`Darknet-Tiny not found at ${file}; set DEEPVIS_SHARED.`);
  const random = seededRandom(2015);
  return { net: toNet(await loadLayersModelFile(file)), classes: Array.from({ length: 10 }, () => Math.floor(random() * 1000)) };
}

await useNodeBackend(args.backend as 'wasm' | 'cpu');
const { net, classes } = await loadNet();
const preset = PAPER_PRESETS[Number(args.preset) - 1];
const factor = Number(args.factor);
// The factor multiplies the step size: a constant lr, or the progress policy's cap
// (whose desired gain per step --desired replaces).
const lr = preset.lr.kind === 'constant'
  ? lrConstant(preset.lr.lr * factor)
  : lrProgress({ maxLr: preset.lr.maxLr * factor, desiredProgress: Number(args.desired ?? preset.lr.desiredProgress) });
const lrScale: LrScale = Number.isFinite(Number(args.scale)) ? Number(args.scale) : (args.scale as LrScale);
const started = performance.now();
const results = await optimizeUnits(net, classes.map(classLogit), {
  ...preset, lr, lrScale, steps: Number(args.steps), size: args.net === 'default' ? undefined : Number(args.size), seed: Number(args.seed),
});
const seconds = (performance.now() - started) / 1000;
const [top1, pTarget, rms] = tf.tidy(() => {
  const images = tf.stack(results.map((r) => r.image)) as tf.Tensor4D;
  const probs = tf.softmax(net.forward(images, { taps: [net.logits] })[net.logits] as tf.Tensor2D);
  const centred = tf.sub(images, tf.tensor1d([...net.mean]));
  return [
    Array.from(tf.argMax(probs, 1).dataSync()),
    classes.map((k, i) => tf.slice(probs, [i, k], [1, 1]).dataSync()[0]),
    Array.from(tf.sqrt(tf.mean(tf.square(centred), [1, 2, 3])).dataSync()),
  ];
});
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
console.log(JSON.stringify({
  net: args.net, preset: Number(args.preset), scale: args.scale, factor, desired: args.desired, size: args.size, steps: Number(args.steps),
  hits: classes.filter((k, i) => top1[i] === k).length,
  meanP: +mean(pTarget).toFixed(3),
  imageRms: +mean(rms).toFixed(1),
  firstScale: +mean(results.map((r) => r.scale)).toExponential(2),
  majority: results.map((r) => r.majorityStep),
  missed: classes.flatMap((k, i) => (top1[i] === k ? [] : [`${k}→${top1[i]}`])),
  seconds: Math.round(seconds),
}));
tf.dispose(results.flatMap((r) => [r.image, r.last]));
net.dispose();
