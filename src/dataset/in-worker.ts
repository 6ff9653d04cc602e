import * as tf from '@tensorflow/tfjs-core';
import { DeepvisError, checkOption, throwIfAborted } from '../errors';
import { fromPlainError, type PlainError, type PlainInputRange } from '../parallel/messages';
import type { TopActivations, TopActivationsOptions, TopActivationsProgress } from './top-activations';
import { DEFAULT_SCAN_WORKER_BACKEND, type ScanWorkerBackend } from '../backends/names';

/** One image for {@link topActivationsInWorker}: an id and an encoded file (PNG, JPEG, WebP…) or a decoded bitmap. */
export interface WorkerImage {
  readonly id: string;
  readonly image: Blob | ImageBitmap;
}

/** Options of {@link topActivationsInWorker}: those of `topActivations`, and the model the worker loads. */
export interface TopActivationsInWorkerOptions extends Pick<TopActivationsOptions, 'layers' | 'k' | 'batchSize' | 'size' | 'onProgress' | 'signal'> {
  /** URL of the model.json the worker loads (once per URL; later scans reuse it). */
  model: string;
  /** The model's input range (`[0, 1]`, `[-1, 1]`, `[0, 255]`, `{ mean, std, bgr }`). Default `[0, 1]`. */
  inputRange?: PlainInputRange;
  /** The worker's backend: WebGL (through an OffscreenCanvas) or cpu. Default WebGL. */
  backend?: ScanWorkerBackend;
}

/** What the page sends the scan worker. */
export type ToScanWorker =
  | { readonly type: 'scan'; readonly id: number; readonly model: string; readonly inputRange?: PlainInputRange; readonly backend: ScanWorkerBackend;
    readonly images: readonly WorkerImage[]; readonly options: Pick<TopActivationsOptions, 'layers' | 'k' | 'batchSize' | 'size'> }
  | { readonly type: 'abort'; readonly id: number }
  | { readonly type: 'tensors'; readonly id: number };

/** What the scan worker sends back. */
export type FromScanWorker =
  | { readonly type: 'progress'; readonly id: number; readonly progress: TopActivationsProgress }
  | { readonly type: 'done'; readonly id: number; readonly result: TopActivations }
  | { readonly type: 'error'; readonly id: number; readonly error: PlainError }
  | { readonly type: 'tensors'; readonly id: number; readonly count: number };

let nextId = 1;

/** Sends one request and resolves with the worker's answer to it, relaying progress. */
function request<T>(worker: Worker, message: ToScanWorker, onProgress?: (p: TopActivationsProgress) => void, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (event: MessageEvent<FromScanWorker>) => {
      const m = event.data;
      if (m.id !== message.id) return;
      if (m.type === 'progress') {
        onProgress?.(m.progress);
        return;
      }
      worker.removeEventListener('message', onMessage);
      signal?.removeEventListener('abort', onAbort);
      if (m.type === 'error') reject(fromPlainError(m.error));
      else resolve((m.type === 'done' ? m.result : m.count) as T);
    };
    // The worker stops at its next batch and answers with ABORTED: nothing of the scan is left there.
    const onAbort = () => worker.postMessage({ type: 'abort', id: message.id } satisfies ToScanWorker);
    worker.addEventListener('message', onMessage);
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.postMessage(message);
  });
}

/**
 * {@link topActivations} over image files in a Web Worker, so that the page stays
 * responsive while it scans: the worker (made from `deepvis/top-activations-worker`, or
 * `src/backends/top-activations.worker.ts` in a source checkout) loads
 * the model once, decodes each file, and runs the scan on its own backend. Progress and
 * abort work as in the page; the result is the plain JSON `topActivations` gives.
 *
 * @example
 * ```ts
 * import ScanWorker from 'deepvis/top-activations-worker?worker';   // Vite; or new Worker(url, { type: 'module' })
 * const worker = new ScanWorker();
 * const files = [...input.files!].map((f) => ({ id: f.name, image: f }));
 * const top = await topActivationsInWorker(worker, files, {
 *   model: '/models/darknet/model.json', layers: ['leaky_re_lu_5'], size: [224, 224],
 *   onProgress: (p) => (status.textContent = `${p.images} images`),
 * });
 * ```
 */
export function topActivationsInWorker(worker: Worker, images: readonly WorkerImage[], options: TopActivationsInWorkerOptions): Promise<TopActivations> {
  const { model, inputRange, backend = DEFAULT_SCAN_WORKER_BACKEND, layers, k, batchSize, size, onProgress, signal } = options ?? ({} as TopActivationsInWorkerOptions);
  try {
    checkOption(typeof Worker !== 'undefined' && worker instanceof Worker, 'worker', 'a Worker made from deepvis/top-activations-worker', worker);
    checkOption(typeof model === 'string' && model.length > 0, 'model', 'the URL of a model.json', model);
    checkOption(Array.isArray(images) && images.every((i) => i && typeof i.id === 'string'), 'images', 'an array of { id, image: Blob | ImageBitmap }', images);
    throwIfAborted(signal, 'topActivationsInWorker');
  } catch (e) {
    return Promise.reject(e);
  }
  const scanOptions = { layers, ...(k !== undefined ? { k } : {}), ...(batchSize !== undefined ? { batchSize } : {}), ...(size ? { size } : {}) };
  return request<TopActivations>(worker, { type: 'scan', id: nextId++, model, inputRange, backend, images, options: scanOptions }, onProgress, signal);
}

/**
 * How many tensors the scan worker's engine holds: a check that scans (finished, failed or
 * aborted) leave nothing behind there.
 *
 * @example
 * ```ts
 * const before = await workerTensorCount(worker);
 * await topActivationsInWorker(worker, files, options);
 * console.assert((await workerTensorCount(worker)) === before);
 * ```
 */
export function workerTensorCount(worker: Worker): Promise<number> {
  return request<number>(worker, { type: 'tensors', id: nextId++ });
}

/**
 * An image file's pixels (PNG, JPEG, WebP: what the browser decodes) as a `[h, w, 3]` float32
 * tensor of 0–255 RGB, decoded through an OffscreenCanvas: works in a page and in a worker.
 * The caller owns the result.
 */
export async function decodeImageBlob(image: Blob | ImageBitmap): Promise<tf.Tensor3D> {
  let bitmap: ImageBitmap;
  try {
    bitmap = image instanceof Blob ? await createImageBitmap(image) : image;
  } catch (e) {
    throw new DeepvisError('BAD_VALUE', `Cannot decode an image file (${(image as Blob).type || 'unknown type'}, ${(image as Blob).size} bytes): ${(e as Error).message}`);
  }
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d')!;
  context.drawImage(bitmap, 0, 0);
  if (image instanceof Blob) bitmap.close();
  const data = context.getImageData(0, 0, canvas.width, canvas.height);
  return tf.tidy(() => tf.cast(tf.browser.fromPixels(data, 3), 'float32'));
}
