import { rgbaImage } from '../../activations/frame';
import { channelImage } from '../../activations/tile';
import { el, putImage, section } from '../dom';
import { unitCaption, type FramePane } from './pane';

/** The selected unit's map, at its own resolution (the canvas's CSS size enlarges it). */
export function unitPane(): FramePane {
  const { root, caption } = section('unit', 'Unit');
  const canvas = el('canvas', { 'data-dv': 'unit', width: 224, height: 224 });
  root.append(canvas);
  return {
    name: 'unit',
    element: root,
    views: ({ act, selected }) => ({ map: channelImage(act, selected, { size: act.rank === 4 ? [act.shape[1]!, act.shape[2]!] : [1, 1] }) }),
    draw: (read, frame) => {
      putImage(canvas, rgbaImage(read.map));
      caption.textContent = unitCaption(frame, frame.selected);
    },
  };
}
