import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption, throwIfAborted } from '../errors';
import type { Net } from '../net/types';
import { offer, type TopEntry } from './top-k';

export type { TopEntry } from './top-k';

/** One dataset image: a unique id and its `[h, w, 3]` 0–255 RGB pixels. */
export interface DatasetImage {
  readonly id: string;
  readonly pixels: tf.Tensor3D;
}

/**
 * The result of {@link topActivations}: plain JSON (`JSON.stringify` it as is).
 * `layers[name].units[c]` lists unit (channel) `c`'s top images, best first.
 */
export interface TopActivations {
  /** How many images each unit keeps. */
  readonly k: number;
  /** The size every image was resized to before the forward pass, or `null` when each ran at its own size. */
  readonly size: readonly [number, number] | null;
  /** How many images were scanned. */
  readonly images: number;
  readonly layers: Readonly<Record<string, { readonly units: readonly (readonly TopEntry[])[] }>>;
}

/** Progress of a {@link topActivations} run, reported after each batch. */
export interface TopActivationsProgress {
  readonly images: number;
  readonly batches: number;
}

/** Options for {@link topActivations}. */
export interface TopActivationsOptions {
  /** Tap names whose units to rank (`net.layers` names, or `name/pre`). */
  layers: readonly string[];
  /** Images kept per unit. Default 9. */
  k?: number;
  /** Images per forward pass. Default 8. */
  batchSize?: number;
  /** Resize every image to `[h, w]` (bilinear) first. Without it, a batch holds images of one size and closes when the size changes. */
  size?: readonly [number, number];
  /** Dispose each image's pixels once used (and any taken but unused on abort or error). Default `false`: the caller owns them. */
  dispose?: boolean;
  onProgress?: (progress: TopActivationsProgress) => void;
  /** Aborting rejects with an `AbortError` (a DeepvisError with code `ABORTED`) and leaves no tensors of the run. */
  signal?: AbortSignal;
}

/**
 * Streams images through the net in batches and keeps, for every unit (channel) of
 * every named layer, the `k` images with the highest spatial maximum, each image at
 * most once per unit, with the value and its position in the layer's map. Ties rank
 * the smaller id first. Memory grows with `k × units`, not with the dataset. Input
 * tensors stay the caller's unless `dispose: true`.
 *
 * @example
 * ```ts
 * async function* photos() { for (const f of files) yield { id: f, pixels: await readImage(f) }; }
 * const top = await topActivations(net, photos(), { layers: ['leaky_re_lu_5'], size: [224, 224], dispose: true });
 * const best = top.layers.leaky_re_lu_5.units[7][0];   // { id, value, y, x }
 * ```
 */
