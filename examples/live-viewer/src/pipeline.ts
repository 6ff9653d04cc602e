// One frame of the viewer: forward with taps, the layer grid, the selected unit enlarged,
// its backward view and the top-5 classes, drawn into canvases. Every tensor made here is
// disposed here: the tensor count stays flat however many frames run.
import * as tf from '@tensorflow/tfjs-core';
import { activations, attributionMethodNamed, channelImage, tileActivations, tileActivationsRgba, tileLayout, tilesOnArrays, type Net, type TiledImage } from './deepvis';

export type Filter = 'raw' | 'gray' | 'norm' | 'normblur';
/**
 * The backward pane: a registered attribution method (ATTRIBUTION_METHODS) by name. Methods
 * that weigh a layer of maps (Grad-CAM…) explain the top class from the shown layer; the
 * others explain the selected unit.
 */
export type BackwardMode = string;
export type Seed = 'unit' | 'activation';

/** What the person chose; the pipeline reads it, the UI writes it. */
export interface ViewState {
  layer: string;
  /** The unit under the cursor (enlarged, highlighted yellow). */
  selected: number;
  /** A unit frozen for the backward view (highlighted cyan), or null to follow the cursor. */
  pinned: number | null;
  mode: BackwardMode;
  filter: Filter;
  seed: Seed;
  normalize: 'layer' | 'channel';
  boost: number;
  gamma: number;
  /** Run the backward view every frame (it costs about two forwards). */
  backwardOn: boolean;
  /** Side of the square input fed to the net. */
  size: number;
}

export interface Panes {
  readonly input: HTMLCanvasElement;
  readonly grid: HTMLCanvasElement;
  readonly unit: HTMLCanvasElement;
  readonly backward: HTMLCanvasElement;
}

export interface Prediction { readonly index: number; readonly label: string; readonly probability: number }

/** The grid geometry of a layer: how many units and the size of one tile. */
export interface LayerGrid {
  readonly channels: number;
  /** False for a fully connected layer (each unit a block). */
  readonly spatial: boolean;
  readonly tileHeight: number;
  readonly tileWidth: number;
  readonly layout: ReturnType<typeof tileLayout>;
}

export interface FrameResult {
  readonly grid: LayerGrid;
  readonly predictions: readonly Prediction[];
  /** Milliseconds the frame took, readback and drawing included. */
  readonly totalMs: number;
  /** What the backward pane shows, in words (its caption). */
  readonly backwardCaption: string;
}

/** Side of one fully connected unit's block in the grid, in pixels. */
export const FC_BLOCK = 4;
const PADDING = 1;
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

/** Puts `[h, w, 3]` RGB values (0–255, from `values` at `offset`) into a canvas, resizing it. */
function put(canvas: HTMLCanvasElement, values: Float32Array, offset: number, h: number, w: number): void {
  const rgba = new Uint8ClampedArray(h * w * 4);
  for (let i = 0, j = offset; i < rgba.length; i += 4, j += 3) {
    rgba[i] = values[j];
    rgba[i + 1] = values[j + 1];
    rgba[i + 2] = values[j + 2];
    rgba[i + 3] = 255;
  }
  putRgba(canvas, { data: rgba, width: w, height: h });
}

/** Puts RGBA bytes into a canvas, resizing it. */
function putRgba(canvas: HTMLCanvasElement, { data, width, height }: TiledImage): void {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  canvas.getContext('2d')!.putImageData(new ImageData(data, width, height), 0, 0);
}

/**
 * Runs one frame on `pixels` ([1, size, size, 3], 0–255) and draws every pane. Everything
 * shown is read back from the device in ONE transfer: on WebGL each readback stalls the
 * pipeline, and a frame with five of them runs at a fraction of the speed. On the cpu and
 * wasm backends the grid is drawn straight into RGBA bytes instead (no tensor, no readback).
 */
