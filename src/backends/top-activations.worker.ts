// The Web Worker behind topActivationsInWorker: loads a model once per URL, decodes each image
// file, and runs topActivations on its own backend (WebGL through an OffscreenCanvas, or cpu).
// Bundle it as a module worker: `new Worker(new URL('…/top-activations.worker.ts', import.meta.url), { type: 'module' })`
// from a source checkout, or `import ScanWorker from 'deepvis/top-activations-worker?worker'` (Vite).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import * as tfl from '@tensorflow/tfjs-layers';
import { decodeImageBlob, type FromScanWorker, type ToScanWorker, type WorkerImage } from '../dataset/in-worker';
import { topActivations, type DatasetImage } from '../dataset/top-activations';
import { toNet } from '../net/to-net';
import type { Net } from '../net/types';
import { toPlainError } from '../parallel/messages';

const scope = self as unknown as { postMessage(m: FromScanWorker): void; addEventListener(type: 'message', f: (e: MessageEvent<ToScanWorker>) => void): void };
const nets = new Map<string, Promise<Net>>();
const running = new Map<number, AbortController>();

/** The net of a model URL and input range, loaded once. */
function netFor(model: string, inputRange: Extract<ToScanWorker, { type: 'scan' }>['inputRange']): Promise<Net> {
  const key = JSON.stringify([model, inputRange ?? null]);
  let net = nets.get(key);
  if (!net) {
    net = tfl.loadLayersModel(model).then((m) => toNet(m, { inputRange: inputRange ?? [0, 1] }));
    nets.set(key, net);
    net.catch(() => nets.delete(key));
  }
  return net;
}

async function scan(m: Extract<ToScanWorker, { type: 'scan' }>): Promise<void> {
  const controller = new AbortController();
  running.set(m.id, controller);
  try {
    if (tf.getBackend() !== m.backend) await tf.setBackend(m.backend);
    const net = await netFor(m.model, m.inputRange);
    async function* decoded(images: readonly WorkerImage[]): AsyncGenerator<DatasetImage> {
      for (const { id, image } of images) yield { id, pixels: await decodeImageBlob(image) };
    }
    const result = await topActivations(net, decoded(m.images), {
      ...m.options, dispose: true, signal: controller.signal,
      onProgress: (progress) => scope.postMessage({ type: 'progress', id: m.id, progress }),
    });
    scope.postMessage({ type: 'done', id: m.id, result });
  } catch (e) {
    scope.postMessage({ type: 'error', id: m.id, error: toPlainError(e) });
  } finally {
    running.delete(m.id);
  }
}

scope.addEventListener('message', (event) => {
  const m = event.data;
  if (m.type === 'abort') running.get(m.id)?.abort();
  else if (m.type === 'tensors') scope.postMessage({ type: 'tensors', id: m.id, count: tf.memory().numTensors });
  else void scan(m);
});
