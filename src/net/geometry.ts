import type { LayerInfo } from './types';
import { layerWindow } from './window';

/**
 * The most bytes of layer outputs one forward pass may hold (every layer's float32 output,
 * summed over the batch). Past it a pass is refused with `TOO_LARGE` before anything is
 * allocated: the wasm backend's memory ends at 4 GiB and a backward pass holds about three
 * times the forward's outputs.
 */
export const FORWARD_BYTES_BUDGET = 1 << 30;

/** What a forward pass at one input size would make, from the layer table. */
export interface Footprint {
  /** The first layer whose map would be empty (0 rows or columns), and which axis. */
  readonly empty: { readonly layer: string; readonly size: readonly [number, number] } | null;
  /** Output values of every layer, per image. */
  readonly perImage: number;
}

/**
 * Walks the layer table at input `h × w`: each layer's map size (windowed layers by their
 * geometry, others keep their input's; layers without a table shape, as in a GraphModel, count
 * as their input's size and channels), the first empty map, and the values made per image.
 */
export function footprint(layers: readonly LayerInfo[], h: number, w: number, channels: number): Footprint {
  const sizes = new Map<string, { h: number; w: number; c: number } | null>();
  let empty: Footprint['empty'] = null;
  let perImage = 0;
  for (const l of layers) {
    const from = l.inputs.length === 0 ? { h, w, c: channels } : sizes.get(l.inputs[0]) ?? null;
    const shape = l.outputShape;
    let out: { h: number; w: number; c: number } | null = null;
    if (shape.length === 0 && from) {
      out = from;
    } else if (shape.length === 3 && from) {
      const g = l.geometry;
      out = g ? { h: layerWindow(g, 0, from.h).out, w: layerWindow(g, 1, from.w).out, c: shape[2] ?? from.c } : { ...from, c: shape[2] ?? from.c };
      if (!empty && (out.h < 1 || out.w < 1)) empty = { layer: l.name, size: [out.h, out.w] };
    }
    sizes.set(l.name, out);
    perImage += out ? Math.max(out.h, 0) * Math.max(out.w, 0) * out.c : shape.reduce<number>((p, d) => p * (d ?? 1), 1);
  }
  return { empty, perImage };
}

/** The smallest side (1 … 65536) for which `ok(side)` holds, given that it holds for every larger side. */
export function smallestSide(ok: (side: number) => boolean): number {
  let [lo, hi] = [1, 1 << 16];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ok(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
