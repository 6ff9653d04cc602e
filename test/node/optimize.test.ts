import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { toNet } from '../../src/net/index';
import { classLogit, channel, objective } from '../../src/objectives/index';
import { clipSmallNorm, type Regularizer } from '../../src/regularizers/index';
import {
  optimizeUnit, optimizeUnits, optimizeUnitSteps, PAPER_PRESETS, lrProgress, lrConstant, CAFFENET_GRAD_RMS, stepSize,
  type LrScale,
  randomSearch, DEFAULT_SEARCH_SPACE,
} from '../../src/optimize/index';
import { DeepvisError } from '../../src/errors';
import { sequentialModel } from '../helpers/models';

/**
 * A linear net with known gradients: a 1×1 convolution (filter 0 = [1, 2, −1], filter 1 =
 * [0, 0, 3]) on raw 0–255 pixels, then the spatial mean. Class k's logit is the mean of
 * its filter's response, so ∂a0/∂x = [1, 2, −1] / (h·w) at every pixel.
 */
function linearModel(size = 4): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [null, null, 3], filters: 2, kernelSize: 1, useBias: false, name: 'lin' }),
      tfl.layers.globalAveragePooling2d({ name: 'gap' }),
    ],
  });
  const w = tf.tensor4d([1, 0, 2, 0, -1, 3], [1, 1, 3, 2]);
  model.layers[0].setWeights([w]);
  w.dispose();
  void size;
  return model;
}

const [mr, mg, mb] = [123.68, 116.779, 103.939];

