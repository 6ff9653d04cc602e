import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption } from '../errors';
import { constant } from '../constant';
import { seededNormal } from '../util/random';
import { startImage, type StartImage } from './start';

/**
 * How the image is made from the variables the loop optimizes (plain data). Build one with
 * {@link pixels} or {@link fourier}.
 * - `basis: 'pixels'`: one variable per pixel and colour. With neither `decorrelate` nor
 *   `sigmoid` this is the paper's image: centred 0–255 pixels, clipped to 0–255 before every step.
 * - `basis: 'fourier'`: the real 2-D spectrum of each colour plane, scaled by
 *   `1 / max(f, 1 / max(h, w))^decay` (f the frequency in cycles per pixel) so that every
 *   frequency band gets a similar step: low frequencies move as fast as high ones.
 * - `decorrelate`: the three colour variables are mixed by the square root of ImageNet's colour
 *   correlation ({@link COLOR_CORRELATION_SQRT}), so a step moves colours the way natural images vary.
 * - `sigmoid`: the image is `255 · sigmoid(z)`, always inside 0–255 (else `mean + z`, clipped).
 */
export interface Parameterization {
  readonly basis: 'pixels' | 'fourier';
  /** Fourier only: the power of the 1/f scaling (1: Lucid's). */
  readonly decay: number;
  readonly decorrelate: boolean;
  readonly sigmoid: boolean;
}

/** Options of {@link pixels}. */
export interface PixelsOptions {
  /** Mix colours by ImageNet's colour correlation. Default false. */
  decorrelate?: boolean;
  /** Squash to 0–255 with a sigmoid. Default false (the paper's clipping). */
  sigmoid?: boolean;
}

/** Options of {@link fourier}. */
export interface FourierOptions {
  /** Power of the 1/f scaling of the spectrum. Default 1. */
  decay?: number;
  /** Mix colours by ImageNet's colour correlation. Default true. */
  decorrelate?: boolean;
  /** Squash to 0–255 with a sigmoid. Default true. */
  sigmoid?: boolean;
}

const flag = (name: string, v: unknown, fallback: boolean): boolean => {
  checkOption(v === undefined || typeof v === 'boolean', name, 'true or false', v);
  return (v as boolean | undefined) ?? fallback;
};

/**
 * Pixels as the variables. `pixels()` is the paper's parameterization (the default of the loop).
 *
 * @example
 * ```ts
 * const r = await optimizeUnit(net, classLogit(130), { parameterization: pixels({ decorrelate: true, sigmoid: true }), optimizer: adam(), lr: 0.05 });
 * ```
 */
export function pixels(options: PixelsOptions = {}): Parameterization {
  return Object.freeze({ basis: 'pixels', decay: 0, decorrelate: flag('decorrelate', options.decorrelate, false), sigmoid: flag('sigmoid', options.sigmoid, false) });
}

/**
 * The image's spectrum as the variables, scaled by 1/f^decay (Lucid's `fft_image`), by default
 * with decorrelated colour and a sigmoid (Lucid's `image()`).
 *
 * @example
 * ```ts
 * const r = await optimizeUnit(net, classLogit(130), { ...LUCID_PRESET, parameterization: fourier({ decay: 1.5 }), size: 128 });
 * ```
 */
export function fourier(options: FourierOptions = {}): Parameterization {
  const decay = options.decay ?? 1;
  checkOption(Number.isFinite(decay) && decay >= 0, 'decay', 'a number ≥ 0', decay);
  return Object.freeze({ basis: 'fourier', decay, decorrelate: flag('decorrelate', options.decorrelate, true), sigmoid: flag('sigmoid', options.sigmoid, true) });
}

/**
 * Checks a parameterization (also its JSON form) and returns it frozen.
 *
 * @example
 * ```ts
 * toParameterization(JSON.parse(JSON.stringify(fourier())));
 * ```
 */
export function toParameterization(p: Parameterization): Parameterization {
  checkOption(!!p && (p.basis === 'pixels' || p.basis === 'fourier'), 'parameterization', "pixels(…) or fourier(…) ({ basis: 'pixels' | 'fourier', … })", p);
  return p.basis === 'pixels' ? pixels(p) : fourier(p);
}

/**
 * The square root of ImageNet's colour correlation matrix (rows R, G, B), as Lucid publishes it
 * (`lucid/optvis/param/color.py`, `color_correlation_svd_sqrt`). Decorrelated colour multiplies
 * each pixel's three variables by this matrix divided by its largest column norm.
 */
