import { DeepvisError } from '../errors';
import type { LayerInfo, Net } from './types';

/** `true` for a layer whose output is a map `[h, w, c]` (the input layer aside). */
export const isSpatial = (l: LayerInfo): boolean => l.outputShape.length === 3 && l.className !== 'InputLayer';
const isRectifier = (l: LayerInfo) => l.activation === 'relu' || l.activation === 'relu6' || l.activation === 'leakyRelu';

/**
 * The layers a grid of units can show: maps `[h, w, c]` and vectors `[n]` (the input layer
 * aside), in the net's order.
 *
 * @example
 * ```ts
 * for (const l of viewableLayers(net)) console.log(l.name, l.outputShape);
 * ```
 */
export function viewableLayers(net: Net): LayerInfo[] {
  return net.layers.filter((l) => isSpatial(l) || (l.outputShape.length === 1 && l.className !== 'InputLayer'));
}

/**
 * Layers worth showing as activation grids: the spatial layers that end in a rectifier
 * (every spatial layer if none do), at most `max`, spread evenly from first to last.
 *
 * @example
 * ```ts
 * const four = showcaseLayers(net, 4); // Darknet-Tiny: from leaky_re_lu_1 to leaky_re_lu_13
 * ```
 */
export function showcaseLayers(net: Net, max: number): string[] {
  const spatial = net.layers.filter(isSpatial);
  const rect = spatial.filter(isRectifier);
  const pool = rect.length > 0 ? rect : spatial;
  if (pool.length <= max) return pool.map((l) => l.name);
  return Array.from({ length: max }, (_, i) => pool[Math.round((i * (pool.length - 1)) / (max - 1 || 1))].name);
}

/**
 * The last spatial rectifier layer (or spatial layer): where units are most "semantic" yet
 * still have positions. A net without maps throws UNSUPPORTED.
 *
 * @example
 * ```ts
 * const layer = lastSpatialLayer(net); // Darknet-Tiny: 'leaky_re_lu_13'
 * ```
 */
export function lastSpatialLayer(net: Net): string {
  const layers = showcaseLayers(net, Number.MAX_SAFE_INTEGER);
  if (layers.length === 0) throw new DeepvisError('UNSUPPORTED', 'This model has no spatial layers (no [h, w, c] maps) to show.');
  return layers[layers.length - 1];
}

/**
 * The layer a viewer opens on: the middle one of the spatial rectifier layers (units with
 * parts of objects, maps still large enough to see), else the last viewable layer.
 *
 * @example
 * ```ts
 * const layer = defaultViewerLayer(net); // Darknet-Tiny: 'leaky_re_lu_7'
 * ```
 */
export function defaultViewerLayer(net: Net): string {
  const rect = showcaseLayers(net, Number.MAX_SAFE_INTEGER);
  if (rect.length > 0) return rect[Math.floor(rect.length / 2)];
  const all = viewableLayers(net);
  if (all.length === 0) throw new DeepvisError('UNSUPPORTED', 'This model has no layer a grid can show (no [h, w, c] maps or [n] vectors).');
  return all[all.length - 1].name;
}
