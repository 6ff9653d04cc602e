// The window arithmetic of convolutions and pools along one axis, as tfjs computes it: the
// one place deepvis derives output sizes and paddings.

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
