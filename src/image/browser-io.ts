import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError } from '../errors';

/** What {@link imagePixels} reads: anything `tf.browser.fromPixels` takes. */
export type PixelSource = Parameters<typeof tf.browser.fromPixels>[0];

/**
 * The pixels of an image, canvas, video frame, `ImageBitmap` or `ImageData` as a
 * `[h, w, 3]` float32 tensor of 0–255 RGB (alpha dropped) — the browser's counterpart of
 * `readImage` in `deepvis/node`. Then {@link fitToNet} makes it the net's input. The caller
 * owns the result.
 *
 * @example
 * ```ts
 * const photo = imagePixels(document.querySelector('img')!);   // [h, w, 3]
 * const pixels = fitToNet(photo, net);                          // [1, 224, 224, 3]
 * tf.dispose(photo);
 * ```
 */
export function imagePixels(source: PixelSource): tf.Tensor3D {
  return tf.tidy(() => tf.cast(tf.browser.fromPixels(source, 3), 'float32'));
}

/**
 * Fetches and decodes an image (PNG, JPEG, WebP, GIF: what the browser decodes) from a URL
 * into a `[h, w, 3]` float32 tensor of 0–255 RGB. Browser only (it needs
 * `createImageBitmap`); in Node use `readImage(path)` from `deepvis/node`. The caller owns
 * the result.
 *
 * @example
 * ```ts
 * const photo = await fetchImage('/photos/eagle.jpg');
 * const pixels = fitToNet(photo, net);
 * console.log(topPredictions(net, pixels, 5, labels));
 * tf.dispose([photo, pixels]);
 * ```
 */
export async function fetchImage(url: string | URL): Promise<tf.Tensor3D> {
  if (typeof createImageBitmap !== 'function') {
    throw new DeepvisError('UNSUPPORTED', "fetchImage needs a browser (createImageBitmap). In Node, use readImage(path) or decodeImage(bytes) from 'deepvis/node'.");
  }
  const response = await fetch(url);
  if (!response.ok) throw new DeepvisError('BAD_VALUE', `Cannot fetch the image '${String(url)}': HTTP ${response.status} ${response.statusText}.`);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(await response.blob());
  } catch (e) {
    throw new DeepvisError('BAD_VALUE', `Cannot decode the image '${String(url)}': ${(e as Error).message}`);
  }
  try {
    return imagePixels(bitmap);
  } finally {
    bitmap.close();
  }
}
