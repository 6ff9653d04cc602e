import { checkOption } from '../errors';
import type { Objective } from '../objectives/index';
import type { NetOrModel } from '../net/types';
import { optimizeLoop, type OptimizeOptions, type OptimizeResult, type StepInfo } from './loop';

/**
 * Regularized optimization (Tool 2 of Yosinski et al. 2015): gradient ascent on the
 * objective in centred 0–255 pixel space, `x ← r_θ(x + η ∂a/∂x)`, keeping the best-ever
 * image. Defaults are the paper's preset 3; spread `PAPER_PRESETS[k]` for the others.
 * Accepts a Net or a tfjs model (compiled for the run). Yields to the event loop every step.
 *
 * @example
 * ```ts
 * const r = await optimizeUnit(net, classLogit(130), { ...PAPER_PRESETS[2], steps: 200, size: 128, seed: 1 });
 * await writePng('flamingo.png', r.image);
 * r.image.dispose(); r.last.dispose();
 * ```
 */
export async function optimizeUnit(netOrModel: NetOrModel, objective: Objective, options: OptimizeOptions = {}): Promise<OptimizeResult> {
  const [result] = await optimizeUnits(netOrModel, [objective], options);
  return result;
}

/**
 * Several objectives optimized together in one batch, image `i` for objective `i`, each
 * with its own result (and its own learning-rate scale).
 *
 * @example
 * ```ts
 * const results = await optimizeUnits(net, [classLogit(1), classLogit(2)], { steps: 200, size: 128 });
 * ```
 */
export async function optimizeUnits(netOrModel: NetOrModel, objectives: readonly Objective[], options: OptimizeOptions = {}): Promise<OptimizeResult[]> {
  checkOption(Array.isArray(objectives), 'objectives', 'an array of Objectives', objectives);
  let results: OptimizeResult[] = [];
  for await (const info of optimizeLoop(netOrModel, objectives, options)) {
    if (info.isLast) results = objectives.map((_, i) => info.result(i));
  }
  return results;
}

/**
 * The same run as {@link optimizeUnit}, one step at a time, for live animation. Each
 * item's `image()` and `result()` make new tensors (the caller owns them) and are valid
 * until the next item; leaving the loop early releases everything.
 *
 * @example
 * ```ts
 * for await (const s of optimizeUnitSteps(net, classLogit(130), { steps: 200 })) {
 *   if (s.step % 10 === 0) { const im = s.image(); await tf.browser.toPixels(tf.div(im, 255), canvas); im.dispose(); }
 *   if (s.isLast) final = s.result();
 * }
 * ```
 */
export function optimizeUnitSteps(netOrModel: NetOrModel, objective: Objective, options: OptimizeOptions = {}): AsyncGenerator<StepInfo, void> {
  return optimizeLoop(netOrModel, [objective], options);
}
