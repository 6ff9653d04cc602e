// The public face of deepvis: re-exports only.
export * from './net/index';
export * from './objectives/index';
export * from './regularizers/index';
export * from './optimize/index';
export * from './activations/index';
export * from './backward/index';
export * from './dataset/index';
export * from './default-model/index';
export { displayImage, norm01c, IMAGE_DISPLAYS, type ImageDisplay } from './image/display';
export { gaussianBlur, gaussianKernel, type GaussianBlurOptions } from './image/gaussian-blur';
export { DeepvisError, type DeepvisErrorCode } from './errors';
