import { checkOption } from '../errors';
import type { Objective } from '../objectives/index';
import { l2Decay, blurEvery, clipSmallNorm, clipSmallContribution, type Regularizer } from '../regularizers/index';
import { optimizeUnit } from './optimize-unit';
import type { OptimizeOptions, OptimizeResult } from './loop';
import { seededRandom } from '../util/random';

/** One sampled combination of the four r_θ hyperparameters of Table 1. */
export interface SearchParams {
  decay: number;
  blurWidth: number;
  blurEvery: number;
  normPct: number;
  contributionPct: number;
}

/** Ranges sampled uniformly (`blurEvery`: integers, inclusive). */
export interface SearchSpace {
  decay: readonly [number, number];
  blurWidth: readonly [number, number];
  blurEvery: readonly [number, number];
  normPct: readonly [number, number];
  contributionPct: readonly [number, number];
}

/**
 * Ranges that contain the four rows of Table 1.
 *
 * @example
 * ```ts
 * randomSearch(net, obj, { score, space: { ...DEFAULT_SEARCH_SPACE, decay: [0, 0.01] } });
 * ```
 */
export const DEFAULT_SEARCH_SPACE: SearchSpace = Object.freeze({
  decay: [0, 0.3], blurWidth: [0, 1], blurEvery: [1, 8], normPct: [0, 50], contributionPct: [0, 90],
} as const);

/** Options for {@link randomSearch}: the loop's options plus the search's own. */
export interface RandomSearchOptions extends Omit<OptimizeOptions, 'regularizers'> {
  /** How many combinations to try. Default 10. */
  trials?: number;
  /** Scores one finished run (higher is better); the result's tensors are released after it. */
  score: (result: OptimizeResult, params: SearchParams) => number | Promise<number>;
  space?: Partial<SearchSpace>;
}

/** One tried combination, best first in {@link randomSearch}'s answer. */
export interface SearchTrial {
  params: SearchParams;
  regularizers: Regularizer[];
  score: number;
}

/**
 * The regularizers of one combination, in the toolbox order.
 *
 * @example
 * ```ts
 * const regs = regularizersFor(trials[0].params);
 * ```
 */
export function regularizersFor(p: SearchParams): Regularizer[] {
  return [l2Decay(p.decay), blurEvery(p.blurEvery, p.blurWidth), clipSmallNorm(p.normPct), clipSmallContribution(p.contributionPct)];
}

/**
 * The paper's random hyperparameter search (it chose Table 1 from 300 combinations):
 * sample decay, blur width and interval and the two clipping percentiles, run the loop
 * with each, and rank them with your `score`. Seeded: same seed, same combinations.
 *
 * @example
 * ```ts
 * const trials = await randomSearch(net, classLogit(424), {
 *   trials: 20, steps: 100, size: 128,
 *   score: (r) => r.best,   // or a human's rating, a classifier's confidence…
 * });
 * console.log(trials[0].params);
 * ```
 */
export async function randomSearch(netOrModel: unknown, objective: Objective, options: RandomSearchOptions): Promise<SearchTrial[]> {
  const trials = options.trials ?? 10;
  checkOption(Number.isInteger(trials) && trials >= 1, 'trials', 'an integer ≥ 1', trials);
  checkOption(typeof options.score === 'function', 'score', 'a function (result, params) => number', options.score);
  const space = { ...DEFAULT_SEARCH_SPACE, ...options.space };
  const random = seededRandom((options.seed ?? 0) + 0x5ea4c4);
  const uniform = ([lo, hi]: readonly [number, number]) => lo + (hi - lo) * random();
  const out: SearchTrial[] = [];
  for (let t = 0; t < trials; t++) {
    const params: SearchParams = {
      decay: uniform(space.decay),
      blurWidth: uniform(space.blurWidth),
      blurEvery: Math.floor(uniform([space.blurEvery[0], space.blurEvery[1] + 1 - 1e-9])),
      normPct: uniform(space.normPct),
      contributionPct: uniform(space.contributionPct),
    };
    const regularizers = regularizersFor(params);
    const result = await optimizeUnit(netOrModel, objective, { ...options, regularizers });
    try {
      out.push({ params, regularizers, score: await options.score(result, params) });
    } finally {
      result.image.dispose();
      result.last.dispose();
    }
  }
  return out.sort((a, b) => b.score - a.score);
}
