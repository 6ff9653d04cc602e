import * as tf from '@tensorflow/tfjs-core';
import type { ReadTensor } from '../../activations/frame';
import { el, section } from '../dom';
import type { FramePane } from './pane';

/** How many classes the predictions pane lists. */
const TOP = 5;

/** The top 5 classes (softmax of the logits) with their names. */
export function predictionsPane(): FramePane {
  const { root } = section('predictions', 'Top 5');
  const list = el('ol', { 'data-dv': 'predictions' });
  root.append(list);
  return {
    name: 'predictions',
    element: root,
    views: ({ logits }) => {
      const k = Math.min(TOP, logits.size);
      return tf.tidy(() => {
        const { values, indices } = tf.topk(tf.softmax(tf.reshape(logits, [1, -1]) as tf.Tensor2D), k);
        return { top: tf.concat([tf.reshape(values, [-1]), tf.reshape(tf.cast(indices, 'float32'), [-1])]) };
      });
    },
    draw: (read, { labels }) => {
      const all = (read.top as ReadTensor).values;
      const k = all.length / 2;
      list.replaceChildren(...Array.from({ length: k }, (_, j) => {
        const index = all[k + j];
        return el('li', {}, `${(100 * all[j]).toFixed(1).padStart(5)}%  ${labels[index] || `class ${index}`}`);
      }));
    },
  };
}
