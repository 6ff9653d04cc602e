import * as tf from '@tensorflow/tfjs-core';
import { withGradients } from '../backends/tfjs-internals';
import { ruledGradient, type Activation } from './activations';
import type { BackwardRule } from './types';

/** The rectifier kernels a GraphModel runs (fused activations too, which tfjs unfuses under a gradient), as activations. */
const RECTIFIER_KERNELS: Record<string, (attrs: tf.NamedAttrMap) => Activation> = {
  Relu: () => ({ kind: 'relu' }),
  Relu6: () => ({ kind: 'relu6', max: 6 }),
  LeakyRelu: (attrs) => ({ kind: 'leakyRelu', alpha: attrs.alpha as number }),
};

/**
 * Runs `f` (a GraphModel's forward) with the rectifier kernels' gradients following `rule`,
 * and puts tfjs's own back before returning, however `f` ends. The tape takes each op's
 * gradient function when the op runs, so what `f` records keeps the rule for the backward
 * pass that follows, and nothing else sees it.
 *
 * @example
 * ```ts
 * const y = withRuledRectifiers('guided', () => model.execute({ input: x }, ['logits']) as tf.Tensor);
 * ```
 */
export function withRuledRectifiers<T>(rule: Exclude<BackwardRule, 'gradient'>, f: () => T): T {
  return withGradients(Object.entries(RECTIFIER_KERNELS).map(([kernelName, activation]) => ({
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], [x]: tf.Tensor[], attrs: tf.NamedAttrMap) => ({ x: () => ruledGradient(dy as tf.Tensor, x, activation(attrs), rule) }),
  })), f);
}
