// Looks inside one run of a paper preset: per step the objective, ‖g‖², the step size η·s
// against the cap, and what the update and each regularizer do to the image (its L2 norm
// over the deviation from the mean) and to the objective (one extra forward after each).
// The numbers behind docs/optimization.md's "Why presets 1 and 4 stalled".
//   node --import tsx scripts/preset-probe/main.ts --preset 1 --class 130 --size 128 --steps 60 [--every 25] [--lr-scale verbatim] [--desired 2]
// Darknet-Tiny is read from $DEEPVIS_SHARED/models (default ../shared).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModelFile, useNodeBackend } from '../../src/backends/node';
import { toNet } from '../../src/net/index';
import { classLogit } from '../../src/objectives/index';
import { lrProgress, optimizeUnit, PAPER_PRESETS, type LrScale, type Preset } from '../../src/optimize/index';
import type { Regularizer } from '../../src/regularizers/index';

const { values: args } = parseArgs({
  options: {
    preset: { type: 'string', default: '1' },
    class: { type: 'string', default: '130' },
    size: { type: 'string', default: '128' },
    steps: { type: 'string', default: '60' },
    every: { type: 'string', default: '1' },
    'lr-scale': { type: 'string' },
    seed: { type: 'string', default: '1' },
    desired: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
  },
});

await useNodeBackend(args.backend as 'wasm' | 'cpu');
const file = join(process.env.DEEPVIS_SHARED ?? '../shared', 'models/darknet-tiny-imagenet-tfjs/model.json');
if (!existsSync(file)) throw new Error(`Darknet-Tiny not found at ${file}; set DEEPVIS_SHARED.`);
const net = toNet(await loadLayersModelFile(file));
const k = Number(args.class);
const paper = PAPER_PRESETS[Number(args.preset) - 1];
// --desired replaces a progress preset's desired gain per step.
const preset: Preset = args.desired && paper.lr.kind === 'progress'
  ? { ...paper, lr: lrProgress({ maxLr: paper.lr.maxLr, desiredProgress: Number(args.desired) }) }
  : paper;
const mean = tf.tensor1d([...net.mean]);
const logit = (x: tf.Tensor4D) => tf.tidy(() => (net.forward(tf.add(x, mean) as tf.Tensor4D, { taps: [net.logits] })[net.logits] as tf.Tensor2D).arraySync()[0][k]);
const norm = (x: tf.Tensor) => tf.tidy(() => tf.norm(x).dataSync()[0]);

interface Row { a: number; eta: number; afterUpdate: number; parts: string[]; after: number }
const rows = new Map<number, Row>();
const row = (step: number) => rows.get(step) ?? rows.set(step, { a: NaN, eta: NaN, afterUpdate: NaN, parts: [], after: NaN }).get(step)!;
const watched = (step: number) => step % Number(args.every) === 0;
// Each regularizer is measured on its way: the image's norm (deviation from the mean) and the objective before and after.
const spied: Regularizer[] = preset.regularizers.map((r, i) => ({
  ...r,
  apply: (y, ctx) => {
    const out = r.apply(y, ctx);
    if (watched(ctx.step)) {
      const entry = row(ctx.step);
      if (i === 0) entry.afterUpdate = logit(y);
      const changed = tf.tidy(() => norm(tf.sub(out, y)));
      if (changed > 0) entry.parts.push(`${r.name} ‖x‖ ${norm(y).toFixed(0)}→${norm(out).toFixed(0)} a→${logit(out).toFixed(2)}`);
    }
    return out;
  },
}));
let g2 = NaN;
const r = await optimizeUnit(net, classLogit(k), {
  ...preset, regularizers: spied, steps: Number(args.steps), size: Number(args.size), seed: Number(args.seed),
  ...(args['lr-scale'] ? { lrScale: (Number.isFinite(Number(args['lr-scale'])) ? Number(args['lr-scale']) : args['lr-scale']) as LrScale } : {}),
  onStep: (s) => {
    if (!watched(s.step)) return;
    const entry = row(s.step);
    [entry.a, entry.eta] = [s.activation, s.stepSizes[0]];
    if (s.step === 0) g2 = preset.lr.kind === 'progress' ? preset.lr.desiredProgress / s.stepSizes[0] : NaN;
  },
});
console.log(`class ${k}, ${preset.name}, ${args.size}², s = ${r.scale.toFixed(1)}, ‖g0‖² ≈ ${g2.toExponential(2)} (from η0 if uncapped)`);
for (const [step, e] of [...rows.entries()].sort((a, b) => a[0] - b[0])) {
  console.log(`${String(step).padStart(4)}  a ${e.a.toFixed(2).padStart(6)}  η ${e.eta.toExponential(2)}  +update→${e.afterUpdate.toFixed(2)}  ${e.parts.join('; ')}`);
}
const centred = tf.tidy(() => tf.sub(r.image, mean));
const [lo, hi] = tf.tidy(() => [tf.min(r.image).dataSync()[0], tf.max(r.image).dataSync()[0]]);
console.log(`best ${r.best.toFixed(2)} at ${r.bestStep}; s = ${r.scale.toFixed(1)}; best image ‖x − mean‖ ${norm(centred).toFixed(1)}, RMS ${(norm(centred) / Math.sqrt(centred.size)).toFixed(2)}, pixels ${lo.toFixed(0)}–${hi.toFixed(0)}`);
tf.dispose([centred, r.image, r.last, mean]);
net.dispose();
