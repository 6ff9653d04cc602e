// Where does the model look? For each photo: the photo, guided backprop, SmoothGrad of the
// gradient, Integrated Gradients, Grad-CAM over the photo, guided Grad-CAM (guided backprop ×
// the map) and occlusion over the photo, all from the model's top class, as one PNG sheet (a
// row per photo).
import * as tf from '@tensorflow/tfjs-core';
import { backward, backwardImage, camImage, gradCam, integratedGradients, montage, occlusion, smoothBackward, topPredictions, type Net } from '../../src/index';

/** One photo's row: the seven panels, each `[size, size, 3]` 0–255, and what the model saw. */
export interface AttributionRow {
  readonly panels: tf.Tensor3D[];
  readonly label: string;
  readonly probability: number;
}

/** The seven panels for one `[1, s, s, 3]` photo, explaining its top class from `layer`'s maps. */
export async function attributionRow(net: Net, photo: tf.Tensor4D, layer: string, samples: number, labels?: readonly string[]): Promise<AttributionRow> {
  const [top] = topPredictions(net, photo, 1, labels);
  const unit = { layer: net.logits, channel: top.index };
  const guided = backward(net, photo, { ...unit, mode: 'guided' });
  const smooth = await smoothBackward(net, photo, { ...unit, samples });
  const integrated = await integratedGradients(net, photo, { channel: top.index, steps: samples });
  const cam = gradCam(net, photo, { layer, channel: top.index });
  const side = photo.shape[1];
  const occluded = await occlusion(net, photo, { channel: top.index, window: Math.round(side / 6), stride: Math.round(side / 10) });
  const panels = tf.tidy(() => {
    const unitMap = tf.div(cam, tf.maximum(tf.max(cam), 1e-12));
    // Guided Grad-CAM: guided backprop's fine detail, kept where the coarse map is hot.
    const guidedCam = tf.mul(guided, tf.expandDims(unitMap, 3));
    // Each signal scaled by its 99th percentile, as Smilkov et al. show them: a few extreme
    // pixels would otherwise leave the rest dark.
    const show = (signal: tf.Tensor) => backwardImage(signal, 'norm', { percentile: 99 });
    return [
      tf.squeeze(photo, [0]) as tf.Tensor3D, show(guided), show(smooth), show(integrated), camImage(cam, photo), show(guidedCam),
      camImage(tf.relu(occluded.map), photo),
    ];
  });
  tf.dispose([guided, smooth, integrated, cam, occluded.map, occluded.drops]);
  return { panels, label: top.label, probability: top.probability };
}

/** The rows stacked into one sheet, 8 px apart. The caller owns it; the rows' panels are disposed. */
export function attributionSheet(rows: readonly AttributionRow[]): tf.Tensor3D {
  const sheet = montage(rows.flatMap((r) => r.panels), { cols: 7, gap: 8 });
  tf.dispose(rows.flatMap((r) => r.panels));
  return sheet;
}
