// Line charts as RGB images for the report pages (no fonts: the page's HTML carries the
// labels and the legend, in the same colours).
import * as tf from '@tensorflow/tfjs-core';

/** One line: its values at equal steps along x, and its colour. */
export interface Series {
  readonly values: readonly number[];
  readonly color: readonly [number, number, number];
}

/** Distinct colours for up to twelve lines (Tableau's palette), repeated beyond. */
export const LINE_COLORS: readonly (readonly [number, number, number])[] = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75],
  [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207], [0, 0, 0], [255, 187, 120],
];

/**
 * The series drawn over `[lo, hi]` on y (grid lines at quarters, a darker one at 0 when in
 * range) as an RGB `[height, width, 3]` image 0–255. The caller owns it.
 */
export function lineChart(series: readonly Series[], lo: number, hi: number, width = 480, height = 240): tf.Tensor3D {
  const px = new Uint8Array(width * height * 3).fill(255);
  const pad = 8;
  const set = (x: number, y: number, [r, g, b]: readonly number[]) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const i = (Math.round(y) * width + Math.round(x)) * 3;
    px[i] = r;
    px[i + 1] = g;
    px[i + 2] = b;
  };
  const toY = (v: number) => pad + (1 - (Math.min(Math.max(v, lo), hi) - lo) / (hi - lo || 1)) * (height - 2 * pad);
  for (let q = 0; q <= 4; q++) {
    const v = lo + (q / 4) * (hi - lo);
    const grey = Math.abs(v) < 1e-9 ? [120, 120, 120] : [220, 220, 220];
    for (let x = pad; x < width - pad; x++) set(x, toY(v), grey);
  }
  for (const s of series) {
    const n = s.values.length;
    const toX = (i: number) => pad + (n > 1 ? i / (n - 1) : 0) * (width - 2 * pad);
    for (let i = 1; i < n; i++) {
      const [x0, y0, x1, y1] = [toX(i - 1), toY(s.values[i - 1]), toX(i), toY(s.values[i])];
      const steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1) * 2;
      for (let k = 0; k <= steps; k++) {
        const [x, y] = [x0 + ((x1 - x0) * k) / steps, y0 + ((y1 - y0) * k) / steps];
        set(x, y, s.color);
        set(x, y + 1, s.color);
      }
    }
    for (let i = 0; i < n; i++) for (let d = -2; d <= 2; d++) { set(toX(i) + d, toY(s.values[i]), s.color); set(toX(i), toY(s.values[i]) + d, s.color); }
  }
  return tf.tensor3d(px, [height, width, 3], 'int32');
}