export const COLOR_CORRELATION_SQRT: readonly (readonly number[])[] = Object.freeze([
  Object.freeze([0.26, 0.09, 0.02]),
  Object.freeze([0.27, 0.0, -0.05]),
  Object.freeze([0.27, -0.09, 0.03]),
]);

/** `COLOR_CORRELATION_SQRT` over its largest column norm, transposed: `rgb = z · M` for row vectors z. */
function colourMatrix(): number[][] {
  const c = COLOR_CORRELATION_SQRT;
  const norm = Math.max(...[0, 1, 2].map((j) => Math.hypot(c[0][j], c[1][j], c[2][j])));
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => c[j][i] / norm));
}

/** The 3×3 inverse of a matrix (rows). */
function inverse3(m: number[][]): number[][] {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [
    [e * i - f * h, c * h - b * i, b * f - c * e],
    [f * g - d * i, a * i - c * g, c * d - a * f],
    [d * h - e * g, b * g - a * h, a * e - b * d],
  ].map((row) => row.map((v) => v / det));
}

/**
 * The Fourier basis as matrices (tfjs 4.22 registers no gradient for its FFT ops): for a
 * spectrum `S = A + iB` of one plane, stored as `V = [A | B]` (`[h, 2·wf]`, `wf = ⌊w/2⌋ + 1`),
 * the real inverse DFT (numpy's `irfft2`) is `Re(Ey · S · Ex)`: along x `U = V · [Mre | Mim]`
 * (`[Re | Im]` of `S · Ex`), then along y, per column x, `[URe; UIm]ᵀ · [EyReᵀ; −EyImᵀ]`. Both are
 * plain 2-D products, the fastest kind on every backend.
 */
function fourierBasis(h: number, w: number, decay: number) {
  const wf = Math.floor(w / 2) + 1;
  const tau = 2 * Math.PI;
  // [Mre | Mim], [2wf, 2w]: (A + iB) · c_kx e^{2πi kx x / w} / w has real part A·re − B·im and
  // imaginary part A·im + B·re (c = 1 for DC and Nyquist, else 2).
  const mx = new Float32Array(2 * wf * 2 * w);
  for (let k = 0; k < wf; k++) {
    const c = k === 0 || (w % 2 === 0 && k === w / 2) ? 1 : 2;
    for (let x = 0; x < w; x++) {
      const re = (c * Math.cos((tau * k * x) / w)) / w;
      const im = (c * Math.sin((tau * k * x) / w)) / w;
      mx[k * 2 * w + x] = re;
      mx[(wf + k) * 2 * w + x] = -im;
      mx[k * 2 * w + w + x] = im;
      mx[(wf + k) * 2 * w + w + x] = re;
    }
  }
  // [EyReᵀ; −EyImᵀ] with Ey[y, ky] = e^{2πi ky y / h} / h, and Lucid's divisor, [2h, h].
  const my = new Float32Array(2 * h * h);
  for (let k = 0; k < h; k++) {
    for (let y = 0; y < h; y++) {
      my[k * h + y] = Math.cos((tau * k * y) / h) / h / FOURIER_DIVISOR;
      my[(h + k) * h + y] = -Math.sin((tau * k * y) / h) / h / FOURIER_DIVISOR;
    }
  }
  // 1/f scaling with Lucid's floor and √(hw) factor, one value per (ky, kx), for A and B alike.
  const scale = new Float32Array(h * 2 * wf);
  for (let ky = 0; ky < h; ky++) {
    const fy = (ky < Math.ceil(h / 2) ? ky : ky - h) / h;
    for (let kx = 0; kx < wf; kx++) {
      const s = Math.sqrt(h * w) / Math.max(Math.hypot(fy, kx / w), 1 / Math.max(h, w)) ** decay;
      scale[ky * 2 * wf + kx] = s;
      scale[ky * 2 * wf + wf + kx] = s;
    }
  }
  return { wf, mx, my, scale };
}

/** A `[r, c]` row-major matrix transposed. */
function transpose2(m: Float32Array, r: number, c: number): Float32Array {
  const t = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j * r + i] = m[i * c + j];
  return t;
}

/**
 * `a ↦ a · b` for a constant matrix `b`, whose gradient multiplies by the stored `bᵀ` instead of
 * asking for a transposed product (several times slower than a plain one on wasm).
 */
function productWith(b: tf.Tensor2D, bT: tf.Tensor2D): (a: tf.Tensor) => tf.Tensor2D {
  const f = (a: tf.Tensor | tf.GradSaveFunc) => ({ value: tf.matMul(a as tf.Tensor2D, b), gradFunc: (dy: tf.Tensor) => tf.matMul(dy as tf.Tensor2D, bT) });
  return tf.customGrad(f as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor) => tf.Tensor2D;
}

