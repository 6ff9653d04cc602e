import { checkOption } from '../errors';

/**
 * How the step size is chosen each step: `constant` (x += lr · g) or the toolbox's
 * `progress` policy, `lr = min(maxLr, desiredProgress / ‖g‖²)`, which aims for a predicted
 * activation gain of `lr · ‖g‖² = desiredProgress` per step. Plain data.
 */
export type LrPolicy =
  | { readonly kind: 'constant'; readonly lr: number }
  | { readonly kind: 'progress'; readonly maxLr: number; readonly desiredProgress: number };

/**
 * A constant learning rate.
 *
 * @example
 * ```ts
 * optimizeUnit(net, classLogit(130), { lr: lrConstant(100) });   // same as lr: 100
 * ```
 */
export function lrConstant(lr: number): LrPolicy {
  checkOption(Number.isFinite(lr) && lr >= 0, 'lr', 'a finite number ≥ 0', lr);
  return { kind: 'constant', lr };
}

/**
 * The toolbox's "progress" learning rate: `min(maxLr, desiredProgress / ‖g‖²)`.
 *
 * @example
 * ```ts
 * const lr = lrProgress({ maxLr: 100, desiredProgress: 2 });   // preset 1
 * ```
 */
export function lrProgress(options: { maxLr: number; desiredProgress: number }): LrPolicy {
  const { maxLr, desiredProgress } = options ?? ({} as { maxLr: number; desiredProgress: number });
  checkOption(Number.isFinite(maxLr) && maxLr > 0, 'maxLr', 'a finite number > 0', maxLr);
  checkOption(Number.isFinite(desiredProgress) && desiredProgress > 0, 'desiredProgress', 'a finite number > 0', desiredProgress);
  return { kind: 'progress', maxLr, desiredProgress };
}

/**
 * A number or a policy, as the `lr` option accepts; checked.
 *
 * @example
 * ```ts
 * toLrPolicy(100);   // { kind: 'constant', lr: 100 }
 * ```
 */
export function toLrPolicy(lr: number | LrPolicy): LrPolicy {
  if (typeof lr === 'number') return lrConstant(lr);
  if (lr && lr.kind === 'constant') return lrConstant(lr.lr);
  if (lr && lr.kind === 'progress') return lrProgress(lr);
  checkOption(false, 'lr', 'a number, lrConstant(x) or lrProgress({ maxLr, desiredProgress })', lr);
  throw new Error('unreachable');
}

/**
 * The RMS per value of CaffeNet's first input gradient under preset 3: the toolbox's log
 * for fc8 unit 130 shows the first step (lr 100) moving the image by 3413 in L2 over
 * 3 × 227 × 227 values, so RMS(g0) = 3413 / (100 · √154587) ≈ 0.0868.
 */
export const CAFFENET_GRAD_RMS = 3413 / (100 * Math.sqrt(3 * 227 * 227));

/**
 * How the presets' learning rates are read on a given net. Step sizes (a constant `lr`,
 * the progress policy's `maxLr` cap) were tuned to CaffeNet's gradient size, and so was the
 * balance between the progress policy's desired gain per step and what its regularizers
 * undo. `s` is measured per image at step 0 and fixed for the run (except `'normalized'`),
 * so a constant step is `lr · s · g` and a progress step
 * `min(maxLr · s, desiredProgress · √s / ‖g‖²) · g`; at `s = 1` (CaffeNet-sized gradients)
 * both are the toolbox's numbers exactly.
 * - `'caffenet'` (default): `s = 0.0868 / RMS(g0)`: the first constant step moves each
 *   pixel by `lr · 0.0868` RMS (8.7 for lr 100), as on CaffeNet. Of the readings compared
 *   on two nets (docs/optimization.md) the most robust: the best fixed multiple of this
 *   step differs by net, and this one is within one or two classes of it on both. The
 *   desired gain grows with `√s`: read in logits alone (`s⁰`), presets 1 and 4 stall on a
 *   net with small, high-frequency gradients (Darknet-Tiny: about 13 and 3 logits), because
 *   the blur every 4th step and the percentile clips undo as much as a 2-logit step gains;
 *   read as a step size (`s¹`) preset 4 diverges (docs/optimization.md).
 * - `'normalized'`: `s = 0.0868 / RMS(g)` measured again at every step, so every constant
 *   step moves each pixel by `lr · 0.0868` RMS whatever the gradient does during the run.
 * - `'verbatim'`: the toolbox's numbers as they are (`s = 1`), right for CaffeNet-sized
 *   gradients only.
 * - a number: a fixed `s`.
 */
export type LrScale = 'caffenet' | 'normalized' | 'verbatim' | number;

/** The readings of {@link LrScale} by name. */
export const LR_SCALES: readonly LrScale[] = ['caffenet', 'normalized', 'verbatim'];

/**
 * The step-size scale `s` for one image from its gradient's sum of squares over `values`
 * numbers.
 *
 * @example
 * ```ts
 * objectiveScale('caffenet', 0.01, 3 * 128 * 128);   // 0.0868 / RMS(g0)
 * ```
 */
export function objectiveScale(lrScale: LrScale, sumSquares: number, values: number): number {
  if (typeof lrScale === 'number') return lrScale;
  if (lrScale === 'verbatim') return 1;
  const rms = Math.sqrt(sumSquares / values);
  // A unit with no gradient at the start cannot be calibrated; leave it unscaled.
  return rms > 0 && Number.isFinite(rms) ? CAFFENET_GRAD_RMS / rms : 1;
}

/**
 * The multiplier of g for one image at one step, read with the scale `s` (see
 * {@link LrScale}): `lr · s` for a constant policy, `min(maxLr · s, desiredProgress · √s / ‖g‖²)`
 * for the progress policy (the toolbox's `min(maxLr, desiredProgress / ‖g‖²)` at `s = 1`).
 *
 * @example
 * ```ts
 * stepSize(lrProgress({ maxLr: 100, desiredProgress: 2 }), 400, 0.5);   // min(40000, 2 · 20 / 0.5) = 80
 * ```
 */
export function stepSize(policy: LrPolicy, s: number, sumSquares: number): number {
  if (policy.kind === 'constant') return policy.lr * s;
  const cap = policy.maxLr * s;
  const gain = policy.desiredProgress * Math.sqrt(s); // × √1 = ×1 exactly: the toolbox's formula at s = 1
  return sumSquares > 0 ? Math.min(cap, gain / sumSquares) : cap;
}
