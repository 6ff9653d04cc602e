import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption } from '../errors';
import { checkPixels } from '../net/check-pixels';
import type { Net } from '../net/types';
import { feedsInto } from '../net/upstream';
import { backward } from './backward';
import { attributionMethod } from './method';
import type { AttributionOptions } from './types';
import { checkUnit, unitProblem, unitScore, type UnitAt, type UnitRef } from './unit';

/** Options for {@link gradCam} and {@link gradCamPlusPlus}: the unit, and the layer of maps weighed. */
export interface GradCamOptions {
  /** The layer of maps `[n, h, w, c]` to weigh; the last convolutional one is the usual choice. */
  camLayer: string;
  /** The unit's layer. Default `net.logits`. */
  layer?: string;
  /** The unit (on the logits, a class). */
  channel: number;
  /** Where on the unit's map, when its layer has maps (see {@link UnitAt}). Default `'max'`. */
  at?: UnitAt;
  /** `'input'` (default): resized bilinearly to the image's size; `'layer'`: the layer's own `h × w`. */
  resolution?: 'input' | 'layer';
}

/**
 * The maps `A` of `camLayer` and the gradient of the unit's score with respect to them, from
 * one forward and one backward that stops at that layer (a zero added there through
 * `net.forward`'s `add` option has the maps' gradient as its own). `perChannel`: the gradient
 * summed over space `[n, 1, 1, c]`, all Grad-CAM needs; else the whole `[n, h, w, c]`.
 */
function camParts(net: Net, x: tf.Tensor4D, what: string, options: GradCamOptions, perChannel: boolean): { maps: tf.Tensor4D; grads: tf.Tensor4D } {
  const { camLayer, layer = net.logits, channel, at = 'max' } = options ?? ({} as GradCamOptions);
  checkOption(typeof camLayer === 'string', 'camLayer', 'a layer name (see net.describe())', camLayer);
  const unit: UnitRef = { layer, channel, at };
  checkUnit(net, unit);
  if (!feedsInto(net.layers, net.layer(camLayer).name, net.layer(layer).name)) {
    throw new DeepvisError('BAD_OPTION', `The unit's layer '${layer}' is not computed from camLayer '${camLayer}'; ${what} needs a unit after the maps (such as a class) or an earlier camLayer.`);
  }
  // The maps' shape from the layer table; a graph net's table has no shapes, so one forward finds it there.
  let mapShape = net.layer(camLayer).outputShape.map((d) => d ?? -1);
  // The whole gradient needs the maps' size at this image size, which the table gives only at the net's own.
  const ownSize = net.inputShape[0] === x.shape[1] && net.inputShape[1] === x.shape[2];
  if (mapShape.length === 0 || (!perChannel && (mapShape.includes(-1) || !ownSize))) {
    const probe = net.forward(x, { taps: [camLayer, layer] });
    const problem = unitProblem(probe[layer].shape, unit);
    mapShape = probe[camLayer].shape.slice(1);
    tf.dispose(probe);
    if (problem) throw problem;
  }
  if (mapShape.length !== 3) throw new DeepvisError('BAD_OPTION', `${what} needs a layer of maps [n, h, w, c]; '${camLayer}' gives ${mapShape.length === 1 ? 'a vector' : `rank ${mapShape.length + 1}`} per image. Choose a convolutional layer.`);
  const [h, w, c] = mapShape;
  return tf.tidy(() => {
    let maps: tf.Tensor | undefined;
    let problem: DeepvisError | undefined;
    const score = (d: tf.Tensor) => {
      const out = net.forward(x, { taps: [camLayer, layer], add: { [camLayer]: d } });
      maps = tf.keep(out[camLayer]);
      problem = unitProblem(out[layer].shape, unit);
      return problem ? tf.sum(tf.mul(out[layer], 0)) : (tf.sum(unitScore(out[layer], unit)) as tf.Scalar);
    };
    const n = x.shape[0];
    const grads = tf.grad(score)(tf.zeros(perChannel ? [n, 1, 1, c] : [n, h, w, c])) as tf.Tensor4D;
    if (problem) {
      maps?.dispose();
      throw problem;
    }
    return { maps: maps as tf.Tensor4D, grads };
  });
}

/** A `[n, h, w]` map at the layer's size, or resized bilinearly to the image's. */
function atResolution(cam: tf.Tensor3D, x: tf.Tensor4D, resolution: 'input' | 'layer'): tf.Tensor3D {
  if (resolution === 'layer') return cam;
  return tf.squeeze(tf.image.resizeBilinear(tf.expandDims(cam, 3) as tf.Tensor4D, [x.shape[1], x.shape[2]]), [3]) as tf.Tensor3D;
}

/** Runs a CAM: checks the options, casts the pixels, frees the parts. */
function cam(net: Net, pixels: tf.Tensor4D, what: string, options: GradCamOptions, perChannel: boolean, weigh: (maps: tf.Tensor4D, grads: tf.Tensor4D) => tf.Tensor3D): tf.Tensor3D {
  const { resolution = 'input' } = options ?? ({} as GradCamOptions);
  checkPixels(pixels, net, { finite: true });
  checkOption(resolution === 'input' || resolution === 'layer', 'resolution', "'input' or 'layer'", resolution);
  const x = pixels.dtype === 'float32' ? pixels : (tf.cast(pixels, 'float32') as tf.Tensor4D);
  try {
    const { maps, grads } = camParts(net, x, what, options, perChannel);
    try {
      return tf.tidy(() => atResolution(weigh(maps, grads), x, resolution));
    } finally {
      tf.dispose([maps, grads]);
    }
  } finally {
    if (x !== pixels) x.dispose();
  }
}

