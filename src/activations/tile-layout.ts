import { DeepvisError, checkOption } from '../errors';

/** Where each channel's tile sits in a grid made by {@link tileActivations}. */
export interface TileLayout {
  /** Tiles per row: `ceil(sqrt(channels))`. */
  readonly cols: number;
  /** Rows of tiles: `ceil(channels / cols)`. */
  readonly rows: number;
  /** Grid width in pixels, padding included (also around the outside). */
  readonly width: number;
  /** Grid height in pixels, padding included (also around the outside). */
  readonly height: number;
  /** The top-left pixel `[y, x]` of channel `c`'s tile. */
  origin(c: number): [number, number];
  /** The channel whose tile covers pixel `(y, x)`, or `null` on padding, empty slots or outside. */
  channelAt(y: number, x: number): number | null;
}

/** Options for {@link tileLayout}. */
export interface TileLayoutOptions {
  /** Pixels between tiles and around the grid. Default 1. */
  padding?: number;
}

/**
 * The geometry of a near-square, row-major grid of `channels` tiles of `tileHeight ×
 * tileWidth` pixels with `padding` pixels between tiles and around the outside: the
 * toolbox's layout (`cols = ceil(sqrt(n))`, `rows = ceil(n / cols)`). Pure numbers, so a
 * viewer can map a click to a unit without touching tensors.
 *
 * @example
 * ```ts
 * const grid = tileLayout(16, 8, 8);          // 4 × 4 tiles, 37 × 37 pixels
 * grid.origin(5);                              // [10, 10]
 * grid.channelAt(12, 20);                      // 6
 * grid.channelAt(0, 0);                        // null (padding)
 * ```
 */
export function tileLayout(channels: number, tileHeight: number, tileWidth: number, options: TileLayoutOptions = {}): TileLayout {
  const padding = options.padding ?? 1;
  checkOption(Number.isInteger(channels) && channels >= 1, 'channels', 'an integer ≥ 1', channels);
  checkOption(Number.isInteger(tileHeight) && tileHeight >= 1, 'tileHeight', 'an integer ≥ 1', tileHeight);
  checkOption(Number.isInteger(tileWidth) && tileWidth >= 1, 'tileWidth', 'an integer ≥ 1', tileWidth);
  checkOption(Number.isInteger(padding) && padding >= 0, 'padding', 'an integer ≥ 0', padding);
  const cols = Math.ceil(Math.sqrt(channels));
  const rows = Math.ceil(channels / cols);
  const stepY = tileHeight + padding;
  const stepX = tileWidth + padding;
  const width = cols * stepX + padding;
  const height = rows * stepY + padding;
  return {
    cols,
    rows,
    width,
    height,
    origin(c) {
      if (!Number.isInteger(c) || c < 0 || c >= channels) {
        throw new DeepvisError('OUT_OF_RANGE', `Channel ${c} is out of range: this grid has channels 0…${channels - 1}.`);
      }
      return [padding + Math.floor(c / cols) * stepY, padding + (c % cols) * stepX];
    },
    channelAt(y, x) {
      const py = Math.floor(y) - padding;
      const px = Math.floor(x) - padding;
      if (!(py >= 0 && px >= 0)) return null;
      const r = Math.floor(py / stepY);
      const col = Math.floor(px / stepX);
      if (r >= rows || col >= cols || py - r * stepY >= tileHeight || px - col * stepX >= tileWidth) return null;
      const c = r * cols + col;
      return c < channels ? c : null;
    },
  };
}
