import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption } from '../errors';
import { toNet } from '../net/index';
import { checkInputSize } from '../net/check-pixels';
import type { Net } from '../net/types';
import type { BoundObjective, Objective } from '../objectives/index';
import type { Regularizer, RegularizerContext } from '../regularizers/index';
import { applyRegularizers } from '../regularizers/regularizers';
import { LR_SCALES, objectiveScale, stepSize, toLrPolicy, type LrPolicy, type LrScale } from './lr';
import { PAPER_PRESETS } from './presets';
import { seededRandom, yieldToEventLoop } from './random';
import { startImage, type StartImage } from './start';

/** Options of {@link optimizeUnit}; defaults are the paper's preset 3 (`PAPER_PRESETS[2]`). */
export interface OptimizeOptions {
  /** Number of steps (forward + backward each). Default 1000. */
  steps?: number;
  /** A constant learning rate, `lrConstant(x)` or `lrProgress({ maxLr, desiredProgress })`. Default 100. */
  lr?: number | LrPolicy;
  /** How to read the learning rate on this net (see {@link LrScale}). Default `'caffenet'`. */
  lrScale?: LrScale;
  /** The r_θ operators, applied in order after each update. Default `[l2Decay(1e-4), blurEvery(4, 1)]` (preset 3). */
  regularizers?: readonly Regularizer[];
  /** The first image. Default `'mean_plus_rand'`. */
  start?: StartImage;
  /** Image size `[h, w]` (or one number) for fully convolutional nets. Default: the model's input size, else 227. */
  size?: number | readonly [number, number];
  /** Seed for the start image and the regularizers' random source. Default 0. */
  seed?: number;
  /** Called after every step, awaited. */
  onStep?: (info: StepInfo) => void | Promise<void>;
  /** Aborts the run: the promise rejects with an `AbortError` (DeepvisError code `ABORTED`). */
  signal?: AbortSignal;
  /** Ignored (presets carry a name). */
  name?: string;
}

/** The result of one objective's run. The caller owns `image` and `last`. */
export interface OptimizeResult {
  /** The best-ever image (highest objective), `[h, w, 3]` 0–255 RGB. */
  image: tf.Tensor3D;
  /** The image of the last step, `[h, w, 3]` 0–255 RGB. */
  last: tf.Tensor3D;
  /** The best objective value, reached at `bestStep`. */
  best: number;
  bestStep: number;
  /** The objective at every step (measured on the image before that step's update). */
  activations: number[];
  /** The first step at which the unit was the argmax of its layer; `null` if never (or not a single unit). */
  majorityStep: number | null;
  /** The step-size scale `s` the learning rate was read with (see {@link LrScale}). */
  scale: number;
}

/** What the loop reports after each step. `image` and `result` are valid until the next step. */
export interface StepInfo {
  readonly step: number;
  readonly steps: number;
  /** The objective of image 0 at this step. */
  readonly activation: number;
  /** The objective of every image in the batch at this step. */
  readonly activations: readonly number[];
  /** The multiplier of the gradient used by this step's update (η · s), per image (0 on the last step). */
  readonly stepSizes: readonly number[];
  readonly isLast: boolean;
  /** The current image `i` as `[h, w, 3]` 0–255 RGB (a new tensor the caller owns). */
  image(i?: number): tf.Tensor3D;
  /** The run so far for image `i` (new tensors the caller owns). */
  result(i?: number): OptimizeResult;
}

/**
 * tfjs keeps the tensors a gradient tape saved when the function under `tf.grad` throws,
 * and never frees them; release them so a failing objective leaves nothing behind.
 */
function releaseTape(): void {
  const state = (tf.engine() as unknown as { state: { gradientDepth: number; activeTape: { saved?: tf.Tensor[] }[] | null } }).state;
  if (state.gradientDepth !== 0 || !state.activeTape) return;
  for (const node of state.activeTape) tf.dispose(node.saved ?? []);
  state.activeTape = null;
}

/**
 * Anything with the Net interface.
 *
 * @example
 * ```ts
 * const net = isNet(m) ? m : toNet(m);
 * ```
 */
export function isNet(x: unknown): x is Net {
  const n = x as Net;
  return !!n && typeof n.forward === 'function' && Array.isArray(n.layers) && typeof n.logits === 'string';
}

interface Plan {
  steps: number;
  lr: LrPolicy;
  lrScale: LrScale;
  regularizers: readonly Regularizer[];
  start: StartImage;
  seed: number;
  h: number;
  w: number;
}