/**
 * Grad-CAM (Selvaraju et al. 2017): where in each image a unit's evidence lies, from one
 * layer's maps. Each channel k of `camLayer` is weighed by the mean over space of the unit
 * score's gradient with respect to it, `α_k = mean_ij ∂y/∂A_kij`, and the map is
 * `ReLU(Σ_k α_k A_k)`. One forward and one backward to `camLayer` (nothing goes down to the
 * pixels). Returns `[n, h, w]`, ≥ 0 and not normalized; {@link camImage} draws it over the
 * image. The caller owns it.
 *
 * @example
 * ```ts
 * const cam = gradCam(net, photo, { camLayer: 'leaky_re_lu_13', channel: 281 });   // [1, 224, 224]
 * const overlay = camImage(cam, photo);                                            // [224, 224, 3], 0–255
 * ```
 */
export function gradCam(net: Net, pixels: tf.Tensor4D, options: GradCamOptions): tf.Tensor3D {
  return cam(net, pixels, 'gradCam', options, true, (maps, grads) => {
    const [, h, w] = maps.shape;
    return tf.relu(tf.sum(tf.mul(tf.div(grads, h * w), maps), 3)) as tf.Tensor3D;
  });
}

/**
 * Grad-CAM++ (Chattopadhay et al. 2018): Grad-CAM whose channel weights count only the
 * positive gradients, each weighed so that several separate instances of the unit's evidence
 * all show: with `g = ∂y/∂A`, `α_kij = g² / (2g² + Σ_ab A_kab · g³)` (0 where that is 0/0), the
 * weights `w_k = Σ_ij α_kij · ReLU(g_kij)` and the map `ReLU(Σ_k w_k A_k)` (the paper's closed
 * form for an exponential of the score). Same cost as {@link gradCam}. Returns `[n, h, w]`,
 * ≥ 0; the caller owns it.
 *
 * @example
 * ```ts
 * const cam = gradCamPlusPlus(net, photo, { camLayer: 'leaky_re_lu_13', channel: 281 });
 * const overlay = camImage(cam, photo);
 * ```
 */
export function gradCamPlusPlus(net: Net, pixels: tf.Tensor4D, options: GradCamOptions): tf.Tensor3D {
  return cam(net, pixels, 'gradCamPlusPlus', options, false, (maps, g) => {
    const g2 = tf.square(g);
    const total = tf.sum(maps, [1, 2], true);
    const alpha = tf.divNoNan(g2, tf.add(tf.mul(g2, 2), tf.mul(total, tf.mul(g2, g))));
    const weights = tf.sum(tf.mul(alpha, tf.relu(g)), [1, 2], true);
    return tf.relu(tf.sum(tf.mul(weights, maps), 3)) as tf.Tensor3D;
  });
}

const RECTIFIERS = new Set(['relu', 'relu6', 'leakyRelu']);

/**
 * The layer Grad-CAM weighs when none is named: the last rectifier whose output is a map
 * `[h, w, c]` (the last map of any kind when none is a rectifier).
 *
 * @example
 * ```ts
 * defaultCamLayer(net);   // 'leaky_re_lu_15' on Darknet-Tiny
 * ```
 */
export function defaultCamLayer(net: Net): string {
  const maps = net.layers.filter((l) => l.outputShape.length === 3);
  const pick = maps.filter((l) => l.activation !== null && RECTIFIERS.has(l.activation)).pop() ?? maps.pop();
  if (!pick) throw new DeepvisError('UNSUPPORTED', "This net's layer table shows no layer of maps [h, w, c]: name one with option 'camLayer'.");
  return pick.name;
}

/** The unit-and-options form the registry passes, as {@link GradCamOptions}. */
function camOptions(net: Net, target: UnitRef, options: AttributionOptions): GradCamOptions {
  return { ...target, camLayer: options.camLayer ?? defaultCamLayer(net) };
}

/** Grad-CAM in the registry (`'gradcam'`). */
export const GRAD_CAM = attributionMethod({
  name: 'gradcam', label: 'Grad-CAM', kind: 'coarse', gradient: true, reads: ['camLayer'],
  values: (net, pixels, target, options) => gradCam(net, pixels, camOptions(net, target, options)),
});

/** Grad-CAM++ in the registry (`'gradcam++'`). */
export const GRAD_CAM_PLUS_PLUS = attributionMethod({
  name: 'gradcam++', label: 'Grad-CAM++', kind: 'coarse', gradient: true, reads: ['camLayer'],
  values: (net, pixels, target, options) => gradCamPlusPlus(net, pixels, camOptions(net, target, options)),
});

/** Guided Grad-CAM in the registry (`'guided-gradcam'`): guided backprop's detail kept where Grad-CAM (scaled to a largest value of 1 per image) is hot. */
export const GUIDED_GRAD_CAM = attributionMethod({
  name: 'guided-gradcam', label: 'Guided Grad-CAM', kind: 'signed', gradient: true, reads: ['camLayer'],
  values: (net, pixels, target, options) => {
    const map = gradCam(net, pixels, camOptions(net, target, options));
    const guided = backward(net, pixels, { ...target, mode: 'guided' });
    try {
      return tf.tidy(() => tf.mul(guided, tf.expandDims(tf.divNoNan(map, tf.max(map, [1, 2], true)), 3)));
    } finally {
      tf.dispose([map, guided]);
    }
  },
});
