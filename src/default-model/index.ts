/**
 * The embedded default model: a small convnet trained on Fashion-MNIST by
 * `scripts/train-default-model.ts`, shipped inside the library (float16 weights as base64)
 * so it loads offline anywhere. See docs/default-model.md.
 *
 * @example
 * ```ts
 * import { loadDefaultNet, DEFAULT_MODEL_LABELS, DEFAULT_MODEL_INFO } from 'deepvis';
 * const net = await loadDefaultNet();
 * console.log(DEFAULT_MODEL_INFO.testAccuracy, DEFAULT_MODEL_LABELS);
 * ```
 * @module
 */
export { loadDefaultModel, loadDefaultNet, defaultModelArtifacts } from './load';
export { DEFAULT_MODEL_LABELS } from './labels';
export { DEFAULT_MODEL_INFO, type DefaultModelInfo } from './info';