export async function topActivations(
  net: Net,
  images: Iterable<DatasetImage> | AsyncIterable<DatasetImage>,
  options: TopActivationsOptions,
): Promise<TopActivations> {
  const { k = 9, batchSize = 8, size, dispose = false, onProgress, signal } = options ?? ({} as TopActivationsOptions);
  checkOption(Array.isArray(options?.layers) && options.layers.length > 0 && options.layers.every((l) => typeof l === 'string'), 'layers', 'a non-empty array of layer names', options?.layers);
  checkOption(Number.isInteger(k) && k > 0, 'k', 'a positive integer', k);
  checkOption(Number.isInteger(batchSize) && batchSize > 0, 'batchSize', 'a positive integer', batchSize);
  checkOption(size === undefined || (Array.isArray(size) && size.length === 2 && size.every((v) => Number.isInteger(v) && v > 0)), 'size', 'two positive integers [h, w]', size);
  const taps = [...new Set(options.layers)];
  for (const t of taps) net.layer(t); // throws naming the closest layers

  const units: Record<string, TopEntry[][]> = {};
  let pending: DatasetImage[] = [];
  let seen = 0;
  let batches = 0;
  let taken: DatasetImage | null = null;
  const aborted = () => throwIfAborted(signal, 'topActivations');

  const flush = async () => {
    const batch = pending;
    pending = [];
    let stats: [tf.Tensor, tf.Tensor, number][];
    try {
      stats = tf.tidy(() => {
        const x = tf.stack(batch.map((b) => {
          const p = tf.cast(b.pixels, 'float32');
          return size ? tf.image.resizeBilinear(p, [size[0], size[1]]) : p;
        })) as tf.Tensor4D;
        const out = net.forward(x, { taps });
        return taps.map((t) => spatialMax(out[t], t));
      });
    } finally {
      if (dispose) for (const b of batch) b.pixels.dispose();
    }
    try {
      const values = await Promise.all(stats.map(async ([max, arg, width]) => [await max.data(), await arg.data(), width] as const));
      aborted();
      taps.forEach((t, i) => {
        const [max, arg, width] = values[i];
        const channels = max.length / batch.length;
        const lists = (units[t] ??= Array.from({ length: channels }, () => []));
        batch.forEach((image, n) => {
          for (let c = 0; c < channels; c++) {
            const at = arg[n * channels + c];
            offer(lists[c], { id: image.id, value: max[n * channels + c], y: Math.floor(at / width), x: at % width }, k);
          }
        });
      });
    } finally {
      for (const [max, arg] of stats) tf.dispose([max, arg]);
    }
    seen += batch.length;
    batches++;
    onProgress?.({ images: seen, batches });
  };

  try {
    aborted();
    let index = 0;
    for await (const image of images) {
      // Taken but not yet in a batch: disposed below if the run stops here.
      taken = image;
      aborted();
      checkImage(image, index++, dispose);
      if (!size && pending.length > 0 && !sameSize(pending[0].pixels, image.pixels)) {
        try {
          await flush();
        } catch (e) {
          if (dispose) image.pixels.dispose();
          throw e;
        }
      }
      pending.push(image);
      taken = null;
      if (pending.length === batchSize) await flush();
      aborted();
    }
    if (pending.length > 0) await flush();
  } finally {
    if (dispose) {
      for (const b of pending) b.pixels.dispose();
      const t = taken?.pixels;
      if (t && typeof t.dispose === 'function' && !t.isDisposed) t.dispose();
    }
  }
  const layers = Object.fromEntries(taps.map((t) => [t, { units: units[t] ?? [] }]));
  return { k, size: size ? [size[0], size[1]] : null, images: seen, layers };
}

/** Per image and channel: the maximum over space, its flat position, and the map's width. */
function spatialMax(t: tf.Tensor, tap: string): [tf.Tensor, tf.Tensor, number] {
  if (t.rank === 2) return [t, tf.zerosLike(t), 1];
  if (t.rank !== 4) {
    throw new DeepvisError('UNSUPPORTED', `topActivations ranks units of [n, h, w, c] or [n, c] layers; '${tap}' gives [${t.shape.join(', ')}].`);
  }
  const [n, h, w, c] = t.shape;
  const flat = tf.reshape(t, [n, h * w, c]);
  return [tf.max(flat, 1), tf.argMax(flat, 1), w];
}

function checkImage(image: DatasetImage, index: number, dispose: boolean): void {
  const ok = image && typeof image.id === 'string' && image.pixels && image.pixels.rank === 3 && !image.pixels.isDisposed;
  if (!ok) {
    if (dispose && image?.pixels && !image.pixels.isDisposed) image.pixels.dispose();
    throw new DeepvisError('BAD_VALUE', `Dataset image ${index} must be { id: string, pixels: [h, w, 3] tensor (not disposed) }; got ${describe(image)}.`);
  }
}

function describe(image: DatasetImage): string {
  if (!image || typeof image !== 'object') return String(image);
  const p = image.pixels;
  return `{ id: ${JSON.stringify(image.id)}, pixels: ${p && Array.isArray(p.shape) ? `[${p.shape.join(', ')}]${p.isDisposed ? ' (disposed)' : ''}` : String(p)} }`;
}

const sameSize = (a: tf.Tensor3D, b: tf.Tensor3D) => a.shape[0] === b.shape[0] && a.shape[1] === b.shape[1];
