import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { toNet } from '../net/to-net';
import type { Net, ToNetOptions } from '../net/types';
import { base64ToArrayBuffer } from './base64';
import { DEFAULT_MODEL_INFO } from './info';
import { MODEL_TOPOLOGY, WEIGHT_SPECS, WEIGHTS_BASE64 } from './weights';

/**
 * The embedded model as tfjs model artifacts (topology, float16 weight specs, weight bytes),
 * for any tfjs loader: `tfl.loadLayersModel(tf.io.fromMemory(defaultModelArtifacts()))`.
 *
 * @example
 * ```ts
 * const artifacts = defaultModelArtifacts();
 * console.log(artifacts.weightSpecs?.map((w) => w.name));
 * ```
 */
export function defaultModelArtifacts(): tf.io.ModelArtifacts {
  return {
    modelTopology: MODEL_TOPOLOGY,
    weightSpecs: WEIGHT_SPECS,
    weightData: base64ToArrayBuffer(WEIGHTS_BASE64),
    format: 'layers-model',
    generatedBy: 'deepvis scripts/train-default-model.ts',
  };
}

/**
 * Loads the embedded Fashion-MNIST convnet: 28×28×1 input in [0, 1], 10 class
 * probabilities out (labels in {@link DEFAULT_MODEL_LABELS}). Offline in Node and in
 * browsers: the weights are part of the bundle, no file or fetch. The caller owns the model.
 *
 * @example
 * ```ts
 * const model = await loadDefaultModel();
 * model.summary();
 * const net = toNet(model, { inputRange: [0, 1], mean: DEFAULT_MODEL_INFO.mean });
 * ```
 */
export async function loadDefaultModel(): Promise<tfl.LayersModel> {
  return tfl.loadLayersModel(tf.io.fromMemory(defaultModelArtifacts()));
}

/**
 * The embedded model compiled into a {@link Net}: `inputRange: [0, 1]` and, as pixel-space
 * "zero", the training set's mean gray level on R, G and B ({@link DEFAULT_MODEL_INFO}`.mean`).
 * Feed it 0–255 RGB pixels `[n, 28, 28, 3]` (their R, G, B mean is the gray level).
 * `net.dispose()` also releases the model.
 *
 * @example
 * ```ts
 * const net = await loadDefaultNet();
 * const probs = net.predict(pixels);                   // [n, 10]
 * const { conv3 } = net.forward(pixels, { taps: ['conv3'] });
 * net.dispose();
 * ```
 */
export async function loadDefaultNet(): Promise<Net> {
  return netOwningModel(await loadDefaultModel(), { inputRange: DEFAULT_MODEL_INFO.inputRange, mean: DEFAULT_MODEL_INFO.mean });
}

/**
 * `toNet(model, options)` whose `dispose()` also disposes the model (once); if compiling
 * fails, the model is disposed before the error propagates.
 *
 * @example
 * ```ts
 * const net = netOwningModel(await loadDefaultModel(), { inputRange: [0, 1] });
 * net.dispose();                                        // the model too
 * ```
 */
export function netOwningModel(model: tfl.LayersModel, options: ToNetOptions): Net {
  let net: Net;
  try {
    net = toNet(model, options);
  } catch (e) {
    model.dispose();
    throw e;
  }
  const disposeNet = net.dispose.bind(net);
  let modelDisposed = false;
  net.dispose = () => {
    disposeNet();
    if (!modelDisposed) model.dispose();
    modelDisposed = true;
  };
  return net;
}
