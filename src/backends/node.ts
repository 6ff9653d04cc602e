/**
 * `deepvis/node`: backend choice, model files and PNG/JPEG for Node.
 *
 * @example
 * ```ts
 * import { useNodeBackend, loadLayersModelFile, readImage, writePng } from 'deepvis/node';
 * const info = await useNodeBackend();   // tfjs-node-gpu, tfjs-node, webgpu (a GPU), wasm or cpu: the best installed
 * console.log(info.detail);
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type BackendInfo } from './info';
// Only tfjs-core inside: safe to import where the wasm backend is not installed.
import { setUpWasm } from './wasm-setup';
import { installDawnWebGpu } from './node-webgpu';
import { quietCpuBackend } from './tfjs-internals';

export type { BackendInfo } from './info';
export { readImage, decodeImage, encodePng, writePng, readLabels } from '../image/node-io';
export { fileHandler, loadLayersModelFile } from '../net/load-file';
export { writeGallery, type GalleryOptions, type GalleryFiles } from '../dataset/gallery-node';
export { openWorkerPool, type WorkerPool, type WorkerPoolOptions, type JobRunner, type RunJobOptions } from '../parallel/pool';
export { topActivationsInPool, optimizeUnitsInPool, type PooledTopActivationsOptions, type PooledOptimizeOptions } from '../parallel/pooled';
export type { ImageRef, UnitTarget, JobKind, JobInput, JobOutput, JobProgress, ScanJob, OptimizeJob, PlainOptimizeResult } from '../parallel/jobs';

/** The Node backends deepvis knows, best first. */
export type NodeBackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** The names `useNodeBackend` takes, `'auto'` first: what a command line offers. */
export const NODE_BACKEND_CHOICES: readonly (NodeBackendName | 'auto')[] = Object.freeze(['auto', 'wasm', 'cpu', 'webgpu', 'tensorflow']);

/** Each backend's package and how to load it; `load` may return a note on what it found. */
const candidates: { name: NodeBackendName; pkg: string; load: (named: boolean) => Promise<unknown> }[] = [
  { name: 'tensorflow', pkg: '@tensorflow/tfjs-node-gpu', load: () => import('@tensorflow/tfjs-node-gpu' as string) },
  { name: 'tensorflow', pkg: '@tensorflow/tfjs-node', load: () => import('@tensorflow/tfjs-node' as string) },
  // Chosen unasked only on a hardware adapter: SwiftShader's is slower than wasm.
  { name: 'webgpu', pkg: 'webgpu', load: async (named) => `(Dawn) on ${await installDawnWebGpu(named)}` },
  { name: 'wasm', pkg: '@tensorflow/tfjs-backend-wasm', load: () => import('@tensorflow/tfjs-backend-wasm') },
  { name: 'cpu', pkg: '@tensorflow/tfjs-backend-cpu', load: () => import('@tensorflow/tfjs-backend-cpu') },
];

/**
 * Picks the fastest installed Node backend: `@tensorflow/tfjs-node-gpu`, then
 * `@tensorflow/tfjs-node`, then WebGPU through the `webgpu` package (Dawn) where it finds a
 * hardware GPU, then wasm, then cpu; or the one named. Says which in `detail`.
 * On wasm it registers the missing convolution gradient kernels first (see `registerWasmGradientKernels`).
 * tfjs's own advice to install tfjs-node (printed by its cpu backend) is left out: `detail` says what was skipped.
 *
 * @example
 * ```ts
 * const info = await useNodeBackend();        // the best installed
 * await useNodeBackend('wasm');              // or insist on one: throws naming what is missing
 * ```
 */
export async function useNodeBackend(backend: NodeBackendName | 'auto' = 'auto'): Promise<BackendInfo> {
  const tried: string[] = [];
  for (const c of candidates) {
    if (backend !== 'auto' && c.name !== backend) continue;
    let note: unknown;
    try {
      note = await c.load(backend !== 'auto');
    } catch (e) {
      const missing = ['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND'].includes((e as { code?: string }).code ?? '');
      tried.push(`${c.pkg} (${missing ? 'not installed' : (e as Error).message})`);
      continue;
    }
    if (tf.findBackend(c.name) || tf.findBackendFactory(c.name)) {
      if (c.name === 'wasm') setUpWasm();
      quietCpuBackend();
      const found = typeof note === 'string' ? ` ${note}` : '';
      return selectBackend(c.name, `${c.name} from ${c.pkg}${found}${tried.length ? `; skipped ${tried.join(', ')}` : ''}`);
    }
    tried.push(`${c.pkg} (did not register)`);
  }
  throw new Error(`No usable tfjs backend for '${backend}': tried ${tried.join(', ')}. Install @tensorflow/tfjs-backend-wasm or @tensorflow/tfjs-backend-cpu.`);
}
