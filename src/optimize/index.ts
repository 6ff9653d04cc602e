// Regularized optimization (Tool 2): the loop, learning rates, presets, start images. Re-exports only.
export { optimizeUnit, optimizeUnits, optimizeUnitSteps } from './optimize-unit';
export { optimizeLoop, isNet, type OptimizeOptions, type OptimizeResult, type StepInfo } from './loop';
export { lrConstant, lrProgress, CAFFENET_GRAD_RMS, LR_SCALES, objectiveScale, stepSize, type LrPolicy, type LrScale } from './lr';
export { PAPER_PRESETS, LUCID_PRESET, PRESETS_BY_NAME, presetFromJSON, type Preset, type PresetSpec } from './presets';
export { startImage, type StartImage } from './start';
export {
  pixels, fourier, toParameterization, buildParameterization, COLOR_CORRELATION_SQRT,
  type Parameterization, type PixelsOptions, type FourierOptions, type BuiltParameterization,
} from './parameterization';
export {
  pad, jitter, randomScale, randomRotate, cropToSize, toTransform, drawTransforms, applyTransforms, rotateImage, resizeImage,
  type Transform, type DrawnTransform,
} from './transforms';
export { paperStep, adam, toOptimizer, type Optimizer } from './optimizer';
export { robustTop1, robustTransforms, type RobustOptions, type RobustResult } from './robust';
export { seededRandom } from '../util/random';
export {
  randomSearch, regularizersFor, DEFAULT_SEARCH_SPACE,
  type RandomSearchOptions, type SearchParams, type SearchSpace, type SearchTrial,
} from './random-search';
export { deepDream, type DeepDreamOptions, type DreamOctave } from './deep-dream';
export { optimizeLayer, type OptimizeLayerOptions, type LayerSheet, type LayerChannelResult } from './optimize-layer';
