import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption } from '../errors';

/**
 * A random transform applied to the image inside the gradient at every step (plain data; made
 * by {@link pad}, {@link jitter}, {@link randomScale}, {@link randomRotate}, {@link cropToSize}).
 * The objective is measured on the transformed image, so only features that survive small
 * shifts, zooms and turns keep growing. Draws come from the run's seeded generator: same seed,
 * same run.
 */
export type Transform =
  | { readonly kind: 'pad'; readonly pixels: number; readonly mode: 'constant' | 'reflect' }
  | { readonly kind: 'jitter'; readonly pixels: number }
  | { readonly kind: 'scale'; readonly min: number; readonly max: number }
  | { readonly kind: 'rotate'; readonly degrees: number }
  | { readonly kind: 'cropToSize' };

const checkPixels = (v: number) => checkOption(Number.isInteger(v) && v >= 0, 'pixels', 'an integer ≥ 0', v);

/**
 * Pads the image by `pixels` on every side, with the mean colour (`'constant'`, default) or a
 * reflection of the border (`'reflect'`). Not random; gives the later transforms room.
 *
 * @example
 * ```ts
 * const t = [pad(12), jitter(8)];
 * ```
 */
export function pad(pixels: number, options: { mode?: 'constant' | 'reflect' } = {}): Transform {
  checkPixels(pixels);
  const mode = options.mode ?? 'constant';
  checkOption(mode === 'constant' || mode === 'reflect', 'mode', "'constant' or 'reflect'", mode);
  return Object.freeze({ kind: 'pad', pixels, mode });
}

/**
 * A random crop `pixels` smaller in each dimension: shifts the image by 0–`pixels` pixels.
 *
 * @example
 * ```ts
 * const t = jitter(8);
 * ```
 */
export function jitter(pixels: number): Transform {
  checkPixels(pixels);
  return Object.freeze({ kind: 'jitter', pixels });
}

/**
 * Zooms by a factor drawn uniformly from `[min, max]` (bilinear, {@link resizeImage}; the size changes with it).
 *
 * @example
 * ```ts
 * const t = randomScale(0.9, 1.1);
 * ```
 */
export function randomScale(min: number, max: number): Transform {
  checkOption(Number.isFinite(min) && min > 0, 'min', 'a number > 0', min);
  checkOption(Number.isFinite(max) && max >= min && max <= 4 * min, 'max', `a number from min (${min}) to 4 · min`, max);
  return Object.freeze({ kind: 'scale', min, max });
}

/**
 * Turns the image about its centre by an angle drawn uniformly from ±`degrees` (three linearly
 * interpolated shears; the corners fill with the mean colour).
 *
 * @example
 * ```ts
 * const t = randomRotate(10);
 * ```
 */
export function randomRotate(degrees: number): Transform {
  checkOption(Number.isFinite(degrees) && degrees >= 0 && degrees <= 45, 'degrees', 'a number from 0 to 45', degrees);
  return Object.freeze({ kind: 'rotate', degrees });
}

/**
 * A random crop back to the size the image had before the transforms (a centred pad with the
 * mean colour where it has become smaller): whatever the earlier transforms added, the net sees
 * the size the run asked for, so a step costs what a step without transforms costs. As the last
 * transform it is also a jitter, by as many pixels as the others added.
 *
 * @example
 * ```ts
 * const t = [randomRotate(10), pad(12), jitter(8), randomScale(0.9, 1.1), cropToSize()];   // LUCID_PRESET's
 * ```
 */
export function cropToSize(): Transform {
  return CROP_TO_SIZE;
}

const CROP_TO_SIZE: Transform = Object.freeze({ kind: 'cropToSize' });

/**
 * Checks a transform (also its JSON form) and returns it frozen.
 *
 * @example
 * ```ts
 * const ts = JSON.parse(text).map(toTransform);
 * ```
 */
export function toTransform(t: Transform): Transform {
  switch (t?.kind) {
    case 'pad': return pad(t.pixels, { mode: t.mode });
    case 'jitter': return jitter(t.pixels);
    case 'scale': return randomScale(t.min, t.max);
    case 'rotate': return randomRotate(t.degrees);
    case 'cropToSize': return cropToSize();
    default:
      throw new DeepvisError('BAD_OPTION', `Option 'transforms': ${JSON.stringify(t)} is not a transform; make one with pad, jitter, randomScale, randomRotate or cropToSize.`);
  }
}

