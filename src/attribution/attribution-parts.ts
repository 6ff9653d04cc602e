// Small pieces the attribution tools (smoothBackward, integratedGradients, gradCam, occlusion) share.
import * as tf from '@tensorflow/tfjs-core';
import type { Net } from '../net/types';

/** `sum + g`, or `g` when there is no sum yet; the inputs are disposed (a running sum that holds one tensor). */
export function accumulate<T extends tf.Tensor>(sum: T | null, g: T): T {
  if (!sum) return g;
  const next = tf.add(sum, g) as T;
  tf.dispose([sum, g]);
  return next;
}

/** Channel `c` of a tensor's last axis, every other axis whole (`[n, h, w, 1]` or `[n, 1]`). */
export function lastAxisChannel(t: tf.Tensor, c: number): tf.Tensor {
  const last = t.rank - 1;
  return tf.slice(t, t.shape.map((_, i) => (i === last ? c : 0)), t.shape.map((s, i) => (i === last ? 1 : s)));
}

/** One RGB pixel `[1, 1, 1, 3]` of `net.mean` (centred pixel space's "zero") or black, to fill or start from. */
export function fillPixel(net: Net, fill: 'mean' | 'black'): tf.Tensor4D {
  return tf.tensor4d(fill === 'black' ? [0, 0, 0] : [...net.mean], [1, 1, 1, 3]);
}
