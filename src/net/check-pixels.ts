import type * as tf from '@tensorflow/tfjs-core';
import { DeepvisError } from '../errors';

/** Validates a pixel batch against what a net accepts; throws a DeepvisError that says what was expected. */
export function checkPixels(
  pixels: tf.Tensor,
  net: { readonly inputShape: readonly [number | null, number | null, number]; readonly fullyConvolutional: boolean },
): void {
  const [h, w, c] = net.inputShape;
  const expected = `[n, ${net.fullyConvolutional ? 'h' : h ?? 'h'}, ${net.fullyConvolutional ? 'w' : w ?? 'w'}, 3] 0–255 RGB pixels`;
  if (!pixels || typeof pixels !== 'object' || !Array.isArray((pixels as tf.Tensor).shape)) {
    throw new DeepvisError('BAD_VALUE', `Expected a tf.Tensor of ${expected}; got ${typeof pixels}.`);
  }
  if (pixels.isDisposed) throw new DeepvisError('DISPOSED', 'The pixel tensor was already disposed.');
  if (pixels.rank !== 4) {
    throw new DeepvisError('BAD_SHAPE', `Expected ${expected}; got shape [${pixels.shape.join(', ')}]. Use pixels.expandDims(0) for a single [h, w, 3] image.`);
  }
  const channels = pixels.shape[3];
  if (channels !== 3 && channels !== c) {
    throw new DeepvisError('BAD_SHAPE', `Expected ${expected}; got ${channels} channels (shape [${pixels.shape.join(', ')}]).`);
  }
  if (!net.fullyConvolutional && ((h !== null && pixels.shape[1] !== h) || (w !== null && pixels.shape[2] !== w))) {
    throw new DeepvisError('BAD_SHAPE', `This model needs ${h}×${w} images (it flattens space); got ${pixels.shape[1]}×${pixels.shape[2]}. Resize with tf.image.resizeBilinear first.`);
  }
  if (pixels.dtype !== 'float32' && pixels.dtype !== 'int32') {
    throw new DeepvisError('BAD_DTYPE', `Expected float32 (or int32) pixels; got ${pixels.dtype}.`);
  }
}
