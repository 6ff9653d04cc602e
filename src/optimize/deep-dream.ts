import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption } from '../errors';
import { toNet } from '../net/index';
import type { Net, NetOrModel } from '../net/types';
import { add, channel, layerNorm, type Objective } from '../objectives/index';
import { isNet, type OptimizeOptions, type StepInfo } from './loop';
import { optimizeUnits } from './optimize-unit';

/** Which octave a step of {@link deepDream} belongs to. */
export interface DreamOctave {
  /** 0 for the smallest octave, `octaves − 1` for the photo's own size. */
  readonly index: number;
  readonly octaves: number;
  /** This octave's image size `[h, w]`. */
  readonly size: readonly [number, number];
}

/** Options of {@link deepDream}. Every loop option but `start` and `size` passes through to each octave. */
export interface DeepDreamOptions extends Omit<OptimizeOptions, 'start' | 'size' | 'onStep'> {
  /** The layer to amplify. Required unless `objective` is given. */
  layer?: string;
  /** Amplify only these channels of `layer`: the objective is the sum of their spatial means. Default: the whole layer's energy, `layerNorm(layer)`. */
  channels?: readonly number[];
  /** Any objective instead (then `layer` and `channels` are ignored). */
  objective?: Objective;
  /** Number of scales, the smallest first. Default 3. */
  octaves?: number;
  /** Size ratio between neighbouring octaves (> 1). Default 1.4. */
  octaveScale?: number;
  /** Steps per octave. Default 20. */
  steps?: number;
  /** Default 20 (constant; with `lrScale: 'caffenet'` the first step of each octave moves each value by about 1.7 in RMS). */
  lr?: NonNullable<OptimizeOptions['lr']>;
  /** Default none: the photo is the prior. Any r_θ operator works (blur, decay…). */
  regularizers?: NonNullable<OptimizeOptions['regularizers']>;
  /** Called after every step of every octave, awaited. */
  onStep?: (info: StepInfo, octave: DreamOctave) => void | Promise<void>;
}

/** The objective a dream maximizes, validated against the net. */
function dreamObjective(net: Net, options: DeepDreamOptions): Objective {
  const { layer, channels, objective } = options;
  if (objective !== undefined) {
    checkOption(!!objective && typeof objective.bind === 'function', 'objective', 'an Objective', objective);
    objective.bind(net);
    return objective;
  }
  if (typeof layer !== 'string') {
    throw new DeepvisError('BAD_OPTION', "deepDream needs option 'layer' (the layer whose activity to amplify) or option 'objective'.");
  }
  net.layer(layer);
  if (channels === undefined) return layerNorm(layer);
  checkOption(Array.isArray(channels) && channels.length > 0, 'channels', 'a non-empty array of channel indices', channels);
  const o = add(...channels.map((c) => channel(layer, c, { at: 'mean' })));
  o.bind(net);
  return o;
}

/** Octave sizes, smallest first; the last is the photo's own `[h, w]`. */
function octaveSizes(h: number, w: number, octaves: number, octaveScale: number): [number, number][] {
  return Array.from({ length: octaves }, (_, i) => {
    const f = octaveScale ** (octaves - 1 - i);
    return [Math.max(1, Math.round(h / f)), Math.max(1, Math.round(w / f))];
  });
}

/**
 * DeepDream: start from a real photo and amplify what a layer (or chosen channels of it)
 * already sees, over several octaves. The photo is resized down to the smallest octave and
 * optimized with the loop of {@link optimizeUnit} (`steps` steps, start = that image); the
 * *detail* it gained (optimized − resized photo) is resized up and added to the next
 * octave's resized photo, and so on up to the photo's own size. Each octave keeps the
 * loop's best image. With `octaves: 1` it is exactly one run of the loop started at the
 * photo. Returns the dreamed `[h, w, 3]` 0–255 RGB image; the caller owns it. Needs a
 * fully convolutional net when `octaves > 1`.
 *
 * @example
 * ```ts
 * const photo = await readImage('cat.jpg');
 * const dream = await deepDream(net, photo, { layer: 'leaky_re_lu_7', octaves: 3, steps: 10 });
 * await writePng('cat-dream.png', dream);
 * tf.dispose([photo, dream]);
 * ```
 */
