import * as tf from '@tensorflow/tfjs-core';
import { rgbaImage } from '../../activations/frame';
import { backward } from '../../attribution/backward';
import { backwardImage } from '../../attribution/backward-image';
import { camImage, gradCam } from '../../attribution/grad-cam';
import type { BackwardRule } from '../../net/types';
import { clearCanvas, el, putImage, section } from '../dom';
import { unitName, type FrameContext, type FramePane } from './pane';

/** What a backward mode made of a frame: an `[h, w, 3]` 0–255 image and its caption, or why it cannot run. */
export type BackwardResult = { readonly image: tf.Tensor3D; readonly caption: string } | { readonly unavailable: string };

/** One mode of the backward pane. */
export interface BackwardMode {
  /** Its value in the state, the URL and the menu. */
  readonly name: string;
  /** Its menu text. */
  readonly label: string;
  /** Runs on a frame; the image belongs to the frame. */
  run(frame: FrameContext): BackwardResult;
}

/** A signal from the selected (or pinned) unit back to the pixels, shown with the chosen filter. */
function ruleMode(mode: BackwardRule, label: string): BackwardMode {
  return {
    name: mode,
    label,
    run: ({ net, pixels, state, selected, pinned, grid, labels }) => {
      const unit = pinned ?? selected;
      const image = tf.tidy(() => backwardImage(backward(net, pixels, { layer: state.layer, channel: unit, seed: state.seed, mode }), state.filter));
      return { image, caption: `${unitName(unit, grid.channels, labels)}${pinned !== null ? ' (pinned)' : ''} · ${mode} · ${state.filter}` };
    },
  };
}

/**
 * The backward pane's modes, in menu order (the `b` key cycles them): plain gradient, deconv
 * (Zeiler & Fergus), guided backprop (Springenberg et al.), and Grad-CAM of the top class from
 * the shown layer's maps.
 */
export const BACKWARD_MODES: readonly BackwardMode[] = [
  ruleMode('gradient', 'gradient'),
  ruleMode('deconv', 'deconv'),
  ruleMode('guided', 'guided backprop'),
  {
    name: 'gradcam',
    label: 'Grad-CAM (top class)',
    run: ({ net, pixels, act, logits, state, labels }) => {
      if (act.rank !== 4) return { unavailable: 'Grad-CAM needs a layer of maps: choose a convolutional layer' };
      // The top class is needed before the frame's one readback: a small extra read.
      const top = tf.tidy(() => tf.argMax(tf.reshape(logits, [-1])).dataSync()[0]);
      const image = tf.tidy(() => camImage(gradCam(net, pixels, { layer: state.layer, channel: top }), pixels));
      return { image, caption: `Grad-CAM of ${labels[top] || `class ${top}`} from this layer` };
    },
  },
];

/** The backward view of the selected unit in the state's mode; cleared, with the reason, when off or unavailable. */
export function backwardPane(modes: readonly BackwardMode[] = BACKWARD_MODES): FramePane {
  const { root, caption } = section('backward', 'Backward');
  const canvas = el('canvas', { 'data-dv': 'backward', width: 224, height: 224 });
  root.append(canvas);
  let words = '';
  return {
    name: 'backward',
    element: root,
    views: (frame): Record<string, tf.Tensor3D> => {
      words = '';
      if (!frame.state.backwardOn) {
        words = 'off';
        return {};
      }
      const mode = modes.find((m) => m.name === frame.state.mode) ?? modes[0];
      const r = mode.run(frame);
      if ('unavailable' in r) {
        words = r.unavailable;
        return {};
      }
      words = r.caption;
      return { image: r.image };
    },
    draw: (read) => {
      caption.textContent = words;
      if (read.image) putImage(canvas, rgbaImage(read.image));
      else clearCanvas(canvas);
    },
  };
}
