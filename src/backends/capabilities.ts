// What the core needs to know about a backend, as capabilities it reads instead of backend
// names. The backends deepvis knows are described here; an adapter may register another.
// Only tfjs-core is imported: the core can read this file wherever it runs.
import * as tf from '@tensorflow/tfjs-core';

/** What a backend does well or badly, as the core needs to know it. */
export interface BackendCapabilities {
  /**
   * Convolution input gradients run faster through the forward convolution kernels than
   * through the backend's own backprop-input kernel (tfjs-backend-wasm 4.22: about 13× per FLOP).
   */
  readonly convGradViaForward: boolean;
  /**
   * Max-pool gradients are computed on the host from the values: the backend's own kernel routes
   * all-negative windows wrongly and is slow (tfjs-backend-wasm 4.22), and its data is in memory.
   */
  readonly maxPoolGradOnHost: boolean;
  /** Tensor data lives in host memory: one JavaScript pass beats a chain of tensor ops. */
  readonly hostMemory: boolean;
  /**
   * A synchronous readback (`dataSync`) is a workaround that can fail or return wrong values
   * (tfjs-backend-webgpu 4.22 reads through canvases): checks that would need one are left to
   * the asynchronous reads that follow (the optimization loop's) or skipped.
   */
  readonly asyncReadbackOnly: boolean;
}

const NONE: BackendCapabilities = Object.freeze({ convGradViaForward: false, maxPoolGradOnHost: false, hostMemory: false, asyncReadbackOnly: false });

const known = new Map<string, BackendCapabilities>([
  ['wasm', Object.freeze({ ...NONE, convGradViaForward: true, maxPoolGradOnHost: true, hostMemory: true })],
  ['cpu', Object.freeze({ ...NONE, hostMemory: true })],
  ['webgpu', Object.freeze({ ...NONE, asyncReadbackOnly: true })],
]);

/**
 * Registers (or replaces) the capabilities of backend `name`, for an adapter of a backend
 * deepvis does not describe itself. Unset ones are false.
 *
 * @example
 * ```ts
 * registerCapabilities('my-backend', { hostMemory: true });
 * ```
 */
export function registerCapabilities(name: string, capabilities: Partial<BackendCapabilities>): void {
  known.set(name, Object.freeze({ ...NONE, ...capabilities }));
}

/**
 * The capabilities of the active backend (all false for one deepvis does not know).
 *
 * @example
 * ```ts
 * if (backendCapabilities().hostMemory) console.log('tensor data is in memory');
 * ```
 */
export function backendCapabilities(): BackendCapabilities {
  return known.get(tf.getBackend()) ?? NONE;
}

/**
 * The name of the active backend (`''` before one is selected), for a status line.
 *
 * @example
 * ```ts
 * status.textContent = `running on ${activeBackend()}`;
 * ```
 */
export function activeBackend(): string {
  return tf.getBackend() ?? '';
}

/**
 * Whether the active backend has a kernel called `name` (its gradient can then run natively).
 *
 * @example
 * ```ts
 * hasKernel('DepthwiseConv2dNativeBackpropInput');
 * ```
 */
export function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}