describe(`optimizeUnit: exact steps on a linear net (${process.env.DEEPVIS_BACKEND})`, () => {
  const model = linearModel();
  const net = toNet(model, { inputRange: [0, 255] });
  afterAll(() => net.dispose());
  const a0 = mr + 2 * mg - mb; // class 0 at the mean image
  const gradSq = 6 / 16; // ‖g‖² over a 4×4 image

  it('constant lr, verbatim: x += lr·g every step but the last; activations, best and last exact', async () => {
    const r = await optimizeUnit(net, classLogit(0), { steps: 3, lr: 10, lrScale: 'verbatim', regularizers: [], start: 'mean', size: 4 });
    expect(r.activations.map((v) => +v.toFixed(3))).toEqual([a0, a0 + 3.75, a0 + 7.5].map((v) => +v.toFixed(3)));
    expect(r.bestStep).toBe(2);
    expect(r.best).toBeCloseTo(a0 + 7.5, 3);
    expect(r.scale).toBe(1);
    expect(r.image.shape).toEqual([4, 4, 3]);
    // Two updates of 10·[1, 2, −1]/16; the last step measures but does not move.
    const px = Array.from(tf.slice(r.last, [2, 1, 0], [1, 1, 3]).dataSync());
    [mr + 1.25, mg + 2.5, mb - 1.25].forEach((v, i) => expect(px[i]).toBeCloseTo(v, 3));
    expect(Array.from(r.image.dataSync())).toEqual(Array.from(r.last.dataSync()));
    tf.dispose([r.image, r.last]);
  });

  it('clips to 0–255 before each forward', async () => {
    const start = tf.fill([4, 4, 3], 254.5);
    const r = await optimizeUnit(net, classLogit(0), { steps: 2, lr: 10, lrScale: 'verbatim', regularizers: [], start, size: 4 });
    // Step 1 sees R and G clipped to 255, B = 254.5 − 0.625.
    expect(r.activations[0]).toBeCloseTo(509, 3);
    expect(r.activations[1]).toBeCloseTo(255 + 510 - 253.875, 3);
    expect(tf.tidy(() => tf.max(r.last).dataSync()[0])).toBe(255);
    tf.dispose([start, r.image, r.last]);
  });

  it("lrProgress: lr = min(maxLr, desired / ‖g‖²), so each step gains exactly 'desired' below the cap", async () => {
    const free = await optimizeUnit(net, classLogit(0), { steps: 4, lr: lrProgress({ maxLr: 1000, desiredProgress: 1.5 }), lrScale: 'verbatim', regularizers: [], start: 'mean', size: 4 });
    free.activations.forEach((v, i) => expect(v).toBeCloseTo(a0 + 1.5 * i, 3));
    const capped = await optimizeUnit(net, classLogit(0), { steps: 3, lr: lrProgress({ maxLr: 2, desiredProgress: 1.5 }), lrScale: 'verbatim', regularizers: [], start: 'mean', size: 4 });
    capped.activations.forEach((v, i) => expect(v).toBeCloseTo(a0 + 2 * gradSq * i, 3));
    tf.dispose([free.image, free.last, capped.image, capped.last]);
  });

  it("lrScale 'caffenet' (default): the first step moves each value by lr × 0.0868 in RMS; progress gains are desiredProgress · √s", async () => {
    const rms = Math.sqrt(gradSq / 48);
    const r = await optimizeUnit(net, classLogit(0), { steps: 2, lr: lrConstant(100), lrScale: 'caffenet', regularizers: [], start: 'mean', size: 4 });
    expect(r.scale).toBeCloseTo(CAFFENET_GRAD_RMS / rms, 6);
    expect(CAFFENET_GRAD_RMS).toBeCloseTo(0.0868, 4);
    // Moved by 100 · s · g: the RMS change per value is 100 · 0.0868.
    const moved = tf.tidy(() => tf.sqrt(tf.mean(tf.square(tf.sub(r.last, tf.tensor1d([mr, mg, mb]))))).dataSync()[0]);
    expect(moved).toBeCloseTo(100 * CAFFENET_GRAD_RMS, 3);
    // Progress: the cap maxLr is a step size (× s), the desired gain grows with √s.
    const s = r.scale;
    const free = await optimizeUnit(net, classLogit(0), { steps: 3, lr: lrProgress({ maxLr: 1000, desiredProgress: 1.5 }), lrScale: 'caffenet', regularizers: [], start: 'mean', size: 4 });
    free.activations.forEach((v, i) => expect(v).toBeCloseTo(a0 + 1.5 * Math.sqrt(s) * i, 3));
    const four = await optimizeUnit(net, classLogit(0), { steps: 3, lr: lrProgress({ maxLr: 1000, desiredProgress: 1.5 }), lrScale: 4, regularizers: [], start: 'mean', size: 4 });
    four.activations.forEach((v, i) => expect(v).toBeCloseTo(a0 + 3 * i, 3)); // 1.5 · √4 a step
    tf.dispose([four.image, four.last]);
    const capped = await optimizeUnit(net, classLogit(0), { steps: 3, lr: lrProgress({ maxLr: 2, desiredProgress: 1.5 }), lrScale: 'caffenet', regularizers: [], start: 'mean', size: 4 });
    capped.activations.forEach((v, i) => expect(v).toBeCloseTo(a0 + 2 * s * gradSq * i, 3));
    tf.dispose([free.image, free.last, capped.image, capped.last]);
    const fixed = await optimizeUnit(net, classLogit(0), { steps: 2, lr: 10, lrScale: 3, regularizers: [], start: 'mean', size: 4 });
    expect(fixed.activations[1] - fixed.activations[0]).toBeCloseTo(30 * gradSq, 3);
    tf.dispose([r.image, r.last, fixed.image, fixed.last]);
  });

  it('stepSize: the toolbox formula at s = 1; the cap × s and the desired gain × √s otherwise', () => {
    const p1 = lrProgress({ maxLr: 100, desiredProgress: 2 });
    expect(stepSize(p1, 1, 0.5)).toBe(4); // min(100, 2 / 0.5)
    expect(stepSize(p1, 1, 0.01)).toBe(100); // capped
    expect(stepSize(p1, 400, 0.5)).toBe(80); // min(40000, 2 · 20 / 0.5)
    expect(stepSize(lrProgress({ maxLr: 1, desiredProgress: 2 }), 4, 0.01)).toBe(4); // min(4, 2 · 2 / 0.01)
    expect(stepSize(p1, 400, 0)).toBe(40000); // no gradient: the cap
    expect(stepSize(lrConstant(100), 400, 0.5)).toBe(40000);
  });

  it("lrScale 'normalized' measures the scale at every step; leaving lrScale out is 'caffenet'", async () => {
    const run = (lrScale?: LrScale) => optimizeUnit(net, classLogit(0), { steps: 3, lr: 100, lrScale, regularizers: [], start: 'mean', size: 4 });
    const [byDefault, caffenet] = [await run(), await run('caffenet')];
    expect(byDefault.activations).toEqual(caffenet.activations);
    // Normalized steps on a net whose gradient never changes: the same as the one calibration.
    const normalized = await run('normalized');
    expect(normalized.scale).toBeCloseTo(caffenet.scale, 6);
    normalized.activations.forEach((v, i) => expect(v).toBeCloseTo(caffenet.activations[i], 3));
    // A gradient that changes: each step's size follows it.
    const steps: number[][] = [];
    const quadratic = objective('square', (t) => tf.sum(tf.square(tf.sub(tf.mean(t.lin, [1, 2]), 100)), 1), { taps: ['lin'] });
    await optimizeUnit(net, quadratic, { steps: 4, lr: 100, lrScale: 'normalized', regularizers: [], start: 'mean', size: 4, onStep: (s) => { steps.push([...s.stepSizes]); } });
    expect(new Set(steps.slice(0, 3).map((s) => s[0].toFixed(6))).size).toBe(3);
    tf.dispose([byDefault, caffenet, normalized].flatMap((r) => [r.image, r.last]));
  });

  it('regularizers run in order after each update except the last, with step, grad and a seeded random', async () => {
    const calls: string[] = [];
    const draws: number[] = [];
    const spy = (name: string): Regularizer => ({
      name, params: {},
      apply: (x, ctx) => {
        calls.push(`${name}@${ctx.step}/${ctx.steps}`);
        expect(ctx.grad.shape).toEqual(x.shape);
        draws.push(ctx.random());
        return tf.clone(x);
      },
    });
    await optimizeUnit(net, classLogit(0), { steps: 3, regularizers: [spy('a'), spy('b')], start: 'mean', size: 4, seed: 4 })
      .then((r) => tf.dispose([r.image, r.last]));
    expect(calls).toEqual(['a@0/3', 'b@0/3', 'a@1/3', 'b@1/3']);
    const again: number[] = [];
    const spy2: Regularizer = { name: 'c', params: {}, apply: (x, ctx) => { again.push(ctx.random()); again.push(ctx.random()); return tf.clone(x); } };
    const r = await optimizeUnit(net, classLogit(0), { steps: 3, regularizers: [spy2], start: 'mean', size: 4, seed: 4 });
    expect(again).toEqual(draws);
    tf.dispose([r.image, r.last]);
  });

  it('majorityStep: the first step where the unit is the argmax of its layer', async () => {
    // Class 0 gains 3.75 a step, class 1 loses 1.875: it overtakes at step ceil(58.518 / 5.625) = 11.
    const a1 = 3 * mb;
    const first = Math.ceil((a1 - a0) / 5.625);
    const r = await optimizeUnit(net, classLogit(0), { steps: 14, lr: 10, lrScale: 'verbatim', regularizers: [], start: 'mean', size: 4 });
    expect(first).toBe(11);
    expect(r.majorityStep).toBe(11);
    const never = await optimizeUnit(net, classLogit(0), { steps: 5, lr: 10, lrScale: 'verbatim', regularizers: [], start: 'mean', size: 4 });
    expect(never.majorityStep).toBeNull();
    const custom = await optimizeUnit(net, objective('sum', (t) => tf.sum(t.gap, 1), { taps: ['gap'] }), { steps: 2, start: 'mean', size: 4 });
    expect(custom.majorityStep).toBeNull();
    tf.dispose([r.image, r.last, never.image, never.last, custom.image, custom.last]);
  });

  it('keeps the best-ever image, not the last', async () => {
    // Blur towards nothing and a big decay shrink the image after step 0: the best stays early.
    const r = await optimizeUnit(net, classLogit(0), { steps: 5, lr: 1, lrScale: 'verbatim', regularizers: [{ name: 'undo', params: {}, apply: (x) => tf.sub(x, 5) }], start: 'mean', size: 4 });
    expect(r.bestStep).toBe(0);
    expect(r.best).toBeCloseTo(a0, 3);
    const best = r.image.dataSync();
    [mr, mg, mb].forEach((v, i) => expect(best[i]).toBeCloseTo(v, 3));
    tf.dispose([r.image, r.last]);
  });
});

