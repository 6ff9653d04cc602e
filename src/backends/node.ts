/**
 * `deepvis/node`: backend choice, model files and PNG/JPEG for Node.
 *
 * @example
 * ```ts
 * import { useNodeBackend, loadLayersModelFile, readImage, writePng } from 'deepvis/node';
 * const info = await useNodeBackend();   // tfjs-node-gpu, tfjs-node, wasm or cpu: whichever is installed
 * console.log(info.detail);
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type BackendInfo } from './info';
// Only tfjs-core inside: safe to import where the wasm backend is not installed.
import { setUpWasm } from './wasm-setup';

export type { BackendInfo } from './info';
export { readImage, decodeImage, encodePng, writePng } from '../image/node-io';
export { fileHandler, loadLayersModelFile } from '../net/load-file';
export { writeGallery, type GalleryOptions, type GalleryFiles } from '../dataset/gallery-node';

/** The Node backends deepvis knows, best first. */
export type NodeBackendName = 'tensorflow' | 'wasm' | 'cpu';

const candidates: { name: NodeBackendName; pkg: string; load: () => Promise<unknown> }[] = [
  { name: 'tensorflow', pkg: '@tensorflow/tfjs-node-gpu', load: () => import('@tensorflow/tfjs-node-gpu' as string) },
  { name: 'tensorflow', pkg: '@tensorflow/tfjs-node', load: () => import('@tensorflow/tfjs-node' as string) },
  { name: 'wasm', pkg: '@tensorflow/tfjs-backend-wasm', load: () => import('@tensorflow/tfjs-backend-wasm') },
  { name: 'cpu', pkg: '@tensorflow/tfjs-backend-cpu', load: () => import('@tensorflow/tfjs-backend-cpu') },
];

/**
 * Picks the fastest installed Node backend: `@tensorflow/tfjs-node-gpu`, then
 * `@tensorflow/tfjs-node`, then wasm, then cpu; or the one named. Says which in `detail`.
 * On wasm it registers the missing convolution gradient kernels first (see `registerWasmGradientKernels`).
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
    try {
      await c.load();
    } catch {
      tried.push(`${c.pkg} (not installed)`);
      continue;
    }
    if (tf.findBackend(c.name) || tf.engine().registryFactory[c.name]) {
      if (c.name === 'wasm') setUpWasm();
      return selectBackend(c.name, `${c.name} from ${c.pkg}${tried.length ? `; skipped ${tried.join(', ')}` : ''}`);
    }
    tried.push(`${c.pkg} (did not register)`);
  }
  throw new Error(`No usable tfjs backend for '${backend}': tried ${tried.join(', ')}. Install @tensorflow/tfjs-backend-wasm or @tensorflow/tfjs-backend-cpu.`);
}
