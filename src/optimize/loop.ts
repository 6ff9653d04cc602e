import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption } from '../errors';
import { toNet } from '../net/index';
import type { Net, NetOrModel } from '../net/types';
import type { BoundObjective, Objective } from '../objectives/index';
import type { Regularizer, RegularizerContext } from '../regularizers/index';
import { applyRegularizers } from '../regularizers/regularizers';
import { checkInputSize } from '../net/check-pixels';
import { LR_SCALES, objectiveScale, stepSize, toLrPolicy, type LrPolicy, type LrScale } from './lr';
import { PAPER_PRESETS } from './presets';
import { seededRandom } from '../util/random';
import { yieldToEventLoop } from '../util/event-loop';
import { nonFiniteSum } from '../util/finite';
import { releaseTape } from '../backends/tfjs-internals';
import { type StartImage } from './start';
import { buildParameterization, pixels, toParameterization, type BuiltParameterization, type Parameterization } from './parameterization';
import { applyTransforms, drawTransforms, resizeImage, toTransform, type DrawnTransform, type Transform } from './transforms';
import { AdamState, paperStep, toOptimizer, type Optimizer } from './optimizer';

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
  /** Seed for the start image and the random source of the regularizers and transforms. Default 0. */
  seed?: number;
  /** How the image is made from the optimized variables. Default `pixels()`, the paper's. */
  parameterization?: Parameterization;
  /** Random transforms applied inside the gradient at every step, in order. Default none (the paper's). */
  transforms?: readonly Transform[];
  /** How a gradient becomes a step. Default `paperStep()`, the paper's (`lr`, `lrScale`); `adam()` reads the constant `lr`. */
  optimizer?: Optimizer;
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
  /** The image after the last step, `[h, w, 3]` 0–255 RGB. */
  last: tf.Tensor3D;
  /** The best objective value, reached at `bestStep`. */
  best: number;
  bestStep: number;
  /** The objective at every step (measured on the image before that step's update, through that step's transforms). */
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
  /** The multiplier of the gradient used by this step's update (η · s; Adam: its `lr`), per image (0 on the last step). */
  readonly stepSizes: readonly number[];
  readonly isLast: boolean;
  /** The current image `i` as `[h, w, 3]` 0–255 RGB (a new tensor the caller owns). */
  image(i?: number): tf.Tensor3D;
  /** The run so far for image `i` (new tensors the caller owns). */
  result(i?: number): OptimizeResult;
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
  parameterization: Parameterization;
  transforms: readonly Transform[];
  optimizer: Optimizer;
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
  const parameterization = toParameterization(options.parameterization ?? pixels());
  const transforms = options.transforms ?? [];
  checkOption(Array.isArray(transforms), 'transforms', 'an array of transforms (pad, jitter, randomScale, randomRotate)', transforms);
  const optimizer = toOptimizer(options.optimizer ?? paperStep());
  if (optimizer.kind === 'adam' && lr.kind !== 'constant') {
    throw new DeepvisError('BAD_OPTION', "Option 'lr': adam() takes a constant learning rate (e.g. lr: 0.05), not the progress policy.");
  }
  // n images of this size must survive the net and fit the budget, checked before any is made.
  checkInputSize(net, n, h ?? 227, w ?? 227);
  return {
    steps, lr, lrScale, regularizers, start, seed, h: h ?? 227, w: w ?? 227,
    parameterization, transforms: transforms.map(toTransform), optimizer,
  };
}

/**
 * The loop of regularized optimization for a batch of objectives, image `i` for
 * objective `i`, as an async generator of steps. Every step (the toolbox's order):
 * clip to 0–255 (the paper's pixels), forward through this step's random transforms,
 * backward, then (except on the last step) the optimizer's update of the variables and the
 * regularizers in order, on the image. Tensors live only inside; `finally` releases them,
 * whether the run ends, throws, is aborted or is left early.
 *
 * @example
 * ```ts
 * for await (const s of optimizeLoop(net, [classLogit(1), classLogit(2)], { steps: 50 })) console.log(s.activations);
 * ```
 */
