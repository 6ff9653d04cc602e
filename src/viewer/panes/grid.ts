import { gridView, rgbaImage } from '../../activations/frame';
import { tileLayout } from '../../activations/tile-layout';
import { el, putImage, section } from '../dom';
import { unitCaption, type FramePane, type LayerGrid } from './pane';

/** Side of one fully connected unit's block in the grid, in pixels. */
export const FC_BLOCK = 4;
const PADDING = 1;
/** Room the grid leaves above and below it in the window, in CSS pixels. */
const GRID_MARGIN_PX = 48;
const CURSOR: [number, number, number] = [255, 210, 0];
const PINNED: [number, number, number] = [0, 220, 255];

/** The grid geometry for an activation of shape `[1, h, w, c]` or `[1, n]`. */
export function layerGrid(shape: readonly number[]): LayerGrid {
  const spatial = shape.length === 4;
  const channels = shape[shape.length - 1];
  const tileHeight = spatial ? shape[1] : FC_BLOCK;
  const tileWidth = spatial ? shape[2] : FC_BLOCK;
  return { channels, spatial, tileHeight, tileWidth, layout: tileLayout(channels, tileHeight, tileWidth, { padding: PADDING }) };
}

/**
 * Every unit of the shown layer as a tile (one min–max over the layer, or per channel), the
 * selected unit framed yellow and a pinned one cyan. A click selects the unit under it.
 */
export function gridPane(onPick: (unit: number) => void): FramePane & { readonly canvas: HTMLCanvasElement } {
  const { root, caption } = section('grid', 'Layer');
  const canvas = el('canvas', { 'data-dv': 'grid', class: 'dv-grid', width: 256, height: 256, tabIndex: 0, title: 'Click a unit; arrows move' });
  root.append(canvas);
  let shown: LayerGrid | null = null;
  let cssWidth = '';
  canvas.addEventListener('click', (e) => {
    if (!shown) return;
    const rect = canvas.getBoundingClientRect();
    const x = Math.floor(((e.clientX - rect.left) * canvas.width) / rect.width);
    const y = Math.floor(((e.clientY - rect.top) * canvas.height) / rect.height);
    const unit = shown.layout.channelAt(y, x);
    if (unit !== null) onPick(unit);
    canvas.focus();
  });
  return {
    name: 'grid',
    element: root,
    canvas,
    views: ({ act, state, selected, pinned }) => {
      const highlight = [{ channel: selected, color: CURSOR }];
      if (pinned !== null && pinned !== selected) highlight.push({ channel: pinned, color: PINNED });
      return { grid: gridView(act, { normalize: state.normalize, boost: state.boost, gamma: state.gamma, padding: PADDING, highlight, blockSize: FC_BLOCK }) };
    },
    draw: (read, frame) => {
      const { grid, state, selected } = frame;
      shown = grid;
      const image = rgbaImage(read.grid);
      putImage(canvas, image);
      // As wide as the pane, but never taller than the window (a 512-unit grid stays on screen).
      const width = `min(100%, calc((100vh - ${GRID_MARGIN_PX}px) * ${(image.width / image.height).toFixed(4)}))`;
      if (width !== cssWidth) canvas.style.width = cssWidth = width;
      caption.textContent = `${state.layer} · ${grid.channels} units ${grid.spatial ? `of ${grid.tileHeight}×${grid.tileWidth}` : '(fully connected)'} · ${unitCaption(frame, selected)}`;
    },
  };
}
