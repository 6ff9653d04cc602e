import * as tf from '@tensorflow/tfjs-core';
import { rgbaImage } from '../../activations/frame';
import { el, putImage, section } from '../dom';
import type { FramePane } from './pane';

/** The frame the net sees: the centred square crop at the input size. */
export function inputPane(): FramePane & { readonly caption: HTMLElement } {
  const { root, caption } = section('input', 'Input');
  const canvas = el('canvas', { 'data-dv': 'input', width: 224, height: 224 });
  root.append(canvas);
  return {
    name: 'input',
    element: root,
    caption,
    views: ({ pixels }) => ({ image: tf.squeeze(pixels, [0]) }),
    draw: (read) => putImage(canvas, rgbaImage(read.image)),
  };
}
