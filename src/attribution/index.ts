// Backward views: the image-space signal from a unit, and its display filters.
export { backward, type BackwardOptions } from './backward';
export { smoothBackward, type SmoothBackwardOptions } from './smooth';
export { backwardImage, NORMBLUR_SIGMA, type BackwardFilter, type BackwardImageOptions } from './backward-image';
export { gradCam, camImage, type GradCamOptions, type CamImageOptions } from './grad-cam';
export { integratedGradients, type IntegratedGradientsOptions } from './integrated-gradients';
export { occlusion, type OcclusionOptions, type OcclusionMap } from './occlusion';
