/** Buckets of the table over u ∈ [0, 1): 4 KiB, and past the first few buckets each spans at most a byte or two. */
const BUCKETS = 4096;

/**
 * `Math.round(255 · u^γ)` clamped to 0–255, without a pow per pixel (the pow is ~80% of the
 * time of a grid with gamma). The byte is at least k exactly when u ≥ ((k − ½) / 255)^(1/γ),
 * so it counts the thresholds at or below u: a table gives the count at the start of u's
 * bucket and a short scan finishes it. (It can differ from the pow only where 255 · u^γ is
 * within rounding error of a half.)
 *
 * @example
 * ```ts
 * const bytes = new GammaBytes(0.5);
 * bytes.of(0.25);   // 128 (255 · √0.25 = 127.5)
 * ```
 */
export class GammaBytes {
  /** `least[k]`: the least u whose byte is k or more; `least[256]` = ∞ ends every scan. */
  private readonly least = new Float64Array(257);
  /** The byte at the start of each bucket. */
  private readonly first = new Uint8Array(BUCKETS);

  constructor(gamma: number) {
    for (let k = 1; k < 256; k++) this.least[k] = ((k - 0.5) / 255) ** (1 / gamma);
    this.least[256] = Infinity;
    for (let j = 0, b = 0; j < BUCKETS; j++) {
      while (this.least[b + 1] <= j / BUCKETS) b++;
      this.first[j] = b;
    }
  }

  /** The byte of u (u ≤ 0 and NaN give 0, u ≥ 1 gives 255). */
  of(u: number): number {
    if (!(u > 0)) return 0;
    if (u >= 1) return 255;
    let b = this.first[(u * BUCKETS) | 0];
    while (u >= this.least[b + 1]) b++;
    return b;
  }
}
