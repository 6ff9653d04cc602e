import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption } from '../errors';
import { checkPixels } from '../net/check-pixels';
import { feedsInto } from '../net/upstream';
import type { Net } from '../net/types';
import { lastAxisChannel } from './attribution-parts';

/** Options for {@link gradCam}. */
export interface GradCamOptions {
  /** The layer of maps `[n, h, w, c]` to weigh; the last convolutional one is the usual choice. */
  layer: string;
  /** The unit of `target` to explain: on the logits, a class. */
  channel: number;
  /** The layer of that unit. Default `net.logits`. On a map, the unit's score is its channel summed over space. */
  target?: string;
  /** `'input'` (default): resized bilinearly to the image's size; `'layer'`: the layer's own `h × w`. */
  size?: 'input' | 'layer';
}

/**
 * Grad-CAM (Selvaraju et al. 2017): where in each image a unit's evidence lies, from one
 * layer's maps. Each channel k of `layer` is weighed by the mean over space of the unit
 * score's gradient with respect to it, `α_k = mean_ij ∂y/∂A_kij`, and the map is
 * `ReLU(Σ_k α_k A_k)`. One forward and one backward to `layer` (a zero added per channel
 * there through `net.forward`'s `add` option has `Σ_ij ∂y/∂A_kij` as its gradient; nothing goes
 * down to the pixels). Returns `[n, h, w]`, ≥ 0 and
 * not normalized; {@link camImage} draws it over the image. The caller owns it.
 *
 * @example
 * ```ts
 * const cam = gradCam(net, photo, { layer: 'leaky_re_lu_13', channel: 281 });   // [1, 224, 224]
 * const overlay = camImage(cam, photo);                                         // [224, 224, 3], 0–255
 * ```
 */
export function gradCam(net: Net, pixels: tf.Tensor4D, options: GradCamOptions): tf.Tensor3D {
  const { layer, channel, target = net.logits, size = 'input' } = options ?? ({} as GradCamOptions);
  checkPixels(pixels, net, { finite: true });
  checkOption(typeof layer === 'string', 'layer', 'a layer name (see net.describe())', layer);
  checkOption(typeof target === 'string', 'target', 'a layer name (see net.describe())', target);
  checkOption(size === 'input' || size === 'layer', 'size', "'input' or 'layer'", size);
  checkOption(Number.isInteger(channel) && channel >= 0, 'channel', 'an integer ≥ 0', channel);
  // The map's channels and the target's units from the layer table; a graph net's table has no
  // shapes, so one forward finds them there.
  const [mapShape, targetShape] = [net.layer(layer).outputShape, net.layer(target).outputShape];
  const x = pixels.dtype === 'float32' ? pixels : (tf.cast(pixels, 'float32') as tf.Tensor4D);
  let [rank, channels, units] = [mapShape.length + 1, mapShape[mapShape.length - 1], targetShape[targetShape.length - 1]];
  try {
    if (mapShape.length === 0 || targetShape.length === 0) {
      const probe = net.forward(x, { taps: [layer, target] });
      [rank, channels, units] = [probe[layer].rank, probe[layer].shape[probe[layer].rank - 1], probe[target].shape[probe[target].rank - 1]];
      tf.dispose(probe);
    }
    if (rank !== 4) throw new DeepvisError('BAD_OPTION', `gradCam needs a layer of maps [n, h, w, c]; '${layer}' gives ${rank - 1 === 1 ? 'a vector' : `rank ${rank}`} per image. Choose a convolutional layer.`);
    if (!feedsInto(net.layers, net.layer(layer).name, net.layer(target).name)) {
      throw new DeepvisError('BAD_OPTION', `Option 'target' '${target}' is not computed from layer '${layer}'; Grad-CAM needs a target after the layer (such as the logits) or an earlier layer.`);
    }
    if (channel >= units!) throw new DeepvisError('OUT_OF_RANGE', `Channel ${channel} is out of range: layer '${target}' has ${units} channels (0…${units! - 1}).`);
    return tf.tidy(() => {
      // One pass: a zero added per channel at `layer` has the unit's gradient summed over space
      // as its own gradient, which is all Grad-CAM weighs; the maps come out of the same pass.
      let maps: tf.Tensor | undefined;
      const score = (d: tf.Tensor) => {
        const out = net.forward(x, { taps: [layer, target], add: { [layer]: d } });
        maps = tf.keep(out[layer]);
        return tf.sum(lastAxisChannel(out[target], channel)) as tf.Scalar;
      };
      const g = tf.grad(score)(tf.zeros([x.shape[0], 1, 1, channels!]));
      const a = maps!;
      const [, h, w] = a.shape;
      const cam = tf.relu(tf.sum(tf.mul(tf.div(g, h! * w!), a), 3)) as tf.Tensor3D;
      a.dispose();
      if (size === 'layer') return cam;
      return tf.squeeze(tf.image.resizeBilinear(tf.expandDims(cam, 3) as tf.Tensor4D, [x.shape[1], x.shape[2]]), [3]) as tf.Tensor3D;
    });
  } finally {
    if (x !== pixels) x.dispose();
  }
}