/** Lucid's constant: its Fourier image is the inverse DFT divided by 4. */
const FOURIER_DIVISOR = 4;
/** Standard deviation of the random start of the variables (Lucid's `sd`). */
const START_SD = 0.01;
/** Keeps `logit` finite when an image is mapped back to sigmoid variables. */
const SIGMOID_EDGE = 1e-4;

/** A parameterization made concrete for one run's batch size and image size. Tensors inside are the caller's to release via `dispose`. */
export interface BuiltParameterization {
  /** True for the paper's pixels: the variables are the centred image itself. */
  readonly plain: boolean;
  /** The first variables. */
  init(start: StartImage, seed: number): tf.Tensor;
  /** The image in centred pixel space (pixels − mean), `[n, h, w, 3]`, differentiable. For `plain`, `v` itself. */
  centred(v: tf.Tensor): tf.Tensor4D;
  /** Variables whose image is `x` (centred pixels), the inverse of `centred` on valid images. */
  fromCentred(x: tf.Tensor4D): tf.Tensor;
  /** Between steps: `plain` clips to 0–255; else `null` (nothing to do). */
  project(v: tf.Tensor): tf.Tensor | null;
  /**
   * The mean colour as a whole batch, `[n, h, w, 3]` (owned by this object): adding it to a
   * centred image of that shape is the same sum as the broadcast of `[1, 1, 1, 3]`, without the
   * broadcast (several times slower than a plain add on wasm).
   */
  readonly meanImage: tf.Tensor4D;
  dispose(): void;
}

/**
 * Makes the tensors of a parameterization for a batch of `n` images of `h × w` (the loop's
 * part; exported for tests and custom loops). Call `dispose()` when done.
 *
 * @example
 * ```ts
 * const p = buildParameterization(fourier(), 1, 64, 64, net.mean);
 * const v = p.init('mean_plus_rand', 1);
 * const x = p.centred(v);   // [1, 64, 64, 3], pixels − mean
 * tf.dispose([v, x]); p.dispose();
 * ```
 */
