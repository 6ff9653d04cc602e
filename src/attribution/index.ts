// Attribution: what in an image a unit responds to. One unit (UnitRef), one signature
// (`run(net, pixels, target, options)`), one runner, one registry.
export { backward, type BackwardOptions } from './backward';
export { backwardImage, NORMBLUR_SIGMA, BACKWARD_PERCENTILE, BACKWARD_GAMMA, type BackwardFilter, type BackwardImageOptions } from './backward-image';
export { camImage, type CamImageOptions } from './cam-image';
export { gradCam, gradCamPlusPlus, defaultCamLayer, type GradCamOptions } from './grad-cam';
export { integratedGradients, type IntegratedGradientsOptions } from './integrated-gradients';
export { inputXGradient } from './input-x-gradient';
export { occlusion, type OcclusionOptions, type OcclusionMap } from './occlusion';
export { smoothBackward, smoothGrad, varGrad, type NoiseOptions, type SmoothBackwardOptions } from './smooth';
export { unitRef, type UnitRef, type UnitAt } from './unit';
export { runPerImage, type RunOptions, type ImageWork } from './runner';
export { attributionMethod, drawAttribution, type MethodSpec } from './method';
export { ATTRIBUTION_METHODS, attributionMethodNamed } from './registry';
export { pixelImportance, spearman, ssim } from './compare';
export { deletionInsertion, areaUnder, type CurveOptions, type Curves } from './faithfulness';
export { modelRandomization, passesRandomization, topHalfCorrelation, type RandomizationOptions, type RandomizationResult, type RandomizationStep } from './sanity';
export type { Attribution, AttributionKind, AttributionMethod, AttributionOptions, DrawOptions } from './types';
