import * as tf from '@tensorflow/tfjs-core';

/**
 * The backends where {@link tileActivations} lays the grid out in one JavaScript pass over
 * the activations instead of ~10 tensor ops: there every op is a full pass on the CPU, and
 * wasm's transposes are slow, so the loop is 3–4× faster (Darknet-Tiny's largest layer: ~80 →
 * ~20 ms). GPU backends keep the ops.
 */
const ARRAY_BACKENDS = new Set(['cpu', 'wasm']);

/**
 * Whether tiling on the current backend goes through {@link tileArrays}.
 *
 * @example
 * ```ts
 * if (tilesOnArrays()) console.log('grids are laid out in JavaScript on this backend');
 * ```
 */
export function tilesOnArrays(): boolean {
  return ARRAY_BACKENDS.has(tf.getBackend());
}

/** A grid to lay out: the map's shape, the grid's geometry (as `tileLayout` gives it), the options. */
export interface GridSpec {
  /** Map height, width and channels (`[1, 1, c]` for a fully connected layer). */
  readonly h: number;
  readonly w: number;
  readonly c: number;
  /** Tile size in the grid (`blockSize` for a fully connected layer, else `h × w`). */
  readonly th: number;
  readonly tw: number;
  readonly padding: number;
  readonly cols: number;
  readonly rows: number;
  readonly width: number;
  readonly height: number;
  readonly fill: number;
  readonly normalize: 'layer' | 'channel';
  readonly boost: number;
  readonly gamma: number;
  /** Tile origins `[y, x]` to frame, with their RGB colours; later ones win. */
  readonly borders: readonly { origin: readonly [number, number]; color: readonly number[] }[];
}

/** Each channel's shift and multiplier onto 0–255: min-max (layer or channel), then the boost. */
function channelScales(values: Float32Array, c: number, normalize: 'layer' | 'channel', boost: number) {
  if (normalize === 'layer' && boost === 0) {
    // The default needs only the layer's range: one flat pass, no per-channel bookkeeping.
    let [lo, hi] = [Infinity, -Infinity];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return { lo: new Float64Array(c).fill(lo), scale: new Float64Array(c).fill(hi > lo ? 1 / (hi - lo) : 0) };
  }
  const min = new Float64Array(c).fill(Infinity);
  const max = new Float64Array(c).fill(-Infinity);
  for (let p = 0; p < values.length; p += c) {
    for (let ch = 0; ch < c; ch++) {
      const v = values[p + ch];
      if (v < min[ch]) min[ch] = v;
      if (v > max[ch]) max[ch] = v;
    }
  }
  const lo = new Float64Array(c);
  const scale = new Float64Array(c);
  const layerLo = min.reduce((a, b) => Math.min(a, b));
  const layerHi = max.reduce((a, b) => Math.max(a, b));
  for (let ch = 0; ch < c; ch++) {
    const [a, b] = normalize === 'layer' ? [layerLo, layerHi] : [min[ch], max[ch]];
    lo[ch] = a;
    // A constant layer (or channel) shows as 0 rather than NaN.
    scale[ch] = b > a ? 1 / (b - a) : 0;
    if (boost !== 0) scale[ch] *= Math.max((max[ch] - a) * scale[ch], 1e-6) ** -boost;
  }
  return { lo, scale };
}

/**
 * The RGB grid of {@link tileActivations} from a `[h, w, c]` map's values (channel-last), in
 * one pass: normalize, place each value in its tile, paint the borders. Same numbers as the
 * tensor path up to float32 rounding.
 *
 * @example
 * ```ts
 * const rgb = tileArrays(map.dataSync() as Float32Array, spec);   // Float32Array of spec.height × spec.width × 3
 * ```
 */
export function tileArrays(values: Float32Array, spec: GridSpec): Float32Array {
  const { h, w, c, th, tw, padding, cols, width, height, fill, gamma } = spec;
  const { lo, scale } = channelScales(values, c, spec.normalize, spec.boost);
  const out = new Float32Array(height * width * 3).fill(fill);
  // Tiles are the map itself (th = h) or blocks of one fully connected unit (h = w = 1). Where each channel's tile starts in `out`.
  const start = new Int32Array(c);
  for (let ch = 0; ch < c; ch++) start[ch] = ((padding + Math.floor(ch / cols) * (th + padding)) * width + padding + (ch % cols) * (tw + padding)) * 3;
  const linear = gamma === 1;
  const rowStep = width * 3;
  for (let ch = 0; ch < c; ch++) {
    const l = lo[ch];
    const s = scale[ch];
    if (h === th) {
      // Channel by channel along the tile's rows: reads stride c, writes run on.
      for (let y = 0; y < h; y++) {
        let o = start[ch] + y * rowStep;
        for (let i = y * w * c + ch, end = i + w * c; i < end; i += c, o += 3) {
          const u = (values[i] - l) * s;
          const g = linear ? u * 255 : u ** gamma * 255;
          out[o] = g;
          out[o + 1] = g;
          out[o + 2] = g;
        }
      }
    } else {
      // A fully connected unit: one value over its th × tw block.
      const u = (values[ch] - l) * s;
      const g = linear ? u * 255 : u ** gamma * 255;
      for (let y = 0; y < th; y++) out.fill(g, start[ch] + y * rowStep, start[ch] + y * rowStep + tw * 3);
    }
  }
  const t = Math.max(padding, 1);
  for (const { origin: [y0, x0], color } of spec.borders) {
    const [top, left, bottom, right] = [y0 - padding, x0 - padding, y0 + th + padding, x0 + tw + padding];
    for (let y = top; y < bottom; y++) {
      const inner = y >= top + t && y < bottom - t;
      for (let x = left; x < right; x++) {
        if (inner && x >= left + t && x < right - t) continue;
        const o = (y * width + x) * 3;
        out[o] = color[0];
        out[o + 1] = color[1];
        out[o + 2] = color[2];
      }
    }
  }
  return out;
}