/** One step's concrete transforms (random values drawn), made by {@link drawTransforms}. */
export type DrawnTransform =
  | { readonly kind: 'pad'; readonly pixels: number; readonly mode: 'constant' | 'reflect' }
  | { readonly kind: 'crop'; readonly pixels: number; readonly dy: number; readonly dx: number }
  | { readonly kind: 'scale'; readonly factor: number }
  | { readonly kind: 'rotate'; readonly radians: number }
  /** `u`, `v` in [0, 1): where the crop back to the start's size begins, as a share of the rows and columns to spare. */
  | { readonly kind: 'cropToSize'; readonly u: number; readonly v: number };

/**
 * Draws this step's values for `transforms` from `random` (uniform in [0, 1)).
 *
 * @example
 * ```ts
 * const drawn = drawTransforms([pad(12), jitter(8), randomScale(0.9, 1.1), randomRotate(10)], seededRandom(1));
 * ```
 */
export function drawTransforms(transforms: readonly Transform[], random: () => number): DrawnTransform[] {
  return transforms.map((t): DrawnTransform => {
    if (t.kind === 'pad') return t;
    if (t.kind === 'jitter') return { kind: 'crop', pixels: t.pixels, dy: Math.floor(random() * (t.pixels + 1)), dx: Math.floor(random() * (t.pixels + 1)) };
    if (t.kind === 'scale') return { kind: 'scale', factor: t.min + (t.max - t.min) * random() };
    if (t.kind === 'cropToSize') return { kind: 'cropToSize', u: random(), v: random() };
    return { kind: 'rotate', radians: ((2 * random() - 1) * t.degrees * Math.PI) / 180 };
  });
}

/** Linear-interpolation weights `[out, in]` for a resize of `size` to `out` pixels, half-pixel centres, edges clamped (tfjs's `resizeBilinear` with `halfPixelCenters`). */
function resizeWeights(size: number, out: number): Float32Array {
  const m = new Float32Array(out * size);
  for (let o = 0; o < out; o++) {
    const src = Math.min(Math.max(((o + 0.5) * size) / out - 0.5, 0), size - 1);
    const lo = Math.floor(src);
    const f = src - lo;
    m[o * size + lo] += 1 - f;
    if (f > 0) m[o * size + lo + 1] += f;
  }
  return m;
}

/**
 * `a ↦ a · mᵀ` along the last axis for a constant `m` given as `[out, in]` rows; the gradient
 * multiplies by `m` itself (a transposed product is several times slower on wasm). `m` is
 * saved on the tape, so it outlives the caller's `tidy` until the gradient is taken.
 */
