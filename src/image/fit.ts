import * as tf from '@tensorflow/tfjs-core';
import { checkOption, DeepvisError } from '../errors';
import type { Net } from '../net/types';

/** How {@link fitToNet} sizes images for a net that takes any size. */
export interface FitOptions {
  /**
   * The side (or `[h, w]`) for a net without a fixed input size (a fully convolutional
   * one). Default 224. A net with a fixed input size always gets its own size; a `size`
   * that differs from it is an error.
   */
  readonly size?: number | readonly [number, number];
}

/** `[n, h, w, 3]` float32 of a `[h, w, 3]` or `[n, h, w, 3]` image (any dtype); checks the channels. */
function asBatch(image: tf.Tensor3D | tf.Tensor4D, what: string): tf.Tensor4D {
  if ((image.rank !== 3 && image.rank !== 4) || image.shape[image.rank - 1] !== 3) {
    throw new DeepvisError('BAD_SHAPE', `${what} expects an RGB image [h, w, 3] or a batch [n, h, w, 3]; got [${image.shape.join(', ')}]. ` +
      'Decode with readImage/decodeImage (deepvis/node) or imagePixels (browser), which give [h, w, 3].');
  }
  const batch = image.rank === 3 ? tf.expandDims(image, 0) as tf.Tensor4D : image as tf.Tensor4D;
  return batch.dtype === 'float32' ? batch : tf.cast(batch, 'float32');
}

/** The largest centred window of aspect `w : h` in an `ih × iw` image: `[top, left, height, width]`. */
function centredWindow(ih: number, iw: number, h: number, w: number): [number, number, number, number] {
  const height = Math.min(ih, Math.round((iw * h) / w));
  const width = Math.min(iw, Math.round((ih * w) / h));
  return [Math.floor((ih - height) / 2), Math.floor((iw - width) / 2), height, width];
}

/**
 * The centred crop of an image with the aspect ratio `h : w` (default square: the largest
 * centred square), at the image's own resolution. Takes `[h, w, 3]` or `[n, h, w, 3]` and
 * returns the same rank, float32. The caller owns the result; the input is left as it is.
 *
 * @example
 * ```ts
 * const photo = await readImage('eagle.jpg');      // [576, 768, 3]
 * const square = centerCrop(photo);                 // [576, 576, 3], the middle of the photo
 * tf.dispose([photo, square]);
 * ```
 */
export function centerCrop<T extends tf.Tensor3D | tf.Tensor4D>(image: T, aspect: readonly [number, number] = [1, 1]): T {
  checkOption(aspect.length === 2 && aspect.every((a) => Number.isFinite(a) && a > 0), 'aspect', 'two positive numbers [h, w]', aspect);
  return tf.tidy(() => {
    const batch = asBatch(image, 'centerCrop');
    const [top, left, height, width] = centredWindow(batch.shape[1], batch.shape[2], aspect[0], aspect[1]);
    const crop = tf.slice(batch, [0, top, left, 0], [-1, height, width, 3]);
    return (image.rank === 3 ? tf.squeeze(crop, [0]) : crop) as T;
  });
}

/**
 * A photo as a net sees it: the centred crop of the target's aspect ratio, resized
 * (bilinear) to `[h, w]`, float32 0–255. Takes `[h, w, 3]` or `[n, h, w, 3]` and returns
 * the same rank. The caller owns the result.
 *
 * @example
 * ```ts
 * const photo = await readImage('eagle.jpg');
 * const square = fitImage(photo, 224, 224);          // [224, 224, 3]: the middle square, resized
 * tf.dispose([photo, square]);
 * ```
 */
export function fitImage<T extends tf.Tensor3D | tf.Tensor4D>(image: T, h: number, w: number): T {
  checkOption(Number.isInteger(h) && h >= 1 && Number.isInteger(w) && w >= 1, 'h, w', 'positive integers', [h, w]);
  return tf.tidy(() => {
    const batch = asBatch(image, 'fitImage');
    const [top, left, height, width] = centredWindow(batch.shape[1], batch.shape[2], h, w);
    const crop = tf.slice(batch, [0, top, left, 0], [-1, height, width, 3]);
    const fitted = height === h && width === w ? tf.clone(crop) : tf.image.resizeBilinear(crop, [h, w]);
    return (image.rank === 3 ? tf.squeeze(fitted, [0]) : fitted) as T;
  });
}

/** The `[h, w]` images get for `net`: its own input size, else `options.size`, else 224². */
function netImageSize(net: Net, options: FitOptions = {}): [number, number] {
  const { size } = options;
  const asked: [number, number] | undefined = size === undefined ? undefined : typeof size === 'number' ? [size, size] : [size[0], size[1]];
  checkOption(asked === undefined || asked.every((s) => Number.isInteger(s) && s >= 1), 'size', 'a positive integer or [h, w] of them', size);
  const [nh, nw] = net.inputShape;
  if (asked && ((nh !== null && nh !== asked[0]) || (nw !== null && nw !== asked[1]))) {
    throw new DeepvisError('BAD_OPTION', `Option 'size' ${asked.join('×')} does not fit this net: it takes ${nh ?? 'any'}×${nw ?? 'any'} images. Leave 'size' out.`);
  }
  return [nh ?? asked?.[0] ?? 224, nw ?? asked?.[1] ?? 224];
}

/**
 * A decoded photo (`[h, w, 3]` or `[n, h, w, 3]`, 0–255 RGB, any size) made ready for a
 * net: the centred crop of the net's aspect ratio, resized (bilinear) to the net's input
 * size (or `options.size`, default 224², for a net that takes any size), as a float32
 * batch `[n, h, w, 3]` — what every deepvis tool takes. The caller owns the result.
 *
 * @example
 * ```ts
 * const photo = await readImage('eagle.jpg');        // deepvis/node; imagePixels(img) in a browser
 * const pixels = fitToNet(photo, net);               // [1, 224, 224, 3]
 * console.log(topPredictions(net, pixels, 5, labels)[0].label);   // 'bald eagle'
 * tf.dispose([photo, pixels]);
 * ```
 */
export function fitToNet(image: tf.Tensor3D | tf.Tensor4D, net: Net, options: FitOptions = {}): tf.Tensor4D {
  const [h, w] = netImageSize(net, options);
  return tf.tidy(() => {
    const batch = asBatch(image, 'fitToNet');
    return fitImage(batch, h, w);
  });
}
