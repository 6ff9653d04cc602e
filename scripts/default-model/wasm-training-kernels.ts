/**
 * Lets tfjs-layers train convolutions fast on the wasm backend, in this script only: the
 * missing filter-gradient kernels come from deepvis's `registerWasmGradientKernels`, and
 * wasm's slow `Conv2DBackpropInput` is replaced by deepvis's kernel made of the backend's own
 * forward `Conv2D` (`backpropInputKernel('conv')`: the padded, dilated dy with the flipped,
 * transposed filter).
 *
 * @example
 * ```ts
 * import '@tensorflow/tfjs-backend-wasm';
 * registerWasmTrainingKernels();
 * await tf.setBackend('wasm');
 * await model.fit(xs, ys); // conv layers now train on wasm
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { backpropInputKernel, registerWasmGradientKernels } from '../../src/backends/wasm-kernels';

/**
 * Registers the missing gradient kernels and replaces `Conv2DBackpropInput` for the wasm
 * backend with a forward-convolution version.
 *
 * @example
 * ```ts
 * registerWasmTrainingKernels();
 * ```
 */
export function registerWasmTrainingKernels(): void {
  registerWasmGradientKernels();
  if (tf.getKernel('Conv2DBackpropInput', 'wasm')) tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: backpropInputKernel('conv') });
}
