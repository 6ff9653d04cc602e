/**
 * `deepvis/webgl`: the WebGL backend for browsers.
 *
 * @example
 * ```ts
 * import { useWebGL } from 'deepvis/webgl';
 * const info = await useWebGL();
 * console.log(info.detail);
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import { selectBackend, type BackendInfo } from './info';

export type { BackendInfo } from './info';

/**
 * Selects WebGL. Gradients of small activations need full precision, so half-float
 * textures are refused: deepvis asks for 32-bit float textures and says when the device
 * cannot render them.
 *
 * @example
 * ```ts
 * const info = await useWebGL();
 * console.log(info.detail);   // e.g. 'webgl 2, float32 textures'
 * ```
 */
export async function useWebGL(): Promise<BackendInfo> {
  tf.env().set('WEBGL_FORCE_F16_TEXTURES', false);
  const info = await selectBackend('webgl', 'webgl');
  const f32 = tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED');
  const version = tf.env().getNumber('WEBGL_VERSION');
  return { name: info.name, detail: `webgl ${version}${f32 ? ', float32 textures' : ', float16 textures only (gradients lose precision)'}` };
}
