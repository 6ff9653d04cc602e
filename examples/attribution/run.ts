// Where does the model look? For each photo: the photo, then every registered attribution
// method (ATTRIBUTION_METHODS, in its order) and SmoothGrad of the gradient, all from the
// model's top class, as one PNG sheet (a row per photo).
import * as tf from '@tensorflow/tfjs-core';
import { ATTRIBUTION_METHODS, attributionMethodNamed, montage, smoothGrad, topPredictions, type AttributionMethod, type Net } from '../../src/index';

/** One photo's row: the panels, each `[size, size, 3]` 0–255, their titles, and what the model saw. */
export interface AttributionRow {
  readonly panels: tf.Tensor3D[];
  readonly titles: string[];
  readonly label: string;
  readonly probability: number;
}

/** The methods of a row, in column order after the photo. */
export function rowMethods(samples: number): AttributionMethod[] {
  return [...ATTRIBUTION_METHODS, smoothGrad(attributionMethodNamed('gradient'), { samples })];
}

/** The panels for one `[1, s, s, 3]` photo, explaining its top class (CAMs weigh `camLayer`'s maps). */
export async function attributionRow(net: Net, photo: tf.Tensor4D, camLayer: string, samples: number, labels?: readonly string[]): Promise<AttributionRow> {
  const [top] = topPredictions(net, photo, 1, labels);
  const target = { layer: net.logits, channel: top.index };
  const side = photo.shape[1];
  const options = { camLayer, steps: samples, window: Math.round(side / 6), stride: Math.round(side / 10) };
  const panels = [tf.squeeze(photo, [0]) as tf.Tensor3D];
  const methods = rowMethods(samples);
  for (const method of methods) {
    const a = await method.run(net, photo, target, options);
    // Each signal scaled by its 99th percentile, as Smilkov et al. show them: a few extreme
    // pixels would otherwise leave the rest dark.
    panels.push(method.draw(a, photo, { percentile: 99 }));
    a.values.dispose();
  }
  return { panels, titles: ['photo', ...methods.map((m) => m.label)], label: top.label, probability: top.probability };
}

/** The rows stacked into one sheet, 8 px apart. The caller owns it; the rows' panels are disposed. */
export function attributionSheet(rows: readonly AttributionRow[]): tf.Tensor3D {
  const sheet = montage(rows.flatMap((r) => r.panels), { cols: rows[0].panels.length, gap: 8 });
  tf.dispose(rows.flatMap((r) => r.panels));
  return sheet;
}