function alongLast(a: tf.Tensor, m: Float32Array, size: number, out: number): tf.Tensor {
  const right = tf.tensor2d(m, [out, size]);
  const product = tf.customGrad(((v: tf.Tensor, save: tf.GradSaveFunc) => {
    save([right]);
    return {
      value: tf.matMul(v as tf.Tensor2D, tf.transpose(right)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.matMul(dy as tf.Tensor2D, saved[0] as tf.Tensor2D),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (v: tf.Tensor) => tf.Tensor;
  return product(tf.reshape(a, [-1, size]));
}

/**
 * Resizes an NHWC batch bilinearly (half-pixel centres, clamped edges: `tf.image.resizeBilinear`
 * with `halfPixelCenters: true`) as two plain matrix products, so its gradient is right on every
 * backend (tfjs 4.22's cpu gradient of `resizeBilinear` swaps height and width on non-square images).
 *
 * @example
 * ```ts
 * const bigger = resizeImage(x, 140, 140);
 * ```
 */
export function resizeImage(x: tf.Tensor4D, height: number, width: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  checkOption(Number.isInteger(height) && height > 0 && Number.isInteger(width) && width > 0, 'size', 'integers > 0', [height, width]);
  return tf.tidy(() => {
    const byRow = alongLast(tf.transpose(x, [0, 1, 3, 2]), resizeWeights(w, width), w, width); // [n·h·c, width]
    const byColumn = tf.transpose(tf.reshape(byRow, [n, h, c, width]), [0, 2, 3, 1]); // [n, c, width, h]
    const both = alongLast(byColumn, resizeWeights(h, height), h, height); // [n·c·width, height]
    return tf.transpose(tf.reshape(both, [n, c, width, height]), [0, 3, 2, 1]) as tf.Tensor4D;
  });
}

/**
 * `f` applied to an NHWC batch seen as `[n, h, w·c]` (a free reshape), back as NHWC: each row of
 * an image is then one run of the last axis, which is what wasm's `Pad` copies at a time. On
 * `[n, h, w, c]` it copies a pixel (three numbers) at a time, ~20× slower for a 224² batch, in
 * pads and in the gradient of every slice (a pad). Slices themselves cost the same either way (the
 * wasm `Slice` that `registerWasmGradientKernels` installs copies the longest runs memory allows).
 * The same numbers either way.
 */
function onRows(x: tf.Tensor4D, f: (rows: tf.Tensor3D, c: number) => tf.Tensor3D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const y = f(tf.reshape(x, [n, h, w * c]), c);
  return tf.reshape(y, [n, y.shape[1], y.shape[2] / c, c]);
}

/** Rows `y0 …` and columns `x0 …` of an NHWC batch (`tf.slice`). */
function sliceImage(x: tf.Tensor4D, [y0, x0]: readonly [number, number], [h, w]: readonly [number, number]): tf.Tensor4D {
  return onRows(x, (rows, c) => tf.slice(rows, [0, y0, x0 * c], [-1, h, w * c]));
}

/** An NHWC batch with `[top, bottom]` rows and `[left, right]` columns of zeros (`tf.pad`). */
function padImage(x: tf.Tensor4D, [top, bottom]: readonly [number, number], [left, right]: readonly [number, number]): tf.Tensor4D {
  return onRows(x, (rows, c) => tf.pad(rows, [[0, 0], [top, bottom], [left * c, right * c]]));
}

/** NHWC batches of one size across the other axis, joined along `axis` (1: rows, 2: columns). */
function concatImages(parts: readonly tf.Tensor4D[], axis: 1 | 2): tf.Tensor4D {
  const [n, , , c] = parts[0].shape;
  const joined = tf.concat(parts.map((p) => tf.reshape(p, [n, p.shape[1], p.shape[2] * c]) as tf.Tensor3D), axis);
  return tf.reshape(joined, [n, joined.shape[1], joined.shape[2] / c, c]);
}

/** Pads by reflection (`tf.mirrorPad` 'reflect', whose tfjs 4.22 gradient drops the reflected parts) with reverses and slices. */
function reflectPad(x: tf.Tensor4D, p: number): tf.Tensor4D {
  const [, h, w] = x.shape;
  if (p >= h || p >= w) throw new DeepvisError('BAD_OPTION', `pad(${p}, { mode: 'reflect' }) needs an image larger than ${p} pixels; it is ${h}×${w} there.`);
  const rows = concatImages([tf.reverse(sliceImage(x, [1, 0], [p, w]), 1), x, tf.reverse(sliceImage(x, [h - 1 - p, 0], [p, w]), 1)], 1);
  const height = h + 2 * p;
  return concatImages([tf.reverse(sliceImage(rows, [0, 1], [height, p]), 2), rows, tf.reverse(sliceImage(rows, [0, w - 1 - p], [height, p]), 2)], 2);
}

/** `x` moved by `s` whole pixels along `axis` (1: y, 2: x) with zero fill: `out[i] = x[i + s]`. */
function shiftAlong(x: tf.Tensor4D, axis: 1 | 2, s: number): tf.Tensor4D {
  if (s === 0) return x;
  if (Math.abs(s) >= x.shape[axis]) return tf.zerosLike(x);
  const ends: [number, number] = s > 0 ? [0, s] : [-s, 0];
  const from = s > 0 ? s : 0;
  const padded = axis === 1 ? padImage(x, ends, [0, 0]) : padImage(x, [0, 0], ends);
  return sliceImage(padded, axis === 1 ? [from, 0] : [0, from], [x.shape[1], x.shape[2]]);
}

/**
 * Each line across `axis` moved along it by its own amount (`out[i] = x[i + d_j]` on line j),
 * linearly interpolated, zero fill. Whole-pixel parts by a barrel shifter (one uniform shift per
 * bit, kept on the lines whose amount has that bit), the fraction by a blend with the next pixel:
 * pads, slices and products only, so the gradient exists on every backend.
 */
function translateLines(x: tf.Tensor4D, axis: 1 | 2, d: readonly number[]): tf.Tensor4D {
  // Room on both ends of every line for the largest move: a uniform shift drops what leaves the
  // line, and a later one of the other sign would need it back.
  const room = Math.max(...d.map((v) => Math.abs(Math.floor(v)))) + 1;
  const [, h, w] = x.shape;
  const roomy = axis === 1 ? padImage(x, [room, room], [0, 0]) : padImage(x, [0, 0], [room, room]);
  const moved = moveLines(roomy, axis, d);
  return sliceImage(moved, axis === 1 ? [room, 0] : [0, room], [h, w]);
}

/** {@link translateLines} where every move stays inside the line. */
function moveLines(x: tf.Tensor4D, axis: 1 | 2, d: readonly number[]): tf.Tensor4D {
  const whole = d.map(Math.floor);
  const base = Math.min(...whole);
  const rest = whole.map((k) => k - base);
  const fraction = d.map((v, j) => v - whole[j]);
  // y + w · (shifted − y) per line, on the [n, h, w·c] view: a weight per row is [1, h, 1], one
  // per column [1, 1, w·c] (each weight once per channel); the difference as a sum with −y. The
  // same numbers as on NHWC, without wasm's slow paths (broadcasts along the width; Sub).
  const c = x.shape[3];
  const mask = (weights: number[]) =>
    axis === 1 ? tf.tensor3d(weights.flatMap((v) => new Array<number>(c).fill(v)), [1, 1, weights.length * c]) : tf.tensor3d(weights, [1, weights.length, 1]);
  const along = (y: tf.Tensor4D, by: number, weights: number[]) => {
    const shifted = tf.reshape(shiftAlong(y, axis, by), [y.shape[0], y.shape[1], -1]);
    return onRows(y, (rows) => tf.add(rows, tf.mul(mask(weights), tf.add(shifted, tf.neg(rows)))) as tf.Tensor3D);
  };
  let y = shiftAlong(x, axis, base);
  for (let bit = 1; bit <= Math.max(...rest); bit *= 2) {
    const on = rest.map((k) => ((k & bit) !== 0 ? 1 : 0));
    if (on.some((v) => v === 1)) y = along(y, bit, on);
  }
  return fraction.some((v) => v > 0) ? along(y, 1, fraction) : y;
}

/**
 * Turns an NHWC batch about its centre by `radians` as three shears (Paeth: x by −tan(θ/2), y by
 * sin θ, x by −tan(θ/2)), each a linearly interpolated move of every row or column, so it is
 * differentiable with pads, slices and products on every backend (tfjs has no gradient for
 * `tf.image.transform`). The output at `p` reads the input at `c + R(θ)(p − c)`; what comes from
 * outside reads 0 (the mean colour in centred pixels). Exact on images linear in x and y, away
 * from the borders.
 *
 * @example
 * ```ts
 * const turned = rotateImage(x, (10 * Math.PI) / 180);
 * ```
 */
export function rotateImage(x: tf.Tensor4D, radians: number): tf.Tensor4D {
  checkOption(Number.isFinite(radians) && Math.abs(radians) < Math.PI / 2, 'radians', 'an angle under a quarter turn', radians);
  if (radians === 0) return tf.clone(x);
  const [, h, w] = x.shape;
  const a = -Math.tan(radians / 2);
  const b = Math.sin(radians);
  const rows = Array.from({ length: h }, (_, y) => a * (y - (h - 1) / 2));
  const cols = Array.from({ length: w }, (_, c) => b * (c - (w - 1) / 2));
  return tf.tidy(() => translateLines(translateLines(translateLines(x, 2, rows), 1, cols), 2, rows));
}

/**
 * Applies one step's drawn transforms to an NHWC batch in centred pixel space (differentiable).
 *
 * @example
 * ```ts
 * const y = applyTransforms(x, drawTransforms([pad(12), jitter(8)], seededRandom(1)));
 * ```
 */
export function applyTransforms(x: tf.Tensor4D, drawn: readonly DrawnTransform[]): tf.Tensor4D {
  let y = x;
  for (const d of drawn) {
    const [, h, w] = y.shape;
    if (d.kind === 'cropToSize') {
      const [, h0, w0] = x.shape;
      // Rows and columns to spare (cut at a drawn offset) or to add (half before, half after).
      const [dh, dw] = [h - h0, w - w0];
      if (dh < 0 || dw < 0) y = padImage(y, [Math.floor(Math.max(0, -dh) / 2), Math.ceil(Math.max(0, -dh) / 2)], [Math.floor(Math.max(0, -dw) / 2), Math.ceil(Math.max(0, -dw) / 2)]);
      if (dh > 0 || dw > 0) y = sliceImage(y, [Math.floor(d.u * (Math.max(0, dh) + 1)), Math.floor(d.v * (Math.max(0, dw) + 1))], [h0, w0]);
    } else if (d.kind === 'pad') {
      if (d.pixels === 0) continue;
      y = d.mode === 'constant' ? padImage(y, [d.pixels, d.pixels], [d.pixels, d.pixels]) : reflectPad(y, d.pixels);
    } else if (d.kind === 'crop') {
      if (d.pixels === 0) continue;
      if (h <= d.pixels || w <= d.pixels) throw new DeepvisError('BAD_OPTION', `jitter(${d.pixels}) needs an image larger than ${d.pixels} pixels; it is ${h}×${w} there. Pad first or jitter less.`);
      y = sliceImage(y, [d.dy, d.dx], [h - d.pixels, w - d.pixels]);
    } else if (d.kind === 'scale') {
      const size: [number, number] = [Math.max(1, Math.round(h * d.factor)), Math.max(1, Math.round(w * d.factor))];
      if (size[0] !== h || size[1] !== w) y = resizeImage(y, size[0], size[1]);
    } else if (d.radians !== 0) y = rotateImage(y, d.radians);
  }
  return y;
}