export function buildParameterization(spec: Parameterization, n: number, h: number, w: number, mean: readonly number[]): BuiltParameterization {
  const p = toParameterization(spec);
  const meanT = tf.tensor4d([...mean], [1, 1, 1, 3]);
  const meanImage = tf.tensor4d(Float32Array.from({ length: n * h * w * 3 }, (_, k) => mean[k % 3]), [n, h, w, 3]);
  // Subtracting the mean is adding its negative (the same float32 sums), as a plain add: wasm's
  // Sub kernel is ~10× slower than its Add.
  const minusMean = tf.neg(meanImage) as tf.Tensor4D;
  const owned: tf.Tensor[] = [meanT, meanImage, minusMean];
  const keep = <T extends tf.Tensor>(t: T): T => (owned.push(t), t);
  const dispose = () => tf.dispose(owned);
  if (p.basis === 'pixels' && !p.decorrelate && !p.sigmoid) {
    return {
      plain: true,
      init: (start, seed) => startImage(start, n, h, w, mean, seed),
      centred: (v) => v as tf.Tensor4D,
      fromCentred: (x) => tf.clone(x),
      project: (v) => tf.tidy(() => tf.add(tf.clipByValue(tf.add(v, meanImage), 0, 255), minusMean)),
      meanImage,
      dispose,
    };
  }
  const colour = p.decorrelate ? colourMatrix() : null;
  const colourT = colour ? keep(tf.tensor2d(colour)) : null;
  const colourInvT = colour ? keep(tf.tensor2d(inverse3(colour))) : null;
  const basis = p.basis === 'fourier' ? fourierBasis(h, w, p.decay) : null;
  const f = basis && {
    wf: basis.wf,
    mx: productWith(keep(tf.tensor2d(basis.mx, [2 * basis.wf, 2 * w])), keep(tf.tensor2d(transpose2(basis.mx, 2 * basis.wf, 2 * w), [2 * w, 2 * basis.wf]))),
    my: productWith(keep(tf.tensor2d(basis.my, [2 * h, h])), keep(tf.tensor2d(transpose2(basis.my, 2 * h, h), [h, 2 * h]))),
    scale: keep(tf.tensor3d(basis.scale, [1, h, 2 * basis.wf])),
  };
  const shape = f ? [n * 3, h, 2 * f.wf] : [n, h, w, 3];
  /** Variables → colour variables z, `[n, h, w, 3]`. */
  const toZ = (v: tf.Tensor): tf.Tensor4D => {
    let z: tf.Tensor4D;
    if (f) {
      const u = f.mx(tf.reshape(tf.mul(v, f.scale), [-1, 2 * f.wf])); // [3n·h, 2w]: per (plane, ky) [Re | Im]
      const byColumn = tf.reshape(tf.transpose(tf.reshape(u, [n * 3, h, 2, w]), [0, 3, 2, 1]), [-1, 2 * h]); // [3n·w, 2h]
      const planes = f.my(byColumn); // [3n·w, h]: plane, x, y
      z = tf.transpose(tf.reshape(planes, [n, 3, w, h]), [0, 3, 2, 1]) as tf.Tensor4D;
    } else z = v as tf.Tensor4D;
    return colourT ? (tf.reshape(tf.matMul(tf.reshape(z, [-1, 3]), colourT), [n, h, w, 3]) as tf.Tensor4D) : z;
  };
  const centred = (v: tf.Tensor): tf.Tensor4D => tf.tidy(() => {
    const z = toZ(v);
    if (p.sigmoid) return tf.add(tf.mul(tf.sigmoid(z), constant(255)), minusMean) as tf.Tensor4D;
    return tf.add(tf.clipByValue(tf.add(z, meanImage), 0, 255), minusMean) as tf.Tensor4D;
  });
  const fromCentred = (x: tf.Tensor4D): tf.Tensor => tf.tidy(() => {
    let z: tf.Tensor = x;
    if (p.sigmoid) {
      const q = tf.clipByValue(tf.div(tf.add(x, meanT), constant(255)), SIGMOID_EDGE, 1 - SIGMOID_EDGE);
      z = tf.log(tf.div(q, tf.sub(constant(1), q)));
    }
    if (colourInvT) z = tf.reshape(tf.matMul(tf.reshape(z, [-1, 3]), colourInvT), [n, h, w, 3]);
    if (!f) return z;
    // The forward DFT, the transpose of the inverse up to the weights c_kx and 1/(hw): V = [Re | Im] of Ey* · t · Ex*.
    const planes = tf.reshape(tf.transpose(tf.mul(z, constant(FOURIER_DIVISOR)), [0, 3, 1, 2]), [n * 3, h, w]);
    const cols = forwardDft(w, f.wf);
    const rows = forwardDft(h, h); // symmetric: frequency × sample reads the same
    try {
      const u = tf.matMul(planes, cols.re); // [b, h, wf]: Σ_x t e^{-2πi kx x/w}, real part
      const ui = tf.matMul(planes, cols.im); // imaginary part
      const re = tf.sub(tf.matMul(rows.re, u), tf.matMul(rows.im, ui));
      const im = tf.add(tf.matMul(rows.re, ui), tf.matMul(rows.im, u));
      return tf.div(tf.concat([re, im], 2), f.scale);
    } finally {
      tf.dispose([cols.re, cols.im, rows.re, rows.im]);
    }
  });
  return {
    plain: false,
    init: (start, seed) => {
      if (start instanceof tf.Tensor) {
        const x = startImage(start, n, h, w, mean, seed);
        try {
          return fromCentred(x);
        } finally {
          x.dispose();
        }
      }
      if (start === 'mean') return tf.zeros(shape);
      if (start === 'mean_plus_rand') return seededNormal(shape, 0, START_SD, seed);
      throw new DeepvisError('BAD_OPTION', `Option 'start' '${String(start)}' works with pixels() only; with ${p.basis}(…) use 'mean_plus_rand', 'mean' or a tensor of pixels.`);
    },
    centred,
    fromCentred,
    project: () => null,
    meanImage,
    dispose,
  };
}

/** The forward DFT's `[1, n, k]` cos and −sin parts: `e^{−2πi j x / n}` for sample x (rows) and frequency j < k (columns). */
function forwardDft(n: number, k: number): { re: tf.Tensor3D; im: tf.Tensor3D } {
  const re = new Float32Array(n * k);
  const im = new Float32Array(n * k);
  for (let x = 0; x < n; x++) {
    for (let j = 0; j < k; j++) {
      re[x * k + j] = Math.cos((2 * Math.PI * j * x) / n);
      im[x * k + j] = -Math.sin((2 * Math.PI * j * x) / n);
    }
  }
  return { re: tf.tensor3d(re, [1, n, k]), im: tf.tensor3d(im, [1, n, k]) };
}
