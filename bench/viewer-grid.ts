// The grid the live viewer draws, as the viewer makes it on the active backend.
import * as tf from '@tensorflow/tfjs-core';
import { gridView } from '../src/index';

/**
 * One layer's grid as the viewer makes it (`gridView`: RGBA bytes where tiling runs in
 * JavaScript, a tensor read back with the frame elsewhere), reduced to a scalar to read back.
 */
export function viewerGrid(act: tf.Tensor): tf.Tensor {
  const view = gridView(act);
  return view instanceof tf.Tensor ? tf.mean(view) : tf.scalar(view.data[view.data.length >> 1]);
}
