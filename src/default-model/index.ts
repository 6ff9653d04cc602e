/**
 * The models deepvis ships, offline in Node and browsers (see docs/default-model.md):
 * Darknet-Tiny, an ImageNet classifier (float16 files in the package's assets/, with twelve
 * sample photos), and a small convnet trained on Fashion-MNIST by
 * `scripts/train-default-model.ts`, embedded in the library itself (float16 as base64).
 *
 * @example
 * ```ts
 * import { loadImageNetNet, loadImageNetLabels, loadDefaultNet, DEFAULT_MODEL_LABELS } from 'deepvis';
 * const [net, labels] = await Promise.all([loadImageNetNet(), loadImageNetLabels()]);
 * const fashion = await loadDefaultNet();
 * console.log(labels[0], DEFAULT_MODEL_LABELS[0]);
 * ```
 * @module
 */
export { loadDefaultModel, loadDefaultNet, defaultModelArtifacts } from './load';
export {
  loadImageNetModel,
  loadImageNetNet,
  loadImageNetLabels,
  IMAGENET_MODEL_INFO,
  type ImageNetModelOptions,
  type ImageNetModelInfo,
} from './imagenet';
export { darknetTinyUrl, type DarknetTinyFile } from '../assets';
export { samplePhotos, readSamplePhoto, type SamplePhoto } from './photos';
export { DEFAULT_MODEL_LABELS } from './labels';
export { DEFAULT_MODEL_INFO, type DefaultModelInfo } from './info';