export async function* optimizeLoop(netOrModel: NetOrModel, objectives: readonly Objective[], options: OptimizeOptions = {}): AsyncGenerator<StepInfo, void> {
  checkOption(Array.isArray(objectives) && objectives.length > 0 && objectives.every((o) => o && typeof o.bind === 'function'),
    'objectives', 'a non-empty array of Objectives', objectives);
  const owned = !isNet(netOrModel);
  const net = owned ? toNet(netOrModel) : (netOrModel as Net);
  const n = objectives.length;
  // The variables (for the paper's pixels, the centred image itself) and the best image (centred).
  let x: tf.Tensor | null = null;
  let best: tf.Tensor4D | null = null;
  let meanT: tf.Tensor4D | null = null;
  let param: BuiltParameterization | null = null;
  let adamState: AdamState | null = null;
  try {
    const p = plan(net, options, n);
    const bound: BoundObjective[] = objectives.map((o) => o.bind(net));
    const taps = [...new Set(bound.flatMap((b) => b.taps))];
    const random = seededRandom(p.seed + 0x5eed);
    const activations: number[][] = objectives.map(() => []);
    const bestValue = new Array<number>(n).fill(-Infinity);
    const bestStep = new Array<number>(n).fill(0);
    const majorityStep: (number | null)[] = new Array(n).fill(null);
    let scales: number[] = [];
    meanT = tf.tensor4d([...net.mean], [1, 1, 1, 3]);
    const mean = meanT;
    param = buildParameterization(p.parameterization, n, p.h, p.w, net.mean);
    const built = param;
    x = built.init(p.start, p.seed);
    best = built.plain ? (tf.clone(x) as tf.Tensor4D) : built.centred(x);
    const values = x.size / n;
    const paper = p.optimizer.kind === 'paper';
    if (p.optimizer.kind === 'adam') adamState = new AdamState(p.optimizer, (p.lr as { lr: number }).lr);
    // A net with a fixed input size sees the transformed image resized back to it.
    const fixedSize = !net.fullyConvolutional && p.transforms.length > 0;
    // The regularizers read the gradient with respect to the image; for other parameterizations it is taken apart.
    const imageGrad = !built.plain && p.regularizers.length > 0;

    const toPixels = (t: tf.Tensor4D, i: number) =>
      tf.tidy(() => tf.reshape(tf.clipByValue(tf.add(tf.slice(t, [i, 0, 0, 0], [1, -1, -1, -1]), mean), 0, 255), [p.h, p.w, 3]) as tf.Tensor3D);
    const currentPixels = (v: tf.Tensor, i: number) => (built.plain ? toPixels(v as tf.Tensor4D, i) : tf.tidy(() => toPixels(built.centred(v), i)));
    /** Per-image numbers as a tensor that broadcasts over the variables (`[n, 1, 1, 1]`, or per colour plane). */
    const perImage = (numbers: number[], like: tf.Tensor) => {
      const k = like.shape[0] / n;
      return tf.tensor(numbers.flatMap((v) => new Array<number>(k).fill(v)), [like.shape[0], ...like.shape.slice(1).map(() => 1)]);
    };
    const measure = (v: tf.Tensor, drawn: readonly DrawnTransform[], withSumSquares: boolean, finite: tf.Tensor1D) => {
      let perImageValues: tf.Tensor1D | null = null;
      let flags: tf.Tensor1D | null = null;
      // The image the objective saw before the transforms (kept for the best image), unless plain.
      let seenImage: tf.Tensor4D | null = null;
      const objectiveOf = (image: tf.Tensor4D) => {
        if (!built.plain) seenImage = tf.keep(image);
        let seen = applyTransforms(image, drawn);
        if (fixedSize && (seen.shape[1] !== p.h || seen.shape[2] !== p.w)) seen = resizeImage(seen, p.h, p.w);
        const sameShape = seen.shape.every((d, k) => d === built.meanImage.shape[k]);
        const outs = net.forward(tf.add(seen, sameShape ? built.meanImage : mean) as tf.Tensor4D, { taps });
        const pick = (t: tf.Tensor1D, i: number) => {
          if (t.rank !== 1 || t.shape[0] !== n) {
            throw new DeepvisError('BAD_SHAPE', `Objective '${objectives[i].name}' gave shape [${t.shape.join(', ')}]; it must give one score per image, [${n}].`);
          }
          return tf.slice(t, [i], [1]);
        };
        perImageValues = tf.keep(tf.concat(bound.map((b, i) => pick(b.value(outs), i)))) as tf.Tensor1D;
        flags = tf.keep(tf.concat(bound.map((b, i) => (b.isArgmax ? pick(b.isArgmax(outs), i) : tf.fill([1], -1))))) as tf.Tensor1D;
        return tf.sum(perImageValues) as tf.Scalar;
      };
      try {
        return tf.tidy(() => {
          let grad: tf.Tensor;
          let gradImage: tf.Tensor4D | null = null;
          if (built.plain) grad = tf.valueAndGrad((xx: tf.Tensor4D) => objectiveOf(xx))(v as tf.Tensor4D).grad;
          else if (imageGrad) {
            // d/d(image) through an added zero image, d/d(variables) through the parameterization, in one pass.
            const zero = tf.zeros([n, p.h, p.w, 3]) as tf.Tensor4D;
            const { grads } = tf.valueAndGrads((vv: tf.Tensor, z: tf.Tensor) => objectiveOf(tf.add(built.centred(vv), z) as tf.Tensor4D))([v, zero]);
            [grad, gradImage] = [grads[0], grads[1] as tf.Tensor4D];
          } else grad = tf.valueAndGrad((vv: tf.Tensor) => objectiveOf(built.centred(vv)))(v).grad;
          const parts = [perImageValues!, flags!];
          if (withSumSquares) parts.push(built.plain ? tf.sum(tf.square(grad), [1, 2, 3]) : tf.sum(tf.square(tf.reshape(grad, [n, -1])), 1));
          parts.push(finite);
          return { grad, readout: tf.concat(parts), ...(gradImage ? { gradImage } : {}), ...(seenImage ? { image: seenImage } : {}) };
        }) as { grad: tf.Tensor; readout: tf.Tensor1D; gradImage?: tf.Tensor4D; image?: tf.Tensor4D };
      } catch (e) {
        releaseTape();
        if (seenImage) tf.dispose(seenImage);
        throw e;
      } finally {
        const kept = [perImageValues, flags] as (tf.Tensor1D | null)[];
        tf.dispose(kept.filter((t): t is tf.Tensor1D => t !== null));
      }
    };
    const checkAbort = () => {
      if (options.signal?.aborted) throw new DeepvisError('ABORTED', 'The optimization was aborted (its AbortSignal fired).');
    };

    for (let step = 0; step < p.steps; step++) {
      checkAbort();
      // 0 when the variables are finite before the projection (a clip hides NaN on some backends), read back with the objective.
      const finite = tf.tidy(() => tf.reshape(nonFiniteSum(x!), [1]) as tf.Tensor1D);
      const projected = built.project(x);
      if (projected) {
        x.dispose();
        x = projected;
      }
      const drawn = drawTransforms(p.transforms, random);
      // The step size needs ‖g‖² at the first step, at every step for 'normalized' and for the progress policy.
      const withSumSquares = paper && (step === 0 || p.lrScale === 'normalized' || p.lr.kind === 'progress');
      let measured: ReturnType<typeof measure>;
      try {
        measured = measure(x, drawn, withSumSquares, finite);
      } finally {
        finite.dispose();
      }
      const { grad, gradImage, readout, image: seen } = measured;
      let read: Float32Array | Int32Array | Uint8Array;
      try {
        read = await readout.data();
      } finally {
        readout.dispose();
      }
      try {
        const now = Array.from(read.subarray(0, n));
        const flags = Array.from(read.subarray(n, 2 * n));
        const sumSquares = withSumSquares ? Array.from(read.subarray(2 * n, 3 * n)) : now.map(() => 0);
        if (read[read.length - 1] !== 0) {
          throw new DeepvisError('NOT_FINITE', step === 0
            ? "The start image holds NaN or ±Infinity; pass finite 0–255 values as 'start'."
            : `The image became NaN or ±Infinity after step ${step - 1}'s update and regularizers (${p.regularizers.map((r) => r.name).join(', ') || 'none'}); lower the learning rate or check them.`);
        }
        if (now.some((v) => !Number.isFinite(v))) {
          throw new DeepvisError('NOT_FINITE', `The objective became ${now.find((v) => !Number.isFinite(v))} at step ${step}; lower the learning rate or check the objective.`);
        }
        // 'normalized' measures the scale again at every step; the others once.
        if (paper && (step === 0 || p.lrScale === 'normalized')) scales = sumSquares.map((s) => objectiveScale(p.lrScale, s, values));
        const improved = now.map((v, i) => v > bestValue[i]);
        now.forEach((v, i) => {
          activations[i].push(v);
          if (improved[i]) [bestValue[i], bestStep[i]] = [v, step];
          if (majorityStep[i] === null && flags[i] === 1) majorityStep[i] = step;
        });
        if (improved.some(Boolean)) {
          // The improved images replace theirs in the best batch: a shared clone when all did
          // (the usual case, no copy), else image-wise slices (no broadcast mask).
          const image = (seen ?? x) as tf.Tensor4D;
          const last: tf.Tensor4D = best;
          const next: tf.Tensor4D = improved.every(Boolean)
            ? (tf.clone(image) as tf.Tensor4D)
            : tf.tidy(() => tf.concat(improved.map((up, i) => tf.slice(up ? image : last, [i, 0, 0, 0], [1, -1, -1, -1]))) as tf.Tensor4D);
          best.dispose();
          best = next;
        }
        const isLast = step === p.steps - 1;
        const adamLr = paper ? 0 : (p.lr as { lr: number }).lr;
        const sizes = isLast ? now.map(() => 0) : paper ? scales.map((s, i) => stepSize(p.lr, s, sumSquares[i])) : now.map(() => adamLr);
        if (!isLast) {
          let y: tf.Tensor = adamState ? adamState.step(x, grad) : tf.tidy(() => tf.add(x!, tf.mul(grad, perImage(sizes, grad))));
          if (p.regularizers.length > 0) {
            const ctx: RegularizerContext = { step, steps: p.steps, grad: (gradImage ?? grad) as tf.Tensor4D, random, mean: net.mean };
            const image = built.plain ? (y as tf.Tensor4D) : built.centred(y);
            let z: tf.Tensor4D;
            try {
              z = applyRegularizers(p.regularizers, image, ctx);
            } finally {
              image.dispose();
              if (!built.plain) y.dispose();
            }
            if (!built.plain) {
              y = built.fromCentred(z);
              z.dispose();
            } else y = z;
          }
          x.dispose();
          x = y;
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
          image: (i = 0) => currentPixels(current, i),
          result: (i = 0) => ({
            image: toPixels(snapshotBest, i),
            last: currentPixels(current, i),
            best: bestValue[i],
            bestStep: bestStep[i],
            activations: activations[i].slice(),
            majorityStep: majorityStep[i],
            scale: paper ? scales[i] : 1,
          }),
        };
        grad.dispose();
        gradImage?.dispose();
        await options.onStep?.(info);
        yield info;
      } finally {
        if (!grad.isDisposed) grad.dispose();
        if (gradImage && !gradImage.isDisposed) gradImage.dispose();
        seen?.dispose();
      }
      await yieldToEventLoop();
    }
  } finally {
    tf.dispose([x, best, meanT].filter((t): t is tf.Tensor => t !== null));
    param?.dispose();
    adamState?.dispose();
    if (owned) net.dispose();
  }
}
