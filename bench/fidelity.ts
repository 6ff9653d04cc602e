// Issue 13's fidelity section: how well each style's pictures show their class on Darknet-Tiny
// at 128². For each paper preset (at its own step count and at 200) and the modern style
// (LUCID_PRESET at 64 and 512 steps), over ten ImageNet classes in one batch: top-1 of the saved
// picture, robust top-1 (the target still top-1 under 24 fixed small shifts, zooms and turns),
// the target's mean probability, the contrast of the picture as saved (norm01c, the CLI's
// default), ms per step, and that step against the bare input-gradient step of the same batch;
// then a modern step against a preset 3 step, short runs of each in turns (issue 13's ≤ 1.5×).
// A shorter run: BENCH_FIDELITY_CLASSES=N (the first N classes), BENCH_FIDELITY_STEPS=f (every
// step count times f, at least 1).
import * as tf from '@tensorflow/tfjs-core';
import type { Net } from '../src/index';
import { classLogit, displayImage, LUCID_PRESET, optimizeLoop, optimizeUnits, PAPER_PRESETS, robustTop1, type Preset } from '../src/index';
import { median, stepGaps, timeIt, type Row } from './harness';

/** Darknet order: flamingo, Persian cat, school bus, goldfinch, jellyfish, lemon, pizza, tarantula, monarch, zebra. */
export const FIDELITY_CLASSES = [424, 9, 961, 386, 646, 319, 947, 607, 642, 79];

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** The standard deviation of a picture's 0–255 values, as saved. */
function contrast(picture: tf.Tensor): number {
  return tf.tidy(() => tf.sqrt(tf.moments(picture).variance).dataSync()[0]);
}

/** One style's rows at each checkpoint (step counts), from one run of the longest (`bare`: {@link bareStep}'s ms). */
export async function measureStyle(net: Net, style: string, preset: Preset, checkpoints: number[], classes: number[], size: number, bare: number, backend: string, seed = 0): Promise<Row[]> {
  const section = `fidelity ${size}² (${classes.length} classes)`;
  const steps = Math.max(...checkpoints);
  const rows: Row[] = [];
  const t0 = performance.now();
  let measuring = 0;
  for await (const s of optimizeLoop(net, classes.map((k) => classLogit(k)), { ...preset, steps, size, seed })) {
    if (!checkpoints.includes(s.step + 1)) continue;
    const m0 = performance.now();
    const perStep = (m0 - t0 - measuring) / (s.step + 1);
    const images = tf.stack(classes.map((_, i) => {
      const r = s.result(i);
      r.last.dispose();
      return r.image;
    })) as tf.Tensor4D;
    const shown = displayImage(images, { mean: net.mean });
    const r = robustTop1(net, images, classes);
    const c = contrast(shown);
    tf.dispose([images, shown]);
    const label = `${style} @${s.step + 1}`;
    rows.push(
      { section, backend, metric: `${label} top-1`, value: mean(r.top1.map(Number)), unit: 'fraction' },
      { section, backend, metric: `${label} robust top-1`, value: mean(r.robust), unit: 'fraction', note: '24 fixed shifts ≤1/8, zooms 0.85–1.15, turns ±12°' },
      { section, backend, metric: `${label} target probability`, value: mean(r.probability), unit: 'mean' },
      { section, backend, metric: `${label} contrast`, value: c, unit: 'std of 0–255', note: 'saved picture (norm01c)' },
      { section, backend, metric: `${label} step`, value: perStep, unit: 'ms', note: `${(perStep / bare).toFixed(2)}× the bare gradient step` },
    );
    console.log(`[bench] ${label}: top-1 ${mean(r.top1.map(Number)).toFixed(2)}, robust ${mean(r.robust).toFixed(2)}`);
    measuring += performance.now() - m0;
  }
  return rows;
}

/** The ms of the bare input-gradient step of the same batch: the sum of each image's target logit. */
export async function bareStep(net: Net, classes: number[], size: number): Promise<number> {
  const pixels = tf.randomUniform([classes.length, size, size, 3], 0, 255, 'float32', 1) as tf.Tensor4D;
  const picks = tf.oneHot(tf.tensor1d(classes, 'int32'), 1000);
  const bare = await timeIt(() => tf.grad((p: tf.Tensor) => tf.sum(tf.mul(net.forward(p as tf.Tensor4D, { taps: [net.logits] })[net.logits], picks)))(pixels), 3);
  tf.dispose([pixels, picks]);
  return bare;
}

export async function benchFidelity(net: Net, backend: string, size = 128): Promise<Row[]> {
  const classes = FIDELITY_CLASSES.slice(0, Number(process.env.BENCH_FIDELITY_CLASSES ?? FIDELITY_CLASSES.length));
  const factor = Number(process.env.BENCH_FIDELITY_STEPS ?? 1);
  const scaled = (n: number) => Math.max(1, Math.round(n * factor));
  const bare = await bareStep(net, classes, size);
  const rows: Row[] = [{ section: `fidelity ${size}² (${classes.length} classes)`, backend, metric: 'bare gradient step (batch)', value: bare, unit: 'ms' }];
  for (const [i, preset] of PAPER_PRESETS.entries()) {
    rows.push(...(await measureStyle(net, `preset ${i + 1}`, preset, [...new Set([scaled(200), scaled(preset.steps)])].sort((a, b) => a - b), classes, size, bare, backend)));
  }
  rows.push(...(await measureStyle(net, 'lucid', LUCID_PRESET, [scaled(64), scaled(512)], classes, size, bare, backend)));
  // Issue 13's cost target: a modern step against a paper step at the same size and batch, in turns.
  const [paper, modern] = await stepsInTurns(net, [PAPER_PRESETS[2], LUCID_PRESET], classes, size, 5);
  rows.push(
    { section: rows[0].section, backend, metric: 'preset 3 step (in turns)', value: paper, unit: 'ms', note: 'median, 5 short runs of each in turns' },
    { section: rows[0].section, backend, metric: 'lucid step (in turns)', value: modern, unit: 'ms', note: 'median, 5 short runs of each in turns' },
    { section: rows[0].section, backend, metric: 'lucid step / preset 3 step', value: modern / paper, unit: '×', note: 'target ≤ 1.5' },
  );
  return rows;
}

/**
 * The median ms between steps of each preset on the batch of `classes`, from `rounds` short runs
 * of each taken in turns, so that a busy spell of the machine falls on all of them.
 */
export async function stepsInTurns(net: Net, presets: readonly Preset[], classes: number[], size: number, rounds: number): Promise<number[]> {
  const times = presets.map((): number[] => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, preset] of presets.entries()) {
      const results = await optimizeUnits(net, classes.map((k) => classLogit(k)), { ...preset, steps: 6, size, seed: 1 + round, onStep: stepGaps(times[i]) });
      for (const r of results) tf.dispose([r.image, r.last]);
    }
  }
  return times.map(median);
}