describe(`optimizeUnit: runs, batches, streams, cleans up (${process.env.DEEPVIS_BACKEND})`, () => {
  const model = sequentialModel();
  const net = toNet(model);
  afterAll(() => net.dispose());

  it('200 steps of each paper preset leave the tensor count unchanged and raise the activation', async () => {
    for (const preset of PAPER_PRESETS) {
      const before = tf.memory().numTensors;
      const r = await optimizeUnit(net, classLogit(2), { ...preset, steps: 200, size: 12, seed: 3 });
      expect(r.activations).toHaveLength(200);
      expect(r.best).toBeGreaterThan(r.activations[0]);
      expect(tf.memory().numTensors).toBe(before + 2);
      const [lo, hi] = tf.tidy(() => [tf.min(r.image).dataSync()[0], tf.max(r.image).dataSync()[0]]);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(255);
      tf.dispose([r.image, r.last]);
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('the same seed gives the same image; another seed another', async () => {
    const run = (seed: number) => optimizeUnit(net, channel('s_conv1', 1), { steps: 5, size: 10, seed });
    const [a, b, c] = [await run(7), await run(7), await run(8)];
    expect(Array.from(a.image.dataSync())).toEqual(Array.from(b.image.dataSync()));
    expect(Array.from(a.image.dataSync())).not.toEqual(Array.from(c.image.dataSync()));
    tf.dispose([a.image, a.last, b.image, b.last, c.image, c.last]);
  });

  it('optimizeUnits: each objective its own image, as if run alone', async () => {
    const options = { steps: 6, size: 10, start: 'mean' as const, ...{ regularizers: PAPER_PRESETS[0].regularizers, lr: PAPER_PRESETS[0].lr } };
    const [r0, r1] = await optimizeUnits(net, [classLogit(0), channel('s_conv1', 3)], options);
    const alone = await optimizeUnit(net, channel('s_conv1', 3), options);
    expect(r1.activations.length).toBe(6);
    r1.activations.forEach((v, i) => expect(v).toBeCloseTo(alone.activations[i], 3));
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(r1.image, alone.image))).dataSync()[0]);
    expect(diff).toBeLessThan(1e-3);
    expect(r0.activations[0]).not.toBeCloseTo(r1.activations[0], 3);
    tf.dispose([r0.image, r0.last, r1.image, r1.last, alone.image, alone.last]);
  });

  it('optimizeUnitSteps streams every step; leaving early releases everything', async () => {
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    for await (const s of optimizeUnitSteps(net, classLogit(1), { steps: 50, size: 8 })) {
      seen.push(s.step);
      const im = s.image();
      expect(im.shape).toEqual([8, 8, 3]);
      im.dispose();
      if (s.step === 9) break;
    }
    expect(seen).toEqual([...Array(10).keys()]);
    expect(tf.memory().numTensors).toBe(before);
    let final: Awaited<ReturnType<typeof optimizeUnit>> | undefined;
    for await (const s of optimizeUnitSteps(net, classLogit(1), { steps: 4, size: 8 })) if (s.isLast) final = s.result();
    expect(final!.activations).toHaveLength(4);
    tf.dispose([final!.image, final!.last]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('onStep sees every step; an AbortSignal rejects with AbortError and leaves no tensor', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const steps: number[] = [];
    const run = optimizeUnit(net, classLogit(1), {
      steps: 100, size: 8, signal: controller.signal,
      onStep: (s) => { steps.push(s.step); if (s.step === 4) controller.abort(); },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError', code: 'ABORTED' });
    expect(steps).toEqual([0, 1, 2, 3, 4]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('an objective that throws mid-run leaves no tensor behind', async () => {
    const before = tf.memory().numTensors;
    let calls = 0;
    const flaky = objective('flaky', (t) => { if (++calls === 4) throw new Error('boom'); return tf.sum(t.s_gap, 1); }, { taps: ['s_gap'] });
    await expect(optimizeUnit(net, flaky, { steps: 10, size: 8 })).rejects.toThrow('boom');
    expect(calls).toBe(4);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('accepts a tfjs model and compiles (and releases) a Net for the run', async () => {
    const before = tf.memory().numTensors;
    const r = await optimizeUnit(model, classLogit(0), { steps: 3, size: 8 });
    expect(r.activations).toHaveLength(3);
    tf.dispose([r.image, r.last]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('randomSearch samples seeded combinations in the space and ranks them by score', async () => {
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    const search = () => randomSearch(net, classLogit(2), {
      trials: 4, steps: 3, size: 8, seed: 5, score: (r, p) => { seen.push(r.activations.length); return r.best - 100 * p.decay; },
    });
    const a = await search();
    const b = await search();
    expect(seen).toEqual([3, 3, 3, 3, 3, 3, 3, 3]);
    expect(a.map((t) => t.params)).toEqual(b.map((t) => t.params));
    expect(a.map((t) => t.score)).toEqual([...a.map((t) => t.score)].sort((x, y) => y - x));
    for (const { params: p, regularizers } of a) {
      expect(p.decay).toBeGreaterThanOrEqual(DEFAULT_SEARCH_SPACE.decay[0]);
      expect(p.decay).toBeLessThanOrEqual(DEFAULT_SEARCH_SPACE.decay[1]);
      expect(Number.isInteger(p.blurEvery) && p.blurEvery >= 1 && p.blurEvery <= 8).toBe(true);
      expect(regularizers.map((r) => r.name)).toEqual(['l2Decay', 'blurEvery', 'clipSmallNorm', 'clipSmallContribution']);
    }
    expect(new Set(a.map((t) => t.params.normPct)).size).toBe(4);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('bad input gets a clear error and leaves no tensor', async () => {
    const before = tf.memory().numTensors;
    const reject = (p: Promise<unknown>, code: string, message: RegExp) => expect(p).rejects.toSatisfy((e: unknown) =>
      e instanceof DeepvisError && e.code === code && message.test(e.message));
    await reject(optimizeUnit(net, channel('s_conv9', 0), { steps: 2 }), 'UNKNOWN_LAYER', /Unknown layer 's_conv9'. Closest names: 's_conv1'/);
    await reject(optimizeUnit(net, channel('s_conv1', 4), { steps: 2 }), 'OUT_OF_RANGE', /Channel 4 is out of range for layer 's_conv1': it has 4 channels \(0–3\)/);
    await reject(optimizeUnit(net, classLogit(0), { steps: -5 }), 'BAD_OPTION', /Option 'steps' must be an integer ≥ 1; got -5/);
    await reject(optimizeUnit(net, classLogit(0), { steps: 1.5 }), 'BAD_OPTION', /Option 'steps'/);
    await reject(optimizeUnit(net, classLogit(0), { lr: -1 }), 'BAD_OPTION', /Option 'lr' must be a finite number ≥ 0; got -1/);
    await reject(optimizeUnit(net, classLogit(0), { lrScale: 'imagenet' as never }), 'BAD_OPTION', /Option 'lrScale'/);
    await reject(optimizeUnit(net, classLogit(0), { size: 0 }), 'BAD_OPTION', /Option 'size'/);
    const nan = tf.tensor3d([NaN, ...new Array(8 * 8 * 3 - 1).fill(100)], [8, 8, 3]);
    await reject(optimizeUnit(net, classLogit(0), { start: nan }), 'NOT_FINITE', /Option 'start': the image contains NaN/);
    await reject(optimizeUnit(net, classLogit(0), { start: nan, size: 6 }), 'BAD_OPTION', /Option 'start' is 8×8 but the run is 6×6/);
    await reject(optimizeUnit(net, classLogit(0), { start: 'gray' as never }), 'BAD_OPTION', /Option 'start' must be 'mean_plus_rand', 'mean', 'randu' or a tensor/);
    expect(() => clipSmallNorm(120)).toThrowError(/Option 'percentile' must be a percentile between 0 and 100; got 120/);
    nan.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
