// One frame of the viewer: the forward pass tapping the shown layer and the logits, each
// pane's views, ONE readback of all of them, and each pane drawing its part. Every tensor
// made here is disposed here: the tensor count stays flat however many frames run.
import * as tf from '@tensorflow/tfjs-core';
import { readFrame, type FrameView } from '../activations/frame';
import type { Net } from '../net/types';
import { layerGrid } from './panes/grid';
import type { FrameContext, FramePane, LayerGrid, PaneRead } from './panes/pane';
import type { ViewerState } from './state';

/** Runs one frame on `pixels` (`[1, size, size, 3]`, 0–255; the caller's) and draws every pane. */
export async function runFrame(net: Net, pixels: tf.Tensor4D, state: Readonly<ViewerState>, panes: readonly FramePane[], labels: readonly string[]): Promise<LayerGrid> {
  const taps = state.layer === net.logits ? [state.layer] : [state.layer, net.logits];
  const owned: tf.Tensor[] = [];
  try {
    const acts = net.forward(pixels, { taps });
    owned.push(...Object.values(acts));
    const act = acts[state.layer];
    const grid = layerGrid(act.shape);
    const selected = Math.min(Math.max(0, state.selected), grid.channels - 1);
    const pinned = state.pinned !== null && state.pinned < grid.channels ? state.pinned : null;
    const frame: FrameContext = { net, pixels, act, logits: acts[net.logits], state, grid, selected, pinned, labels };
    const views: Record<string, FrameView> = {};
    for (const pane of panes) {
      for (const [key, view] of Object.entries(await pane.views(frame))) {
        views[`${pane.name}/${key}`] = view;
        if (view instanceof tf.Tensor) owned.push(view);
      }
    }
    const read = await readFrame(views);
    for (const pane of panes) {
      const mine: Record<string, PaneRead[string]> = {};
      for (const [key, value] of Object.entries(read)) {
        if (key.startsWith(`${pane.name}/`)) mine[key.slice(pane.name.length + 1)] = value;
      }
      pane.draw(mine, frame);
    }
    return grid;
  } finally {
    tf.dispose(owned);
  }
}
