import { l2Decay, blurEvery, clipSmallNorm, clipSmallContribution, type Regularizer } from '../regularizers/index';
import { lrConstant, lrProgress, type LrPolicy } from './lr';

/** A named setting of the loop: steps, learning rate and regularizers (plain data). */
export interface Preset {
  readonly name: string;
  readonly steps: number;
  readonly lr: LrPolicy;
  readonly regularizers: readonly Regularizer[];
}

const row = (
  n: number, decay: number, blurWidth: number, blurEveryN: number, normPct: number, contributionPct: number,
  steps: number, lr: LrPolicy,
): Preset => Object.freeze({
  name: `paper preset ${n}`,
  steps,
  lr,
  regularizers: Object.freeze([l2Decay(decay), blurEvery(blurEveryN, blurWidth), clipSmallNorm(normPct), clipSmallContribution(contributionPct)]),
});

/**
 * The four rows of Table 1 of Yosinski et al. 2015, verbatim, with the iterations and
 * learning rates of the toolbox's docs. Preset 3 (`PAPER_PRESETS[2]`) made most of the
 * paper's images. Spread one into the options and override what you like.
 *
 * | # | decay | blur width | blur every | small-norm pct | small-contribution pct | iterations | learning rate |
 * |---|---|---|---|---|---|---|---|
 * | 1 | 0 | 0.5 | 4 | 50 | 0 | 500 | progress, max 100, desired 2 |
 * | 2 | 0.3 | 0 | 0 | 20 | 0 | 750 | constant 100 |
 * | 3 | 0.0001 | 1.0 | 4 | 0 | 0 | 1000 | constant 100 |
 * | 4 | 0 | 0.5 | 4 | 0 | 90 | 1000 | progress, max 1e8, desired 2 |
 *
 * @example
 * ```ts
 * const result = await optimizeUnit(net, classLogit(130), { ...PAPER_PRESETS[2], steps: 200 });
 * ```
 */
export const PAPER_PRESETS: readonly Preset[] = Object.freeze([
  row(1, 0, 0.5, 4, 50, 0, 500, lrProgress({ maxLr: 100, desiredProgress: 2 })),
  row(2, 0.3, 0, 0, 20, 0, 750, lrConstant(100)),
  row(3, 0.0001, 1.0, 4, 0, 0, 1000, lrConstant(100)),
  row(4, 0, 0.5, 4, 0, 90, 1000, lrProgress({ maxLr: 1e8, desiredProgress: 2 })),
]);
