import { checkOption } from '../errors';
import { l2Decay, blurEvery, clipSmallNorm, clipSmallContribution, regularizerFromJSON, type Regularizer, type RegularizerSpec } from '../regularizers/index';
import { lrConstant, lrProgress, toLrPolicy, type LrPolicy } from './lr';
import { fourier, toParameterization, type Parameterization } from './parameterization';
import { pad, jitter, randomScale, randomRotate, cropToSize, toTransform, type Transform } from './transforms';
import { adam, toOptimizer, type Optimizer } from './optimizer';

/**
 * A named setting of the loop (plain data: `JSON.stringify` prints it, {@link presetFromJSON}
 * rebuilds it): steps, learning rate and regularizers, and for the modern style the
 * parameterization, the transforms and the optimizer. Spread one into the options.
 */
export interface Preset {
  readonly name: string;
  readonly steps: number;
  readonly lr: LrPolicy;
  readonly regularizers: readonly Regularizer[];
  readonly parameterization?: Parameterization;
  readonly transforms?: readonly Transform[];
  readonly optimizer?: Optimizer;
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

/**
 * The modern style of feature visualization (Olah et al. 2017, Lucid's defaults): the image's
 * spectrum scaled by 1/f with ImageNet-decorrelated colour and a sigmoid, random turn ±10° / pad
 * 12 / jitter 8 / zoom 0.9–1.1 inside every step, Adam with step 0.05, 512 steps, no r_θ
 * regularizers. Lucid turns after padding and zooming and ends with a jitter of 4, so the net sees
 * up to 158² of a 128² run; this turns the image first (at its own size, the cheapest place) and
 * ends with a random crop back to the run's size ({@link cropToSize}): the same moves, and a step
 * costs ~1.3× a paper step instead of ~1.7–2× on Darknet-Tiny (whose deepest maps would be 10²
 * instead of 8²). On Darknet-Tiny at 128² its pictures keep their class under small shifts, zooms
 * and turns (docs/optimization.md).
 *
 * @example
 * ```ts
 * const r = await optimizeUnit(net, classLogit(130), { ...LUCID_PRESET, size: 128 });
 * ```
 */
export const LUCID_PRESET: Preset = Object.freeze({
  name: 'lucid',
  steps: 512,
  lr: lrConstant(0.05),
  regularizers: Object.freeze([]) as readonly Regularizer[],
  parameterization: fourier(),
  transforms: Object.freeze([randomRotate(10), pad(12), jitter(8), randomScale(0.9, 1.1), cropToSize()]),
  optimizer: adam(),
});

/**
 * The presets by the names the CLI's `--preset` and the viewer's style menu take: the paper's
 * Table 1 rows by number (`'1'`–`'4'`), the modern style as `'lucid'`.
 *
 * @example
 * ```ts
 * const r = await optimizeUnit(net, classLogit(130), { ...PRESETS_BY_NAME.lucid, steps: 128, size: 128 });
 * ```
 */
export const PRESETS_BY_NAME: Readonly<Record<'1' | '2' | '3' | '4' | 'lucid', Preset>> = Object.freeze({
  1: PAPER_PRESETS[0], 2: PAPER_PRESETS[1], 3: PAPER_PRESETS[2], 4: PAPER_PRESETS[3], lucid: LUCID_PRESET,
});

/** The JSON form of a {@link Preset} (`JSON.parse(JSON.stringify(preset))`). */
export interface PresetSpec {
  name: string;
  steps: number;
  lr: LrPolicy;
  regularizers: RegularizerSpec[];
  parameterization?: Parameterization;
  transforms?: Transform[];
  optimizer?: Optimizer;
}

/**
 * Rebuilds a preset from its JSON form, checking every part.
 *
 * @example
 * ```ts
 * const same = presetFromJSON(JSON.parse(JSON.stringify(LUCID_PRESET)));
 * ```
 */
export function presetFromJSON(spec: PresetSpec): Preset {
  checkOption(!!spec && typeof spec.name === 'string', 'name', 'a string', spec?.name);
  checkOption(Number.isInteger(spec.steps) && spec.steps >= 1, 'steps', 'an integer ≥ 1', spec.steps);
  checkOption(Array.isArray(spec.regularizers), 'regularizers', 'an array of regularizer specs', spec.regularizers);
  checkOption(spec.transforms === undefined || Array.isArray(spec.transforms), 'transforms', 'an array of transforms', spec.transforms);
  return Object.freeze({
    name: spec.name,
    steps: spec.steps,
    lr: toLrPolicy(spec.lr),
    regularizers: Object.freeze(spec.regularizers.map(regularizerFromJSON)),
    ...(spec.parameterization ? { parameterization: toParameterization(spec.parameterization) } : {}),
    ...(spec.transforms ? { transforms: Object.freeze(spec.transforms.map(toTransform)) } : {}),
    ...(spec.optimizer ? { optimizer: toOptimizer(spec.optimizer) } : {}),
  });
}
