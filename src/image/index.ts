export { displayImage, norm01c, IMAGE_DISPLAYS, type ImageDisplay } from './display';
export { gaussianBlur, gaussianKernel, type GaussianBlurOptions } from './gaussian-blur';
export { centerCrop, fitImage, fitToNet, type FitOptions } from './fit';
export { parseLabels, fetchLabels, classIndex, unitName } from './labels';
export { imagePixels, fetchImage, type PixelSource } from './browser-io';
