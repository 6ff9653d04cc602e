/**
 * `deepvis/wasm`: the WebAssembly backend, in browsers and Node.
 *
 * @example
 * ```ts
 * import { useWasm } from 'deepvis/wasm';
 * await useWasm(); // or useWasm({ paths: '/static/tfjs-wasm/' }) when a bundler moves the .wasm files
 * ```
 * @module
 */
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend, type BackendInfo } from './info';
import { setUpWasm } from './wasm-setup';

export type { BackendInfo } from './info';
export { registerWasmGradientKernels } from './wasm-kernels';

/** Options for {@link useWasm}. */
export interface WasmOptions {
  /**
   * Where the `tfjs-backend-wasm*.wasm` files are served: a folder URL ending in `/`, or a
   * map from file name to URL. Needed when a bundler does not copy them next to the script.
   */
  paths?: string | Record<string, string>;
}

/**
 * Selects the wasm backend. Threads are used by tfjs itself where the page is
 * cross-origin isolated (SharedArrayBuffer available); in Node it runs one thread with SIMD.
 * Also registers the convolution gradient kernels tfjs-backend-wasm lacks
 * (`Conv2DBackpropFilter` and the depthwise backprop kernels, see
 * {@link registerWasmGradientKernels}), so `tf.grad` through tfjs-layers models works on wasm.
 *
 * @example
 * ```ts
 * await useWasm();                                   // the .wasm files next to the script
 * await useWasm({ paths: '/static/tfjs-wasm/' });    // or where your bundler / server puts them
 * ```
 */
export async function useWasm(options: WasmOptions = {}): Promise<BackendInfo> {
  if (options.paths) setWasmPaths(options.paths as string);
  setUpWasm();
  const threads = typeof SharedArrayBuffer !== 'undefined' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  return selectBackend('wasm', `wasm (${threads ? 'threads + SIMD where supported' : 'single thread, SIMD where supported'})`);
}
