// The contract every pane of the viewer keeps: the views it needs from a frame, and how it draws them.
import type * as tf from '@tensorflow/tfjs-core';
import type { FrameView, ReadTensor } from '../../activations/frame';
import type { TiledImage } from '../../activations/tile-rgba';
import type { TileLayout } from '../../activations/tile-layout';
import type { Net } from '../../net/types';
import type { ViewerState } from '../state';
import { unitName } from '../../image/labels';

/** The grid geometry of a layer: how many units and the size of one tile. */
export interface LayerGrid {
  readonly channels: number;
  /** False for a fully connected layer (each unit a block). */
  readonly spatial: boolean;
  readonly tileHeight: number;
  readonly tileWidth: number;
  readonly layout: TileLayout;
}

/** What one frame offers every pane. The tensors belong to the frame (disposed after drawing). */
export interface FrameContext {
  readonly net: Net;
  /** The frame, `[1, size, size, 3]` 0–255. */
  readonly pixels: tf.Tensor4D;
  /** The shown layer's activation, `[1, h, w, c]` or `[1, n]`. */
  readonly act: tf.Tensor;
  /** The net's logits (the same tensor as `act` when the logits are shown). */
  readonly logits: tf.Tensor;
  readonly state: Readonly<ViewerState>;
  readonly grid: LayerGrid;
  /** The selected unit, within the layer. */
  readonly selected: number;
  /** The pinned unit (within the layer), or null. */
  readonly pinned: number | null;
  /** Class names ([] when unknown). */
  readonly labels: readonly string[];
}

/** What a pane gets back: each of its views read ({@link ReadTensor}) or as given (an image). */
export type PaneRead = Readonly<Record<string, ReadTensor | TiledImage>>;

/**
 * A pane drawn every frame: `views` says what it needs from the frame (tensors it makes
 * belong to the frame, which disposes them; everything is read back in one transfer), and
 * `draw` shows what was read.
 */
export interface FramePane {
  readonly name: string;
  readonly element: HTMLElement;
  views(frame: FrameContext): Readonly<Record<string, FrameView>> | Promise<Readonly<Record<string, FrameView>>>;
  draw(read: PaneRead, frame: FrameContext): void;
}

/** A unit of the shown layer in words: on the logits its class (`'flamingo (424)'`), else `'unit 7 of 64'`. */
export function unitCaption(frame: Pick<FrameContext, 'net' | 'state' | 'grid' | 'labels'>, unit: number): string {
  const { net, state, grid, labels } = frame;
  return state.layer === net.logits ? unitName(net, state.layer, unit, labels.length ? labels : undefined) : `unit ${unit} of ${grid.channels}`;
}
