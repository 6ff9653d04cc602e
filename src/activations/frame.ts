import * as tf from '@tensorflow/tfjs-core';
import { checkOption } from '../errors';
import { tileActivations, type TileOptions } from './tile';
import { rgbaFromValues, tileActivationsRgba, type TiledImage } from './tile-rgba';
import { tilesOnArrays } from './tile-arrays';

/**
 * One thing a frame shows: a tensor still on the device (read back by {@link readFrame}), or
 * an RGBA image already in memory (handed through as is).
 */
export type FrameView = tf.Tensor | TiledImage;

/** A tensor view after {@link readFrame}: its values as float32 and its shape. */
export interface ReadTensor {
  readonly shape: readonly number[];
  /** A slice of the frame's one readback (a view, not a copy). */
  readonly values: Float32Array;
}

/** What {@link readFrame} gives for each view: values for a tensor, the same image for an image. */
export type FrameRead<V extends FrameView> = V extends tf.Tensor ? ReadTensor : TiledImage;

const isImage = (v: FrameView): v is TiledImage => !(v instanceof tf.Tensor);

/**
 * Reads everything a frame shows in ONE transfer from the device: the tensor views are
 * flattened, cast to float32 and packed into one tensor, read back once with `data()`, and
 * each view gets its slice; images already in memory pass through. On WebGL every readback
 * stalls the pipeline, so a frame of five views read one by one runs at a fraction of the
 * speed; on cpu and wasm it costs one copy. The caller keeps its tensors (nothing given is
 * disposed; the packed tensor is).
 *
 * @example
 * ```ts
 * const acts = activations(net, frame, { layers: ['leaky_re_lu_5', net.logits] });
 * const read = await readFrame({ grid: gridView(acts.leaky_re_lu_5), logits: acts[net.logits] });
 * const { data, width, height } = rgbaImage(read.grid);
 * console.log(width, height, data.length, read.logits.values.length);
 * tf.dispose(acts);
 * ```
 */
export async function readFrame<V extends Readonly<Record<string, FrameView>>>(views: V): Promise<{ [K in keyof V]: FrameRead<V[K]> }> {
  checkOption(views !== null && typeof views === 'object', 'views', 'a record of tensors and RGBA images', views);
  const entries = Object.entries(views);
  for (const [name, v] of entries) {
    const ok = v instanceof tf.Tensor ? !v.isDisposed : !!v && v.data instanceof Uint8ClampedArray && v.data.length === v.width * v.height * 4;
    checkOption(ok, `views.${name}`, 'a live tensor or an RGBA image { width, height, data }', v);
  }
  const tensors = entries.filter((e): e is [string, tf.Tensor] => !isImage(e[1]));
  let all: Float32Array = new Float32Array(0);
  if (tensors.length > 0) {
    const packed = tf.tidy(() => tf.concat(tensors.map(([, t]) => tf.reshape(tf.cast(t, 'float32'), [-1]))));
    try {
      all = (await packed.data()) as Float32Array;
    } finally {
      packed.dispose();
    }
  }
  const out: Record<string, ReadTensor | TiledImage> = {};
  let offset = 0;
  for (const [name, v] of entries) {
    if (isImage(v)) {
      out[name] = v;
      continue;
    }
    out[name] = { shape: v.shape, values: all.subarray(offset, offset + v.size) };
    offset += v.size;
  }
  return out as { [K in keyof V]: FrameRead<V[K]> };
}

/**
 * The grid of a layer as a frame view: on cpu and wasm the RGBA bytes of
 * `tileActivationsRgba` (one JavaScript pass, nothing to read back), elsewhere the
 * `tileActivations` tensor, read back with the rest of the frame by {@link readFrame}.
 * Either way {@link rgbaImage} of what `readFrame` gives is the same image. The caller owns
 * a returned tensor.
 *
 * @example
 * ```ts
 * const view = gridView(act, { boost: 0.5, highlight: [{ channel: 3 }] });
 * const { grid } = await readFrame({ grid: view });
 * const image = rgbaImage(grid); // { width, height, data }
 * tf.dispose(view instanceof tf.Tensor ? view : []);
 * ```
 */
export function gridView(act: tf.Tensor, options: TileOptions = {}): FrameView {
  return tilesOnArrays() ? tileActivationsRgba(act, options) : tileActivations(act, options);
}

/**
 * An image as RGBA bytes: a read `[h, w, 3]` (or `[h, w, 1]` grey) 0–255 tensor view is
 * rounded and clamped, alpha 255; an RGBA image is returned as is.
 *
 * @example
 * ```ts
 * const { input } = await readFrame({ input: tf.squeeze(pixels, [0]) });
 * const { data, width, height } = rgbaImage(input);
 * canvas.getContext('2d')!.putImageData(new ImageData(data, width, height), 0, 0);
 * ```
 */
export function rgbaImage(read: ReadTensor | TiledImage): TiledImage {
  if (!('values' in read)) return read;
  const [height, width, channels] = read.shape;
  checkOption(read.shape.length === 3 && (channels === 3 || channels === 1), 'read', 'an [h, w, 3] or [h, w, 1] image', `shape [${read.shape.join(', ')}]`);
  return rgbaFromValues(read.values, height, width, channels);
}
