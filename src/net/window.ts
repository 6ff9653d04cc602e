// The window arithmetic of convolutions and pools along one axis, as tfjs computes it: the
// one place deepvis derives output sizes and paddings.
import type { LayerGeometry } from './types';

/**
 * Output size and the padding before the first position along one axis of `size` for a
 * window of `kernel` (its effective span when dilated) moved by `stride`, with tfjs's
 * `'same'` (output ⌈size / stride⌉, the padding split with the odd one after), `'valid'`, or
 * explicit `[before, after]` padding.
 *
 * @example
 * ```ts
 * windowAxis(224, 3, 2, 'same');   // { out: 112, before: 0 }
 * windowAxis(10, 3, 1, [1, 1]);    // { out: 10, before: 1 }
 * ```
 */
export function windowAxis(size: number, kernel: number, stride: number, padding: 'same' | 'valid' | readonly [number, number]): { out: number; before: number } {
  if (padding === 'same') {
    const out = Math.ceil(size / stride);
    return { out, before: Math.floor(Math.max((out - 1) * stride + kernel - size, 0) / 2) };
  }
  const [before, after] = padding === 'valid' ? [0, 0] : padding;
  return { out: Math.floor((size + before + after - kernel) / stride) + 1, before };
}

/**
 * The span of a window of `kernel` taps `dilation` apart: `(kernel − 1)·dilation + 1`.
 *
 * @example
 * ```ts
 * windowSpan(3, 2);   // 5
 * ```
 */
export function windowSpan(kernel: number, dilation: number): number {
  return (kernel - 1) * dilation + 1;
}

/**
 * {@link windowAxis} for a windowed layer along one axis (0: rows, 1: columns) at input
 * length `size`: its span ({@link windowSpan}), stride and that axis's padding. An output ≤ 0 means an empty map.
 *
 * @example
 * ```ts
 * layerWindow({ kernel: [3, 3], strides: [2, 2], dilations: [1, 1], padding: 'same' }, 0, 224);   // { out: 112, before: 0 }
 * ```
 */
export function layerWindow(g: LayerGeometry, axis: 0 | 1, size: number): { out: number; before: number } {
  return windowAxis(size, windowSpan(g.kernel[axis], g.dilations[axis]), g.strides[axis], typeof g.padding === 'string' ? g.padding : g.padding[axis]);
}
