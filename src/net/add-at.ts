import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError } from '../errors';

/** A layer's value plus the tensor `add` gives for it, which must have the value's shape. */
export function addAt(layer: string, value: tf.Tensor, extra: tf.Tensor): tf.Tensor {
  if (!extra || !Array.isArray(extra.shape) || extra.isDisposed) {
    throw new DeepvisError('BAD_VALUE', `Option 'add' at '${layer}' must be a live tf.Tensor.`);
  }
  if (extra.shape.join() !== value.shape.join()) {
    throw new DeepvisError('BAD_SHAPE', `The tensor added at '${layer}' has shape [${extra.shape.join(', ')}]; that layer's output is [${value.shape.join(', ')}].`);
  }
  return tf.add(value, extra);
}
