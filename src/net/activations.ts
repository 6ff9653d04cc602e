import * as tf from '@tensorflow/tfjs-core';
import { constant } from '../constant';
import type { ActivationKind, BackwardRule } from './types';

/** A nonlinearity with its parameters, as compiled from a layer config. */
export interface Activation {
  readonly kind: ActivationKind;
  /** LeakyReLU slope, ELU alpha. */
  readonly alpha?: number;
  /** Upper clip of a ReLU (6 for ReLU6). */
  readonly max?: number;
  /** Softmax axis. */
  readonly axis?: number;
}

/** Keras / tfjs activation identifiers to kinds; `undefined` means not compilable. */
export function activationFromIdentifier(id: string | undefined | null): Activation | undefined {
  switch ((id ?? 'linear').toLowerCase()) {
    case 'linear': return { kind: 'linear' };
    case 'relu': return { kind: 'relu' };
    case 'relu6': return { kind: 'relu6', max: 6 };
    case 'elu': return { kind: 'elu', alpha: 1 };
    case 'selu': return { kind: 'selu' };
    case 'softmax': return { kind: 'softmax', axis: -1 };
    case 'sigmoid': return { kind: 'sigmoid' };
    case 'hardsigmoid': case 'hard_sigmoid': return { kind: 'hardSigmoid' };
    case 'tanh': return { kind: 'tanh' };
    case 'swish': case 'silu': return { kind: 'swish' };
    case 'gelu': return { kind: 'gelu' };
    case 'softplus': return { kind: 'softplus' };
    case 'softsign': return { kind: 'softsign' };
    default: return undefined;
  }
}

/** True for the activations that backward rules change. */
export function isRectifier(kind: ActivationKind | null | undefined): boolean {
  return kind === 'relu' || kind === 'relu6' || kind === 'leakyRelu';
}

/**
 * LeakyReLU whose gradient is `dy · step(z, α)` ({@link rectifierSlope}): two kernels where
 * tfjs's own takes three (greater, multiply, select) over the whole activation.
 */
function leakyRelu(x: tf.Tensor, act: Activation): tf.Tensor {
  const op = tf.customGrad(((z: tf.Tensor, save: tf.GradSaveFunc) => {
    save([z]);
    return { value: tf.leakyRelu(z, act.alpha ?? 0.3), gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => tf.mul(dy, rectifierSlope(saved, act)) };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x);
}

/** The forward value of a rectifier. */
function rectify(x: tf.Tensor, act: Activation): tf.Tensor {
  if (act.kind === 'leakyRelu') return leakyRelu(x, act);
  if (act.kind === 'relu6') return tf.relu6(x);
  return act.max !== undefined ? tf.clipByValue(x, 0, act.max) : tf.relu(x);
}

/** The true derivative of a rectifier at z, as a mask of slopes: `step(z, α)` is 1 above 0, α (or 0) below. */
function rectifierSlope(z: tf.Tensor, act: Activation): tf.Tensor {
  let slope = tf.step(z, act.kind === 'leakyRelu' ? act.alpha ?? 0.3 : 0);
  const max = act.kind === 'relu6' ? 6 : act.max;
  if (max !== undefined) slope = tf.mul(slope, tf.cast(tf.less(z, constant(max)), 'float32'));
  return slope;
}

/**
 * What a rectifier with forward input z passes back under `rule`: deconv `max(dy, 0)`, guided
 * `max(dy, 0)` times the true derivative.
 */
export function ruledGradient(dy: tf.Tensor, z: tf.Tensor, act: Activation, rule: Exclude<BackwardRule, 'gradient'>): tf.Tensor {
  const positive = tf.relu(dy);
  return rule === 'deconv' ? positive : tf.mul(positive, rectifierSlope(z, act));
}

/** A rectifier whose backward pass follows `rule` (deconv or guided). */
function ruledRectifier(x: tf.Tensor, act: Activation, rule: Exclude<BackwardRule, 'gradient'>): tf.Tensor {
  const op = tf.customGrad(((z: tf.Tensor, save: tf.GradSaveFunc) => {
    save([z]);
    return {
      value: rectify(z, act),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => ruledGradient(dy as tf.Tensor, saved[0], act, rule),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x);
}

function gelu(x: tf.Tensor): tf.Tensor {
  // The exact form 0.5·x·(1 + erf(x/√2)), as Keras computes it by default.
  return tf.mul(tf.mul(x, constant(0.5)), tf.add(constant(1), tf.erf(tf.mul(x, constant(Math.SQRT1_2)))));
}

/** Applies an activation; rectifiers follow the backward `rule`. */
export function applyActivation(x: tf.Tensor, act: Activation, rule: BackwardRule = 'gradient'): tf.Tensor {
  switch (act.kind) {
    case 'linear': return x;
    case 'relu':
    case 'relu6':
    case 'leakyRelu':
      return rule === 'gradient' ? rectify(x, act) : ruledRectifier(x, act, rule);
    case 'elu': return act.alpha === undefined || act.alpha === 1
      ? tf.elu(x)
      : tf.where(tf.greater(x, constant(0)), x, tf.mul(constant(act.alpha), tf.sub(tf.exp(x), constant(1))));
    case 'selu': return tf.selu(x);
    case 'softmax': return tf.softmax(x, act.axis ?? -1);
    case 'sigmoid': return tf.sigmoid(x);
    case 'hardSigmoid': return tf.clipByValue(tf.add(tf.mul(x, constant(0.2)), constant(0.5)), 0, 1);
    case 'tanh': return tf.tanh(x);
    case 'swish': return tf.mul(x, tf.sigmoid(x));
    case 'gelu': return gelu(x);
    case 'softplus': return tf.softplus(x);
    case 'softsign': return tf.div(x, tf.add(tf.abs(x), constant(1)));
    default: throw new Error(`No compiled form for activation '${act.kind}'.`);
  }
}
