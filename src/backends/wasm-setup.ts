import * as tf from '@tensorflow/tfjs-core';
import { shareInput } from './tfjs-internals';
import { registerWasmGradientKernels } from './wasm-kernels';

/**
 * What deepvis does to the wasm backend before using it: the missing gradient kernels, a sharing Identity.
 *
 * @example
 * ```ts
 * setUpWasm();
 * await tf.setBackend('wasm');
 * ```
 */
export function setUpWasm(): void {
  registerWasmGradientKernels();
  shareWasmIdentity();
}

/**
 * tfjs clones every tensor a gradient tape saves (`Identity`), and tfjs-backend-wasm's
 * Identity copies the data; its Reshape already shares data by reference count, so an
 * Identity that does the same is as safe (wasm kernels never write to their inputs) and
 * saves a full copy of every saved activation: ~15 % of a Darknet-Tiny gradient step.
 * Strings keep the original kernel. Returns whether it replaced the kernel now.
 *
 * @example
 * ```ts
 * shareWasmIdentity();   // true the first time, false after
 * ```
 */
export function shareWasmIdentity(): boolean {
  const original = tf.getKernel('Identity', 'wasm');
  if (!original || (original.kernelFunc as { deepvis?: boolean }).deepvis) return false;
  const kernelFunc: tf.KernelFunc = (args) => {
    const x = args.inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return original.kernelFunc(args);
    return shareInput(x, args.backend);
  };
  Object.assign(kernelFunc, { deepvis: true });
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc });
  return true;
}
