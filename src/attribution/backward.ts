import * as tf from '@tensorflow/tfjs-core';
import { checkOption } from '../errors';
import { checkPixels } from '../net/check-pixels';
import type { BackwardRule, Net } from '../net/types';
import { attributionMethod } from './method';
import { checkUnit, unitProblem, unitScore, type UnitRef } from './unit';

/** Options for {@link backward}: the unit, and the rule at the rectifiers. */
export interface BackwardOptions extends UnitRef {
  /** How rectifiers pass the signal back: `'gradient'` (default), `'deconv'` or `'guided'`. */
  mode?: BackwardRule;
}

const MODES: readonly BackwardRule[] = ['gradient', 'deconv', 'guided'];

/**
 * The image-space signal from one unit back to the input: the gradient of the unit's score
 * (see {@link UnitAt}) with respect to the 0–255 RGB `pixels` `[n, h, w, 3]`, each image its
 * own, the same shape as `pixels`. `mode` picks the rule at every ReLU, ReLU6 and LeakyReLU of
 * the net, with forward input z and incoming signal g: `'gradient'` the true derivative;
 * `'deconv'` `max(g, 0)` (Zeiler & Fergus); `'guided'` `max(g, 0)` times the true derivative
 * (Springenberg et al.). Max-pooling routes through its switches and convolutions through their
 * transposes in every mode. The rules live only inside this call's forward pass: nothing global
 * changes, and a throw leaves no tensors behind. The caller owns the result.
 *
 * @example
 * ```ts
 * const g = backward(net, frame, { layer: 'leaky_re_lu_10', channel: 37, mode: 'guided' });
 * const picture = backwardImage(g, 'norm');
 * const toolbox = backward(net, frame, { layer: 'leaky_re_lu_10', channel: 37, at: 'energy', mode: 'deconv' });
 * ```
 */
export function backward(net: Net, pixels: tf.Tensor4D, options: BackwardOptions): tf.Tensor4D {
  const { mode = 'gradient', ...unit } = options ?? ({} as BackwardOptions);
  checkPixels(pixels, net, { finite: true });
  checkOption(MODES.includes(mode), 'mode', "'gradient', 'deconv' or 'guided'", mode);
  checkUnit(net, unit);
  return tf.tidy(() => {
    const x = pixels.dtype === 'float32' ? pixels : tf.cast(pixels, 'float32');
    let problem: ReturnType<typeof unitProblem>;
    const response = (px: tf.Tensor) => {
      const a = net.forward(px as tf.Tensor4D, { taps: [unit.layer], rule: mode })[unit.layer];
      problem = unitProblem(a.shape, unit);
      // On a problem, finish the pass on a dummy objective so the tape is released, then throw.
      return problem ? tf.sum(tf.mul(a, 0)) : (tf.sum(unitScore(a, unit)) as tf.Scalar);
    };
    const g = tf.grad(response)(x) as tf.Tensor4D;
    if (problem) throw problem;
    return g;
  });
}

/** The three backward rules in the registry (`'gradient'`, `'deconv'`, `'guided'`): {@link backward}. */
export const [GRADIENT, DECONV, GUIDED] = ([['gradient', 'Gradient'], ['deconv', 'Deconvnet'], ['guided', 'Guided backprop']] as const).map(([mode, label]) =>
  attributionMethod({ name: mode, label, kind: 'signed', gradient: true, values: (net, pixels, target) => backward(net, pixels, { ...target, mode }) }));