function plan(net: Net, options: OptimizeOptions, n: number): Plan {
  const preset = PAPER_PRESETS[2];
  const steps = options.steps ?? preset.steps;
  checkOption(Number.isInteger(steps) && steps >= 1, 'steps', 'an integer ≥ 1', steps);
  const lr = toLrPolicy(options.lr ?? preset.lr);
  const lrScale = options.lrScale ?? 'caffenet';
  checkOption(LR_SCALES.includes(lrScale) || (typeof lrScale === 'number' && Number.isFinite(lrScale) && lrScale > 0),
    'lrScale', `${LR_SCALES.map((k) => `'${k}'`).join(', ')} or a number > 0`, lrScale);
  const regularizers = options.regularizers ?? preset.regularizers;
  checkOption(Array.isArray(regularizers) && regularizers.every((r) => r && typeof r.apply === 'function'),
    'regularizers', 'an array of Regularizers ({ name, params, apply })', regularizers);
  const seed = options.seed ?? 0;
  checkOption(Number.isFinite(seed), 'seed', 'a finite number', seed);
  const start = options.start ?? 'mean_plus_rand';
  let [h, w] = [net.inputShape[0], net.inputShape[1]];
  const given = start instanceof tf.Tensor ? start.shape.slice(start.rank - 3, start.rank - 1) : undefined;
  const size = options.size !== undefined ? (typeof options.size === 'number' ? [options.size, options.size] : options.size) : given;
  if (size) {
    checkOption(Array.isArray(size) && size.length === 2 && size.every((v) => Number.isInteger(v) && v > 0), 'size', 'an integer > 0 or [h, w]', options.size);
    if (!net.fullyConvolutional && ((h !== null && size[0] !== h) || (w !== null && size[1] !== w))) {
      throw new DeepvisError('BAD_OPTION', `This model needs ${h}×${w} images (it is not fully convolutional); got size ${size[0]}×${size[1]}. Leave 'size' out.`);
    }
    [h, w] = size as [number, number];
  }
  if (given && (given[0] !== h || given[1] !== w)) {
    throw new DeepvisError('BAD_OPTION', `Option 'start' is ${given[0]}×${given[1]} but the run is ${h}×${w}; resize the start image or change 'size'.`);
  }
  // n images of this size must survive the net and fit the budget, checked before any is made.
  checkInputSize(net, n, h ?? 227, w ?? 227);
  return { steps, lr, lrScale, regularizers, start, seed, h: h ?? 227, w: w ?? 227 };
}

/**
 * The loop of regularized optimization for a batch of objectives, image `i` for
 * objective `i`, as an async generator of steps. Every step (the toolbox's order):
 * clip to 0–255, forward, backward, then (except on the last step) `x += η · g` and
 * the regularizers in order. Tensors live only inside; `finally` releases them, whether
 * the run ends, throws, is aborted or is left early.
 *
 * @example
 * ```ts
 * for await (const s of optimizeLoop(net, [classLogit(1), classLogit(2)], { steps: 50 })) console.log(s.activations);
 * ```
 */
