import * as tf from '@tensorflow/tfjs-core';
import { backendCapabilities } from '../backends/capabilities';
import { GammaBytes } from './gamma-bytes';

/**
 * Whether tiling on the current backend ({@link tileActivations}, `tileActivationsRgba`) is
 * one JavaScript pass over the activations rather than ~10 tensor ops: where tensor data is in
 * host memory (the backend's `hostMemory` capability) every op is a full pass on the CPU and
 * transposes are slow, so the loop is 3–4× faster (Darknet-Tiny's largest layer on wasm: ~80 →
 * ~20 ms). GPU backends keep the ops.
 *
 * @example
 * ```ts
 * if (tilesOnArrays()) console.log('grids are laid out in JavaScript on this backend');
 * ```
 */
export function tilesOnArrays(): boolean {
  return backendCapabilities().hostMemory;
}

/**
 * A tensor's values as float32 for the JavaScript layout: `dataSync()`'s own array when it is
 * one. (A view into the wasm heap instead of the copy measured no faster: the pass then reads
 * the activations uncached, which costs about what the copy saves.)
 *
 * @example
 * ```ts
 * const bytes = tileArraysRgba(float32Values(map), spec);
 * ```
 */
export function float32Values(t: tf.Tensor): Float32Array {
  const values = t.dataSync();
  return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
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

// The min-max loops are small functions of their own, returning a plain object: inline in
// channelScales (or returning an array) V8 compiled the loop on stack replacement during the
// first call and then bailed out after it on every later call (the default grid ~1.4× slower).

/** The least and greatest of the values (NaN ignored). */
function layerRange(values: Float32Array): { lo: number; hi: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return { lo, hi };
}

/** Each channel's least and greatest value (channel-last values, NaN ignored). */
function channelRanges(values: Float32Array, c: number): [Float64Array, Float64Array] {
  const min = new Float64Array(c).fill(Infinity);
  const max = new Float64Array(c).fill(-Infinity);
  for (let p = 0; p < values.length; p += c) {
    for (let ch = 0; ch < c; ch++) {
      const v = values[p + ch];
      if (v < min[ch]) min[ch] = v;
      if (v > max[ch]) max[ch] = v;
    }
  }
  return [min, max];
}

/** Each channel's shift and multiplier onto 0–255: min-max (layer or channel), then the boost. */
function channelScales(values: Float32Array, c: number, normalize: 'layer' | 'channel', boost: number) {
  if (normalize === 'layer' && boost === 0) {
    // The default needs only the layer's range: one flat pass, no per-channel bookkeeping.
    const { lo, hi } = layerRange(values);
    return { lo: new Float64Array(c).fill(lo), scale: new Float64Array(c).fill(hi > lo ? 1 / (hi - lo) : 0) };
  }
  const [min, max] = channelRanges(values, c);
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
 * How one output kind stores a grid's pixels; {@link layOut} says which value goes where.
 * The per-pixel loops live here so that each stays monomorphic and tight; the layout, called
 * once per tile row, is shared.
 */
interface PixelWriter {
  /**
   * `n` pixels from pixel index `o` on: grey `(values[i + k·step] − lo) · scale`, gamma,
   * × 255 (`step` 0 repeats one value: a fully connected unit's block).
   */
  run(values: Float32Array, i: number, step: number, n: number, o: number, lo: number, scale: number): void;
  /** One pixel in an RGB colour (a highlight border). */
  set(o: number, color: readonly number[]): void;
}

/** RGB float32, three values a pixel: {@link tileArrays}. */
class RgbWriter implements PixelWriter {
  readonly out: Float32Array;
  constructor(pixels: number, fill: number, private readonly gamma: number) {
    this.out = new Float32Array(pixels * 3).fill(fill);
  }
  run(values: Float32Array, i: number, step: number, n: number, o: number, lo: number, scale: number): void {
    const { out, gamma } = this;
    for (let p = o * 3, end = (o + n) * 3; p < end; p += 3, i += step) {
      const u = (values[i] - lo) * scale;
      const g = gamma === 1 ? u * 255 : u ** gamma * 255;
      out[p] = g;
      out[p + 1] = g;
      out[p + 2] = g;
    }
  }
  set(o: number, color: readonly number[]): void {
    this.out.set(color, o * 3);
  }
}

/** A 0–255 value as a byte: `Math.round` clamped to 0–255 (NaN → 0). */
const toByte = (v: number) => (v > 255 ? 255 : v > 0 ? (v + 0.5) | 0 : 0);

/**
 * RGBA bytes, one Uint32 store a pixel: `0xff000000 | b·0x010101` is opaque grey `b` on a
 * little-endian machine (every platform TF.js runs on), written over the bytes' buffer.
 */
class RgbaWriter implements PixelWriter {
  readonly bytes: Uint8ClampedArray<ArrayBuffer>;
  private readonly words: Uint32Array;
  /** Bytes by table rather than a pow per pixel; null for gamma 1. */
  private readonly gamma: GammaBytes | null;
  constructor(pixels: number, fill: number, gamma: number) {
    this.bytes = new Uint8ClampedArray(pixels * 4);
    this.words = new Uint32Array(this.bytes.buffer);
    this.words.fill(0xff000000 | (toByte(fill) * 0x010101));
    this.gamma = gamma === 1 ? null : new GammaBytes(gamma);
  }
  run(values: Float32Array, i: number, step: number, n: number, o: number, lo: number, scale: number): void {
    const { words, gamma } = this;
    for (let end = o + n; o < end; o++, i += step) {
      const u = (values[i] - lo) * scale;
      words[o] = 0xff000000 | ((gamma ? gamma.of(u) : toByte(u * 255)) * 0x010101);
    }
  }
  set(o: number, [r, g, b]: readonly number[]): void {
    this.words[o] = 0xff000000 | (toByte(b) << 16) | (toByte(g) << 8) | toByte(r);
  }
}

/**
 * The grid layout shared by both outputs: each channel's scale, each tile row's source and
 * destination, then the borders. Tiles are the map itself (`th = h`) or the block of one fully
 * connected unit (`h = w = 1`: its one value repeated, step 0).
 */
function layOut<W extends PixelWriter>(values: Float32Array, spec: GridSpec, writer: W): W {
  const { h, w, c, th, tw, padding, cols, width } = spec;
  const { lo, scale } = channelScales(values, c, spec.normalize, spec.boost);
  const block = h !== th;
  // Where each channel's tile starts (a pixel index).
  const start = new Int32Array(c);
  for (let ch = 0; ch < c; ch++) start[ch] = (padding + Math.floor(ch / cols) * (th + padding)) * width + padding + (ch % cols) * (tw + padding);
  // Row by row of the map, then channel by channel along it: reads stride c but stay within
  // one map row (in cache), writes run on. (Channel-outer order would read the whole layer
  // from memory once per channel when it outgrows the cache.)
  for (let y = 0; y < th; y++) {
    for (let ch = 0; ch < c; ch++) writer.run(values, block ? ch : y * w * c + ch, block ? 0 : c, tw, start[ch] + y * width, lo[ch], scale[ch]);
  }
  const t = Math.max(padding, 1);
  for (const { origin: [y0, x0], color } of spec.borders) {
    const [top, left, bottom, right] = [y0 - padding, x0 - padding, y0 + th + padding, x0 + tw + padding];
    for (let y = top; y < bottom; y++) {
      const inner = y >= top + t && y < bottom - t;
      for (let x = left; x < right; x++) {
        if (inner && x >= left + t && x < right - t) continue;
        writer.set(y * width + x, color);
      }
    }
  }
  return writer;
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
  return layOut(values, spec, new RgbWriter(spec.height * spec.width, spec.fill, spec.gamma)).out;
}

/**
 * The same grid as {@link tileArrays} as RGBA bytes (alpha 255, row-major): each byte is the
 * RGB value rounded and clamped to 0–255. Ready for `new ImageData(bytes, width, height)`.
 *
 * @example
 * ```ts
 * const bytes = tileArraysRgba(map.dataSync() as Float32Array, spec);   // spec.height × spec.width × 4
 * ```
 */
export function tileArraysRgba(values: Float32Array, spec: GridSpec): Uint8ClampedArray<ArrayBuffer> {
  return layOut(values, spec, new RgbaWriter(spec.height * spec.width, spec.fill, spec.gamma)).bytes;
}
