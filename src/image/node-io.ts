import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { DeepvisError } from '../errors';
import { parseLabels } from './labels';
import { filledTensor } from '../backends/tfjs-internals';
import { withTurboJpeg } from './jpeg-turbo';

/**
 * Decodes PNG or JPEG bytes into a `[h, w, 3]` float32 tensor of 0–255 RGB. JPEGs decode with
 * libjpeg-turbo, as in browsers (jpeg-js where it cannot read them or they exceed 100 MP).
 *
 * @example
 * ```ts
 * const image = decodeImage(await readFile('photo.jpg'));   // [h, w, 3], 0–255
 * const pixels = tf.expandDims(image, 0);                    // [1, h, w, 3] for a Net
 * ```
 */
export function decodeImage(bytes: Uint8Array): tf.Tensor3D {
  const isPng = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  if (!isPng && !isJpeg) throw new DeepvisError('BAD_VALUE', 'Not a PNG or JPEG image (unknown file signature).');
  if (isJpeg) {
    const turbo = turboJpeg(bytes);
    if (turbo) return turbo;
  }
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = isPng ? PNG.sync.read(Buffer.from(bytes)) : jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
  } catch (e) {
    throw new DeepvisError('BAD_VALUE', `The ${isPng ? 'PNG' : 'JPEG'} does not decode (truncated or damaged: ${(e as Error).message}); export the image again.`);
  }
  const { width, height, data } = decoded;
  return filledTensor([height, width, 3], (rgb) => {
    for (let i = 0, j = 0; i < width * height * 4; i += 4, j += 3) {
      rgb[j] = data[i];
      rgb[j + 1] = data[i + 1];
      rgb[j + 2] = data[i + 2];
    }
  }) as tf.Tensor3D;
}

/** jpeg-js's own limit on a JPEG's size, which libjpeg-turbo is held to as well. */
const MAX_JPEG_PIXELS = 100e6;

/**
 * A JPEG decoded by libjpeg-turbo (WebAssembly; the decoder browsers use, so a photo gives the
 * same pixels here as in the viewer, at 4–5× the speed of pure JavaScript, written straight into
 * the tensor with no buffer in between), or null where the frame header names no size within the
 * limit or libjpeg-turbo cannot read it: jpeg-js then decodes it or says what is wrong.
 */
function turboJpeg(bytes: Uint8Array): tf.Tensor3D | null {
  const size = jpegFrameSize(bytes);
  if (!size || size.width * size.height > MAX_JPEG_PIXELS) return null;
  try {
    return withTurboJpeg(bytes, (rgb, width, height) => filledTensor([height, width, 3], (values) => values.set(rgb)) as tf.Tensor3D);
  } catch {
    return null;
  }
}

/** A JPEG's width and height from its frame header (SOF0–SOF15), or undefined where none comes before the scan. */
function jpegFrameSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // start of scan, end of image
    const frame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (frame) return { height: (bytes[i + 5]! << 8) | bytes[i + 6]!, width: (bytes[i + 7]! << 8) | bytes[i + 8]! };
    i += 2 + ((bytes[i + 2]! << 8) | bytes[i + 3]!);
  }
  return undefined;
}

/**
 * Reads a PNG or JPEG file into a `[h, w, 3]` float32 tensor of 0–255 RGB.
 *
 * @example
 * ```ts
 * const image = await readImage('images/cat.jpg');
 * console.log(topPredictions(net, tf.expandDims(image, 0) as tf.Tensor4D, 5, labels));
 * image.dispose();
 * ```
 */
export async function readImage(path: string): Promise<tf.Tensor3D> {
  return decodeImage(await readFile(path));
}

/**
 * Encodes an image tensor (`[h, w]`, `[h, w, 1]` or `[h, w, 3]`, values 0–255, clipped and
 * rounded) as PNG bytes.
 *
 * @example
 * ```ts
 * const png = await encodePng(result.image);                 // Uint8Array
 * await writeFile('sneaker.png', png);                     // or send it over HTTP, or show it in a notebook
 * ```
 */
export async function encodePng(image: tf.Tensor): Promise<Uint8Array> {
  const [h, w] = image.shape;
  const c = image.rank === 3 ? image.shape[2]! : 1;
  if ((image.rank !== 2 && image.rank !== 3) || (c !== 1 && c !== 3)) {
    throw new DeepvisError('BAD_SHAPE', `encodePng expects [h, w], [h, w, 1] or [h, w, 3]; got [${image.shape.join(', ')}].`);
  }
  const values = await image.data();
  const png = new PNG({ width: w!, height: h! });
  for (let p = 0; p < h! * w!; p++) {
    for (let k = 0; k < 3; k++) png.data[p * 4 + k] = Math.round(Math.min(255, Math.max(0, values[p * c + (c === 1 ? 0 : k)])));
    png.data[p * 4 + 3] = 255;
  }
  return PNG.sync.write(png);
}

/**
 * Writes an image tensor as a PNG file, creating folders as needed.
 *
 * @example
 * ```ts
 * const r = await optimizeUnit(net, classLogit(7), { steps: 200 });
 * await writePng('out/sneaker.png', r.image);
 * ```
 */
export async function writePng(path: string, image: tf.Tensor): Promise<void> {
  const bytes = await encodePng(image);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
}

/**
 * Reads a labels file (a JSON array, Keras's `imagenet_class_index.json`, an array of
 * objects with a name field, or text with one name per line; see `parseLabels`) into class
 * names, one per logit.
 *
 * @example
 * ```ts
 * const labels = await readLabels('models/darknet-tiny/labels.json');
 * console.log(topPredictions(net, pixels, 5, labels)[0].label);     // 'bald eagle'
 * ```
 */
export async function readLabels(path: string): Promise<string[]> {
  return parseLabels(await readFile(path, 'utf8'));
}
