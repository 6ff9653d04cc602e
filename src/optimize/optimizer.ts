import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption } from '../errors';
import { constant } from '../constant';

/**
 * How the loop turns a gradient into a step (plain data): the paper's gradient step
 * `v += η · s · g` with the `lr` policy and `lrScale` of the options ({@link paperStep}), or
 * Adam with the options' constant `lr` as its step size ({@link adam}; `lrScale` does not apply:
 * Adam divides out the gradient's size).
 */
export type Optimizer =
  | { readonly kind: 'paper' }
  | { readonly kind: 'adam'; readonly beta1: number; readonly beta2: number; readonly epsilon: number };

/**
 * The paper's step: `v += η · s · g`, η from the `lr` option (constant or progress), s from `lrScale`.
 *
 * @example
 * ```ts
 * optimizeUnit(net, classLogit(130), { optimizer: paperStep(), lr: 100 });   // the default
 * ```
 */
export function paperStep(): Optimizer {
  return Object.freeze({ kind: 'paper' });
}

/**
 * Adam (Kingma & Ba 2015) ascending the objective, with bias correction; its step size is the
 * loop's constant `lr` (Lucid's 0.05 for Fourier variables).
 *
 * @example
 * ```ts
 * optimizeUnit(net, classLogit(130), { optimizer: adam(), lr: 0.05, parameterization: fourier() });
 * ```
 */
export function adam(options: { beta1?: number; beta2?: number; epsilon?: number } = {}): Optimizer {
  const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8 } = options ?? {};
  checkOption(Number.isFinite(beta1) && beta1 >= 0 && beta1 < 1, 'beta1', 'a number in [0, 1)', beta1);
  checkOption(Number.isFinite(beta2) && beta2 >= 0 && beta2 < 1, 'beta2', 'a number in [0, 1)', beta2);
  checkOption(Number.isFinite(epsilon) && epsilon > 0, 'epsilon', 'a number > 0', epsilon);
  return Object.freeze({ kind: 'adam', beta1, beta2, epsilon });
}

/**
 * Checks an optimizer (also its JSON form) and returns it frozen.
 *
 * @example
 * ```ts
 * toOptimizer(JSON.parse('{"kind":"adam","beta1":0.9,"beta2":0.999,"epsilon":1e-8}'));
 * ```
 */
export function toOptimizer(o: Optimizer): Optimizer {
  if (o?.kind === 'paper') return paperStep();
  if (o?.kind === 'adam') return adam(o);
  throw new DeepvisError('BAD_OPTION', `Option 'optimizer': ${JSON.stringify(o)} is not an optimizer; use paperStep() or adam({ … }).`);
}

/** Adam's running moments for one run; `dispose()` releases them. */
export class AdamState {
  private m: tf.Tensor | null = null;
  private s: tf.Tensor | null = null;
  private t = 0;
  constructor(private readonly o: Extract<Optimizer, { kind: 'adam' }>, private readonly lr: number) {}

  /** `v` moved one Adam step up the gradient `g` (a new tensor; `v` and `g` stay the caller's). */
  step(v: tf.Tensor, g: tf.Tensor): tf.Tensor {
    const { beta1, beta2, epsilon } = this.o;
    this.t += 1;
    const [m0, s0] = [this.m, this.s];
    const out = tf.tidy(() => {
      const m = m0 ? tf.add(tf.mul(m0, constant(beta1)), tf.mul(g, constant(1 - beta1))) : tf.mul(g, constant(1 - beta1));
      const s = s0 ? tf.add(tf.mul(s0, constant(beta2)), tf.mul(tf.square(g), constant(1 - beta2))) : tf.mul(tf.square(g), constant(1 - beta2));
      const mHat = tf.div(m, constant(1 - beta1 ** this.t));
      const sHat = tf.div(s, constant(1 - beta2 ** this.t));
      const next = tf.add(v, tf.mul(constant(this.lr), tf.div(mHat, tf.add(tf.sqrt(sHat), constant(epsilon)))));
      return { m, s, next };
    });
    tf.dispose([m0, s0].filter((x): x is tf.Tensor => x !== null));
    [this.m, this.s] = [out.m, out.s];
    return out.next;
  }

  dispose(): void {
    tf.dispose([this.m, this.s].filter((x): x is tf.Tensor => x !== null));
    this.m = this.s = null;
  }
}
