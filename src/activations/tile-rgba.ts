import * as tf from '@tensorflow/tfjs-core';
import { asChannelMap } from '../util/grid';
import { gridSpec, tileActivations, tileOptions, type TileOptions } from './tile';
import { float32Values, tileArraysRgba, tilesOnArrays } from './tile-arrays';

/** An RGBA image in bytes: alpha 255, row-major, `width × height × 4` (`ImageData`'s and pngjs's layout). */
export interface TiledImage {
  readonly width: number;
  readonly height: number;
  /** Over a plain `ArrayBuffer` (not shared), as `new ImageData(data, width, height)` requires. */
  readonly data: Uint8ClampedArray<ArrayBuffer>;
}

/**
 * The grid of {@link tileActivations} (same options, shapes, geometry and errors) as RGBA
 * bytes, ready for `new ImageData(data, width, height)` or a PNG encoder: each byte is
 * `tileActivations`'s value rounded and clamped to 0–255. On the cpu and wasm backends it is
 * one JavaScript pass from the activations to the bytes, with no tensor made (1.3–1.9×
 * faster than `tileActivations` plus a readback, ~4× with a gamma). On GPU backends it runs
 * `tileActivations` and reads the grid back synchronously, which stalls the GPU pipeline:
 * there, read the grid back together with whatever else the frame needs, in one transfer.
 *
 * @example
 * ```ts
 * const { leaky_re_lu_5: act } = activations(net, frame, { layers: ['leaky_re_lu_5'] });
 * const { data, width, height } = tileActivationsRgba(act, { boost: 0.5, highlight: [{ channel: 7 }] });
 * canvas.getContext('2d')!.putImageData(new ImageData(data, width, height), 0, 0);
 * act.dispose();
 * ```
 */
export function tileActivationsRgba(act: tf.Tensor, options: TileOptions = {}): TiledImage {
  const full = tileOptions(options);
  if (!tilesOnArrays()) return rgbToRgba(tileActivations(act, full));
  const { map, fc } = asChannelMap(act);
  try {
    const spec = gridSpec(map.shape, fc, full);
    return { width: spec.width, height: spec.height, data: tileArraysRgba(float32Values(map), spec) };
  } finally {
    map.dispose();
  }
}

/** An `[h, w, 3]` 0–255 image read back and disposed, as RGBA bytes (`Math.round`, clamped). */
function rgbToRgba(rgb: tf.Tensor3D): TiledImage {
  const [height, width] = rgb.shape;
  try {
    return rgbaFromValues(rgb.dataSync(), height, width, 3);
  } finally {
    rgb.dispose();
  }
}

/** `[h, w, c]` (c = 3, or 1 for grey) 0–255 values as RGBA bytes (`Math.round`, clamped, alpha 255). */
export function rgbaFromValues(values: ArrayLike<number>, height: number, width: number, channels: number): TiledImage {
  const data = new Uint8ClampedArray(height * width * 4);
  const grey = channels === 1;
  for (let p = 0, i = 0; p < data.length; p += 4, i += channels) {
    data[p] = Math.round(values[i]);
    data[p + 1] = Math.round(values[grey ? i : i + 1]);
    data[p + 2] = Math.round(values[grey ? i : i + 2]);
    data[p + 3] = 255;
  }
  return { width, height, data };
}
