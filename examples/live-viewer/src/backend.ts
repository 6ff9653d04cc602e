// Backend switch: webgl and wasm through deepvis's adapters, webgpu loaded on demand.
import * as tf from '@tensorflow/tfjs-core';
import { useWasm, useWebGL } from './deepvis';

export type BackendName = 'webgl' | 'wasm' | 'webgpu';
export const BACKENDS: readonly BackendName[] = ['webgl', 'wasm', 'webgpu'];

/** Selects a backend; resolves to a line a person can read, or throws saying why it failed. */
export async function selectBackend(name: BackendName): Promise<string> {
  if (name === 'webgl') return (await useWebGL()).detail;
  // The dev server serves the .wasm binaries from node_modules under /tfjs-wasm/.
  if (name === 'wasm') return (await useWasm({ paths: '/tfjs-wasm/' })).detail;
  if (!('gpu' in navigator)) throw new Error('WebGPU is not available in this browser (navigator.gpu is missing).');
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('The webgpu backend could not initialise here.');
  await tf.ready();
  return 'webgpu';
}
