// The one loop of the attribution tools: image by image, work in batches, an abort check
// before each batch, progress after it, the event loop between.
import * as tf from '@tensorflow/tfjs-core';
import { checkOption, throwIfAborted } from '../errors';
import { yieldToEventLoop } from '../util/event-loop';

/** What the runner reads from a method's options. */
export interface RunOptions {
  /** Items (path points, noisy copies, occluded copies…) per pass. Each method has its default. */
  batchSize?: number;
  /** Called after each pass with the items done and the total, over every image. */
  onProgress?: (done: number, total: number) => void;
  /** Aborting rejects with an `AbortError` (a DeepvisError with code `ABORTED`) and leaves no tensors. */
  signal?: AbortSignal;
}

/** One image's work: items handled a batch at a time, then the image's result. */
export interface ImageWork {
  /** Handles items `from … from + count − 1` (may be async; keeps what it needs in its own state). */
  step(from: number, count: number): void | Promise<void>;
  /** The image's result, batch axis first (`[1, …]`). */
  finish(): tf.Tensor;
  /** Frees the work's own state; called whether it finished or threw. */
  dispose(): void;
}

/**
 * Runs `work` for each image of `pixels` over `items` items per image, `batchSize` at a time,
 * and concatenates the images' results along the batch axis. `what` names the tool in an
 * abort's message. Each image is passed as a float32 `[1, h, w, 3]` the runner disposes. The
 * caller owns the result; on a throw or an abort nothing is left behind.
 *
 * @example
 * ```ts
 * const sums = await runPerImage(photos, 'mean colour', 1, {}, (image) => {
 *   let m: tf.Tensor | null = null;
 *   return { step: () => { m = tf.mean(image, [1, 2]); }, finish: () => m!, dispose: () => {} };
 * });   // [n, 3]
 * ```
 */
export async function runPerImage(
  pixels: tf.Tensor4D, what: string, items: number, options: RunOptions & { batchSize?: number },
  work: (image: tf.Tensor4D, index: number) => ImageWork,
): Promise<tf.Tensor> {
  const { batchSize = items, onProgress, signal } = options;
  checkOption(Number.isInteger(batchSize) && batchSize >= 1, 'batchSize', 'an integer ≥ 1', batchSize);
  const [n, h, w, c] = pixels.shape;
  const x = pixels.dtype === 'float32' ? pixels : (tf.cast(pixels, 'float32') as tf.Tensor4D);
  const parts: tf.Tensor[] = [];
  let result: tf.Tensor | undefined;
  try {
    for (let i = 0; i < n; i++) {
      const image = tf.slice(x, [i, 0, 0, 0], [1, h, w, c]);
      let job: ImageWork | undefined;
      try {
        job = work(image, i);
        for (let from = 0; from < items; from += batchSize) {
          throwIfAborted(signal, what);
          const count = Math.min(batchSize, items - from);
          await job.step(from, count);
          onProgress?.(i * items + from + count, n * items);
          await yieldToEventLoop();
        }
        parts.push(job.finish());
      } finally {
        job?.dispose();
        image.dispose();
      }
    }
    result = parts.length === 1 ? parts[0] : tf.concat(parts, 0);
    return result;
  } finally {
    tf.dispose(parts.filter((p) => p !== result));
    if (x !== pixels) x.dispose();
  }
}