/** Options for {@link camImage}. */
export interface CamImageOptions {
  /** How much of the heat map shows over the image, 0–1. Default 0.5 (1 without an image). */
  alpha?: number;
}

/**
 * One image's class-activation map (from {@link gradCam}, `[1, h, w]` or `[h, w]`) as an RGB
 * `[h, w, 3]` float32 image 0–255: scaled so its largest value is 1, coloured blue (0) →
 * cyan → yellow → red (1) with the classic "jet" ramp, and blended over `pixels`
 * (`[1, h, w, 3]` or `[h, w, 3]`, 0–255, the map's size) when given. The caller owns it.
 *
 * @example
 * ```ts
 * const overlay = camImage(gradCam(net, photo, { layer: 'leaky_re_lu_13', channel: 281 }), photo, { alpha: 0.6 });
 * await tf.browser.toPixels(tf.div(overlay, 255) as tf.Tensor3D, canvas);
 * ```
 */
export function camImage(cam: tf.Tensor, pixels?: tf.Tensor, options: CamImageOptions = {}): tf.Tensor3D {
  const { alpha = pixels ? 0.5 : 1 } = options;
  checkOption(Number.isFinite(alpha) && alpha >= 0 && alpha <= 1, 'alpha', 'a number from 0 to 1', alpha);
  if (!cam || !Array.isArray(cam.shape)) throw new DeepvisError('BAD_VALUE', `Expected a tf.Tensor map; got ${typeof cam}.`);
  if (!(cam.rank === 2 || (cam.rank === 3 && cam.shape[0] === 1))) {
    throw new DeepvisError('BAD_SHAPE', `Expected one image's map [1, h, w] or [h, w]; got shape [${cam.shape.join(', ')}]. Slice one image out of a batch first.`);
  }
  const [h, w] = cam.shape.slice(-2);
  if (pixels) {
    const p = pixels.shape;
    const ok = (pixels.rank === 3 || (pixels.rank === 4 && p[0] === 1)) && p[p.length - 3] === h && p[p.length - 2] === w && p[p.length - 1] === 3;
    if (!ok) throw new DeepvisError('BAD_SHAPE', `Expected the image as [1, ${h}, ${w}, 3] or [${h}, ${w}, 3] (the map's size); got shape [${p.join(', ')}].`);
  }
  return tf.tidy(() => {
    const m = tf.reshape(tf.cast(cam, 'float32'), [h, w, 1]);
    const u = tf.divNoNan(m, tf.max(m));
    // Jet: each channel a tent 1.5 − |4u − c| clipped to [0, 1], centred at c = 3 (red), 2, 1 (blue).
    const tent = (c: number) => tf.clipByValue(tf.sub(1.5, tf.abs(tf.sub(tf.mul(u, 4), c))), 0, 1);
    const heat = tf.mul(tf.concat([tent(3), tent(2), tent(1)], 2), 255);
    if (!pixels) return tf.mul(heat, alpha) as tf.Tensor3D;
    const image = tf.reshape(tf.cast(pixels, 'float32'), [h, w, 3]);
    return tf.add(tf.mul(image, 1 - alpha), tf.mul(heat, alpha)) as tf.Tensor3D;
  });
}