export async function renderFrame(net: Net, pixels: tf.Tensor4D, state: ViewState, panes: Panes, labels: readonly string[]): Promise<FrameResult> {
  const t0 = performance.now();
  const taps = state.layer === net.logits ? [state.layer] : [state.layer, net.logits];
  const owned: tf.Tensor[] = [];
  try {
    const acts = activations(net, pixels, { layers: taps });
    owned.push(...Object.values(acts));
    const act = acts[state.layer];
    const grid = layerGrid(act.shape);
    const selected = Math.min(Math.max(0, state.selected), grid.channels - 1);
    const pinned = state.pinned !== null && state.pinned < grid.channels ? state.pinned : null;
    const highlight = [{ channel: selected, color: CURSOR }];
    if (pinned !== null && pinned !== selected) highlight.push({ channel: pinned, color: PINNED });

    const images: [HTMLCanvasElement, tf.Tensor3D][] = [[panes.input, tf.squeeze(pixels, [0]) as tf.Tensor3D]];
    owned.push(images[0][1]);
    const tiling = { normalize: state.normalize, boost: state.boost, gamma: state.gamma, padding: PADDING, highlight, blockSize: FC_BLOCK };
    // On cpu and wasm the grid goes straight to RGBA bytes; elsewhere it joins the one readback.
    const gridBytes = tilesOnArrays() ? tileActivationsRgba(act, tiling) : null;
    if (!gridBytes) images.push([panes.grid, tileActivations(act, tiling)]);
    // At its own resolution: the canvas's CSS size enlarges it (pixelated), for free.
    images.push([panes.unit, channelImage(act, selected, { size: act.rank === 4 ? [act.shape[1]!, act.shape[2]!] : [1, 1] })]);
    owned.push(...images.slice(1).map(([, t]) => t));
    const logits = acts[net.logits];
    let backwardCaption = 'off';
    if (state.backwardOn) {
      const method = attributionMethodNamed(state.mode);
      const onMaps = method.reads.includes('camLayer');
      if (onMaps && act.rank !== 4) backwardCaption = `${method.label} needs a layer of maps`;
      else {
        const unit = pinned ?? selected;
        // A CAM needs the top class now, before the frame's one readback: a small extra read.
        const top = onMaps ? tf.tidy(() => tf.argMax(tf.reshape(logits, [-1])).dataSync()[0]) : unit;
        const target = onMaps ? { layer: net.logits, channel: top } : { layer: state.layer, channel: unit, at: state.seed === 'activation' ? 'energy' as const : 'max' as const };
        const a = await method.run(net, pixels, target, { camLayer: state.layer });
        owned.push(a.values);
        const shown = method.draw(a, pixels, { filter: state.filter });
        owned.push(shown);
        images.push([panes.backward, shown]);
        backwardCaption = onMaps ? `${method.label} of ${labels[top] || `class ${top}`} from this layer`
          : `#${unit}${pinned !== null ? ' (pinned)' : ''} · ${state.mode} · ${state.filter}`;
      }
    }
    const k = Math.min(5, logits.size);
    const packed = tf.tidy(() => {
      const { values, indices } = tf.topk(tf.softmax(tf.reshape(logits, [1, -1]) as tf.Tensor2D), k);
      const flat = images.map(([, t]) => tf.reshape(tf.clipByValue(tf.round(tf.cast(t, 'float32')), 0, 255), [-1]));
      return tf.concat([tf.reshape(values, [-1]), tf.reshape(tf.cast(indices, 'float32'), [-1]), ...flat]);
    });
    owned.push(packed);
    const all = (await packed.data()) as Float32Array;

    const predictions = Array.from({ length: k }, (_, j) => {
      const index = all[k + j];
      return { index, label: labels[index] || `class ${index}`, probability: all[j] };
    });
    let offset = 2 * k;
    for (const [canvas, t] of images) {
      const [h, w] = t.shape;
      put(canvas, all, offset, h, w);
      offset += h * w * 3;
    }
    if (gridBytes) putRgba(panes.grid, gridBytes);
    return { grid, predictions, totalMs: performance.now() - t0, backwardCaption };
  } finally {
    tf.dispose(owned);
  }
}