export async function deepDream(netOrModel: NetOrModel, pixels: tf.Tensor, options: DeepDreamOptions = {}): Promise<tf.Tensor3D> {
  checkOption(pixels instanceof tf.Tensor, 'pixels', 'a tensor of 0–255 RGB pixels [h, w, 3] or [1, h, w, 3]', pixels);
  if (pixels.isDisposed) throw new DeepvisError('DISPOSED', 'deepDream: the pixels tensor was already disposed.');
  const ok = (pixels.rank === 3 && pixels.shape[2] === 3) || (pixels.rank === 4 && pixels.shape[0] === 1 && pixels.shape[3] === 3);
  if (!ok) throw new DeepvisError('BAD_SHAPE', `deepDream needs one photo [h, w, 3] or [1, h, w, 3] of RGB pixels; got [${pixels.shape.join(', ')}].`);
  const { octaves = 3, octaveScale = 1.4, steps = 20, lr = 20, regularizers = [], onStep, layer: _l, channels: _c, objective: _o, ...loop } = options;
  checkOption(Number.isInteger(octaves) && octaves >= 1, 'octaves', 'an integer ≥ 1', octaves);
  checkOption(Number.isFinite(octaveScale) && octaveScale > 1, 'octaveScale', 'a number > 1 (the size ratio between octaves)', octaveScale);
  checkOption(Number.isInteger(steps) && steps >= 1, 'steps', 'an integer ≥ 1 (steps per octave)', steps);
  const owned = !isNet(netOrModel);
  const net = owned ? toNet(netOrModel) : (netOrModel as Net);
  const live = new Set<tf.Tensor>();
  const own = <T extends tf.Tensor>(t: T): T => (live.add(t), t);
  const drop = (t: tf.Tensor) => (live.delete(t), t.dispose());
  try {
    const objective = dreamObjective(net, options);
    const [h, w] = pixels.shape.slice(pixels.rank - 3, pixels.rank - 1);
    if (octaves > 1 && !net.fullyConvolutional) {
      throw new DeepvisError('UNSUPPORTED', 'deepDream with octaves > 1 needs a fully convolutional net (it runs at several sizes); use octaves: 1.');
    }
    const sizes = octaveSizes(h, w, octaves, octaveScale);
    const photo = own(tf.tidy(() => tf.reshape(tf.cast(pixels, 'float32'), [1, h, w, 3]) as tf.Tensor4D));
    let detail: tf.Tensor4D | null = null;
    for (let i = 0; i < octaves; i++) {
      const size = sizes[i];
      const isTop = i === octaves - 1;
      const base = isTop ? photo : own(tf.image.resizeBilinear(photo, size, false, true));
      const d = detail;
      const start = d ? own(tf.tidy(() => tf.add(base, tf.image.resizeBilinear(d, size, false, true)) as tf.Tensor4D)) : base;
      const octave: DreamOctave = { index: i, octaves, size };
      const [r] = await optimizeUnits(net, [objective], {
        ...loop, steps, lr, regularizers, start, size,
        onStep: onStep ? (info) => onStep(info, octave) : undefined,
      });
      if (isTop) {
        r.last.dispose();
        return r.image;
      }
      own(r.image);
      drop(r.last);
      if (d) drop(d);
      detail = own(tf.tidy(() => tf.sub(tf.expandDims(r.image, 0), base) as tf.Tensor4D));
      drop(r.image);
      if (start !== base) drop(start);
      drop(base);
    }
    throw new Error('unreachable');
  } finally {
    tf.dispose([...live]);
    if (owned) net.dispose();
  }
}
