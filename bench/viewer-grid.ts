// The grid the live viewer draws, as the viewer makes it on the active backend.
import * as tf from '@tensorflow/tfjs-core';
import { tileActivations, tileActivationsRgba, tilesOnArrays } from '../src/index';

/**
 * One layer's grid as the viewer makes it, reduced to a scalar to read back: on cpu and wasm
 * RGBA bytes straight from the activations, elsewhere the tensor-op grid (read back with the frame).
 */
export function viewerGrid(act: tf.Tensor): tf.Tensor {
  if (!tilesOnArrays()) return tf.mean(tileActivations(act));
  const { data } = tileActivationsRgba(act);
  return tf.scalar(data[data.length >> 1]);
}
