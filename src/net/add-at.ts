import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError } from '../errors';

/**
 * A layer's value plus the tensor `add` gives for it: the value's shape, or one that broadcasts
 * to it without growing it (each dimension equal or 1, e.g. `[n, 1, 1, c]` per channel).
 */
export function addAt(layer: string, value: tf.Tensor, extra: tf.Tensor): tf.Tensor {
  if (!extra || !Array.isArray(extra.shape) || extra.isDisposed) {
    throw new DeepvisError('BAD_VALUE', `Option 'add' at '${layer}' must be a live tf.Tensor.`);
  }
  if (extra.rank !== value.rank || extra.shape.some((d, i) => d !== value.shape[i] && d !== 1)) {
    throw new DeepvisError('BAD_SHAPE', `The tensor added at '${layer}' has shape [${extra.shape.join(', ')}]; that layer's output is [${value.shape.join(', ')}] (each dimension must match it or be 1).`);
  }
  return tf.add(value, extra);
}