export async function* optimizeLoop(netOrModel: unknown, objectives: readonly Objective[], options: OptimizeOptions = {}): AsyncGenerator<StepInfo, void> {
  checkOption(Array.isArray(objectives) && objectives.length > 0 && objectives.every((o) => o && typeof o.bind === 'function'),
    'objectives', 'a non-empty array of Objectives', objectives);
  const owned = !isNet(netOrModel);
  const net = owned ? toNet(netOrModel) : (netOrModel as Net);
  const n = objectives.length;
  let x: tf.Tensor4D | null = null;
  let best: tf.Tensor4D | null = null;
  let meanT: tf.Tensor4D | null = null;
  try {
    const p = plan(net, options, n);
    const bound: BoundObjective[] = objectives.map((o) => o.bind(net));
    const taps = [...new Set(bound.flatMap((b) => b.taps))];
    const random = seededRandom(p.seed + 0x5eed);
    const values = p.h * p.w * 3;
    const activations: number[][] = objectives.map(() => []);
    const bestValue = new Array<number>(n).fill(-Infinity);
    const bestStep = new Array<number>(n).fill(0);
    const majorityStep: (number | null)[] = new Array(n).fill(null);
    let scales: number[] = [];
    meanT = tf.tensor4d([...net.mean], [1, 1, 1, 3]);
    const mean = meanT;
    x = startImage(p.start, n, p.h, p.w, net.mean, p.seed);
    best = tf.clone(x);

    const toPixels = (t: tf.Tensor4D, i: number) =>
      tf.tidy(() => tf.reshape(tf.clipByValue(tf.add(tf.slice(t, [i, 0, 0, 0], [1, -1, -1, -1]), mean), 0, 255), [p.h, p.w, 3]) as tf.Tensor3D);
    const measure = (image: tf.Tensor4D, finite: tf.Tensor) => {
      let perImage: tf.Tensor1D | null = null;
      let flags: tf.Tensor1D | null = null;
      try {
        return tf.tidy(() => {
          const { grad } = tf.valueAndGrad((xx: tf.Tensor4D) => {
            const outs = net.forward(tf.add(xx, mean) as tf.Tensor4D, { taps });
            const pick = (v: tf.Tensor1D, i: number) => {
              if (v.rank !== 1 || v.shape[0] !== n) {
                throw new DeepvisError('BAD_SHAPE', `Objective '${objectives[i].name}' gave shape [${v.shape.join(', ')}]; it must give one score per image, [${n}].`);
              }
              return tf.slice(v, [i], [1]);
            };
            perImage = tf.keep(tf.concat(bound.map((b, i) => pick(b.value(outs), i)))) as tf.Tensor1D;
            flags = tf.keep(tf.concat(bound.map((b, i) => (b.isArgmax ? pick(b.isArgmax(outs), i) : tf.fill([1], -1))))) as tf.Tensor1D;
            return tf.sum(perImage) as tf.Scalar;
          })(image);
          const sumSquares = tf.sum(tf.square(grad), [1, 2, 3]);
          return { grad: grad as tf.Tensor4D, readout: tf.concat([perImage!, flags!, sumSquares, finite]) };
        });
      } catch (e) {
        releaseTape();
        throw e;
      } finally {
        const kept = [perImage, flags] as (tf.Tensor1D | null)[];
        tf.dispose(kept.filter((t): t is tf.Tensor1D => t !== null));
      }
    };
    const checkAbort = () => {
      if (options.signal?.aborted) throw new DeepvisError('ABORTED', 'The optimization was aborted (its AbortSignal fired).');
    };

    for (let step = 0; step < p.steps; step++) {
      checkAbort();
      // Read back with the objective: whether the image was finite before clipping (the clip hides NaN on some backends).
      const finite = tf.tidy(() => tf.reshape(tf.cast(tf.all(tf.isFinite(x!)), 'float32'), [1]));
      const clipped = tf.tidy(() => tf.sub(tf.clipByValue(tf.add(x!, mean), 0, 255), mean) as tf.Tensor4D);
      x.dispose();
      x = clipped;
      let measured: ReturnType<typeof measure>;
      try {
        measured = measure(x, finite);
      } finally {
        finite.dispose();
      }
      const { grad, readout } = measured;
      let read: Float32Array | Int32Array | Uint8Array;
      try {
        read = await readout.data();
      } finally {
        readout.dispose();
      }
      try {
        const now = Array.from(read.subarray(0, n));
        const flags = Array.from(read.subarray(n, 2 * n));
        const sumSquares = Array.from(read.subarray(2 * n, 3 * n));
        if (read[3 * n] !== 1) {
          throw new DeepvisError('NOT_FINITE', step === 0
            ? "The start image holds NaN or ±Infinity; pass finite 0–255 values as 'start'."
            : `The image became NaN or ±Infinity after step ${step - 1}'s regularizers (${p.regularizers.map((r) => r.name).join(', ')}); check them.`);
        }
        if (now.some((v) => !Number.isFinite(v))) {
          throw new DeepvisError('NOT_FINITE', `The objective became ${now.find((v) => !Number.isFinite(v))} at step ${step}; lower the learning rate or check the objective.`);
        }
        // 'normalized' measures the scale again at every step; the others once.
        if (step === 0 || p.lrScale === 'normalized') scales = sumSquares.map((s) => objectiveScale(p.lrScale, s, values));
        const improved = now.map((v, i) => v > bestValue[i]);
        now.forEach((v, i) => {
          activations[i].push(v);
          if (improved[i]) [bestValue[i], bestStep[i]] = [v, step];
          if (majorityStep[i] === null && flags[i] === 1) majorityStep[i] = step;
        });
        if (improved.some(Boolean)) {
          const next = tf.tidy(() => {
            const mask = tf.tensor4d(improved.map(Number), [n, 1, 1, 1], 'bool');
            return tf.where(tf.broadcastTo(mask, x!.shape), x!, best!) as tf.Tensor4D;
          });
          best.dispose();
          best = next;
        }
        const isLast = step === p.steps - 1;
        const sizes = isLast ? now.map(() => 0) : scales.map((s, i) => stepSize(p.lr, s, sumSquares[i]));
        if (!isLast) {
          const ctx: RegularizerContext = { step, steps: p.steps, grad, random, mean: net.mean };
          const y = tf.tidy(() => tf.add(x!, tf.mul(grad, tf.tensor4d(sizes, [n, 1, 1, 1]))) as tf.Tensor4D);
          let z: tf.Tensor4D;
          try {
            z = applyRegularizers(p.regularizers, y, ctx);
          } finally {
            y.dispose();
          }
          x.dispose();
          x = z;
        }
        const current = x;
        const snapshotBest = best;
        const info: StepInfo = {
          step,
          steps: p.steps,
          activation: now[0],
          activations: now,
          stepSizes: sizes,
          isLast,
          image: (i = 0) => toPixels(current, i),
          result: (i = 0) => ({
            image: toPixels(snapshotBest, i),
            last: toPixels(current, i),
            best: bestValue[i],
            bestStep: bestStep[i],
            activations: activations[i].slice(),
            majorityStep: majorityStep[i],
            scale: scales[i],
          }),
        };
        grad.dispose();
        await options.onStep?.(info);
        yield info;
      } finally {
        if (!grad.isDisposed) grad.dispose();
      }
      await yieldToEventLoop();
    }
  } finally {
    tf.dispose([x, best, meanT].filter((t): t is tf.Tensor4D => t !== null));
    if (owned) net.dispose();
  }
}
