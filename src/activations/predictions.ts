import * as tf from '@tensorflow/tfjs-core';
import { checkOption } from '../errors';
import type { Net } from '../net/types';

/** One class of {@link topPredictions}. */
export interface Prediction {
  readonly index: number;
  /** `labels[index]`, or the index as text when no labels are given. */
  readonly label: string;
  /** Softmax probability, 0–1. */
  readonly probability: number;
}

/**
 * The `k` most probable classes (default 5, or every class when there are fewer) of the
 * first image of a 0–255 RGB batch: softmax of the net's pre-softmax scores
 * (`net.logits`), highest first.
 *
 * @example
 * ```ts
 * const labels = await (await fetch('labels.json')).json();
 * for (const p of topPredictions(net, frame, 5, labels)) console.log(p.label, p.probability.toFixed(3));
 * ```
 */
export function topPredictions(net: Net, pixels: tf.Tensor4D, k?: number, labels?: readonly string[]): Prediction[] {
  checkOption(k === undefined || (Number.isInteger(k) && k >= 1), 'k', 'an integer ≥ 1', k);
  const out = net.forward(pixels, { taps: [net.logits] });
  let values: Float32Array;
  let indices: Int32Array;
  let classes: number;
  try {
    const logits = out[net.logits];
    classes = logits.size / logits.shape[0];
    k ??= Math.min(5, classes);
    checkOption(k <= classes, 'k', `at most the number of classes (${classes})`, k);
    checkOption(labels === undefined || (Array.isArray(labels) && labels.length === classes), 'labels', `an array of ${classes} class names (one per logit)`, labels && `${labels.length} names`);
    const top = tf.tidy(() => {
      const first = tf.reshape(tf.slice(tf.reshape(logits, [logits.shape[0], classes]), [0, 0], [1, classes]), [classes]);
      return tf.topk(tf.softmax(first), k);
    });
    values = top.values.dataSync() as Float32Array;
    indices = top.indices.dataSync() as Int32Array;
    tf.dispose([top.values, top.indices]);
  } finally {
    tf.dispose(out);
  }
  return Array.from(indices, (index, i) => ({ index, label: labels ? labels[index] : String(index), probability: values[i] }));
}
