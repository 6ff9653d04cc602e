import * as tf from '@tensorflow/tfjs-core';
import { rgbaImage } from '../../activations/frame';
import { ATTRIBUTION_METHODS } from '../../attribution/registry';
import type { AttributionMethod } from '../../attribution/types';
import { clearCanvas, el, putImage, section } from '../dom';
import { unitCaption, type FrameContext, type FramePane } from './pane';

/**
 * The backward pane's modes: the registered attribution methods (`ATTRIBUTION_METHODS`), so a
 * method added to the registry shows up here with no viewer edit.
 *
 * @example
 * ```ts
 * // Only the fast ones:
 * mountViewer(el, { modes: BACKWARD_MODES.filter((m) => m.name !== 'occlusion' && m.name !== 'integrated') });
 * ```
 */
export const BACKWARD_MODES: readonly AttributionMethod[] = ATTRIBUTION_METHODS;

/** A method that weighs a layer of maps (Grad-CAM…): it explains the top class from the shown layer. */
const onMaps = (m: AttributionMethod) => m.reads.includes('camLayer');

/** What `method` shows for this frame: an `[h, w, 3]` 0–255 image and its caption, or why it cannot run. */
async function runMode(method: AttributionMethod, frame: FrameContext): Promise<{ image: tf.Tensor3D; caption: string } | { unavailable: string }> {
  const { net, pixels, act, logits, state, selected, pinned, labels } = frame;
  if (onMaps(method) && act.rank !== 4) return { unavailable: `${method.label} needs a layer of maps: choose a convolutional layer` };
  const unit = pinned ?? selected;
  // A CAM needs the top class now, before the frame's one readback: a small extra read.
  const top = onMaps(method) ? tf.tidy(() => tf.argMax(tf.reshape(logits, [-1])).dataSync()[0]) : unit;
  const target = onMaps(method)
    ? { layer: net.logits, channel: top }
    : { layer: state.layer, channel: unit, at: state.seed === 'activation' ? 'energy' as const : 'max' as const };
  const a = await method.run(net, pixels, target, { camLayer: state.layer });
  try {
    const image = method.draw(a, pixels, { filter: state.filter });
    const caption = onMaps(method)
      ? `${method.label} of ${labels[top] || `class ${top}`} from this layer`
      : `${unitCaption(frame, unit)}${pinned !== null ? ' (pinned)' : ''} · ${method.label} · ${state.filter}`;
    return { image, caption };
  } finally {
    a.values.dispose();
  }
}

/** The backward view of the selected unit in the state's mode; cleared, with the reason, when off or unavailable. */
export function backwardPane(modes: readonly AttributionMethod[] = BACKWARD_MODES): FramePane {
  const { root, caption } = section('backward', 'Backward');
  const canvas = el('canvas', { 'data-dv': 'backward', width: 224, height: 224 });
  root.append(canvas);
  let words = '';
  return {
    name: 'backward',
    element: root,
    views: async (frame): Promise<Record<string, tf.Tensor3D>> => {
      if (!frame.state.backwardOn) {
        words = 'off';
        return {};
      }
      const r = await runMode(modes.find((m) => m.name === frame.state.mode) ?? modes[0], frame);
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
