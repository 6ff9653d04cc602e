// topActivationsInWorker: a scan of real photos through Darknet-Tiny in a Web Worker gives the
// in-page scan's result, while the page's timers keep firing; progress and abort work across.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import { useWebGL } from '../../src/backends/webgl';
import { toNet, topActivations, topActivationsInWorker, workerTensorCount, DeepvisError, type DatasetImage, type Net, type WorkerImage } from '../../src/index';
import { decodeImageBlob } from '../../src/dataset/in-worker';

declare const __DEEPVIS_SHARED__: string;

const MODEL = `${__DEEPVIS_SHARED__}/models/darknet-tiny-imagenet-tfjs/model.json`;
const PHOTOS = ['dog', 'eagle', 'giraffe', 'horses', 'kite', 'person', 'scream'].map((n) => `${__DEEPVIS_SHARED__}/images/darknet-samples-7/${n}.jpg`);
const LAYER = 'leaky_re_lu_3';

/** The longest gap between the ticks of a 10 ms interval while `work` runs. */
async function longestGap<T>(work: () => Promise<T>): Promise<{ result: T; gap: number }> {
  let last = performance.now();
  let gap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    gap = Math.max(gap, now - last);
    last = now;
  }, 10);
  try {
    const result = await work();
    return { result, gap: Math.max(gap, performance.now() - last) };
  } finally {
    clearInterval(timer);
  }
}

describe.skipIf(!__DEEPVIS_SHARED__)('topActivationsInWorker', () => {
  let worker: Worker;
  let files: WorkerImage[];
  let net: Net;

  beforeAll(async () => {
    await useWebGL();
    worker = new Worker(new URL('../../src/backends/top-activations.worker.ts', import.meta.url), { type: 'module' });
    files = await Promise.all(PHOTOS.map(async (url) => ({ id: url.split('/').pop()!, image: await (await fetch(url)).blob() })));
    net = toNet(await tfl.loadLayersModel(MODEL), { inputRange: [0, 1] });
  });
  afterAll(() => {
    worker?.terminate();
    net?.dispose();
  });

  it('scans in the worker: the in-page result, with progress, while the page keeps ticking', async () => {
    const options = { layers: [LAYER], k: 3, batchSize: 2, size: [160, 160] as [number, number] };
    const progress: number[] = [];
    // The first scan also loads the model in the worker.
    const { result: inWorker, gap } = await longestGap(() => topActivationsInWorker(worker, files, {
      ...options, model: MODEL, onProgress: (p) => progress.push(p.images),
    }));
    expect(progress).toEqual([2, 4, 6, 7]);

    async function* decoded(): AsyncGenerator<DatasetImage> {
      for (const f of files) yield { id: f.id, pixels: await decodeImageBlob(f.image) };
    }
    const { result: inPage, gap: pageGap } = await longestGap(() => topActivations(net, decoded(), { ...options, dispose: true }));
    console.log(`longest gap between 10 ms ticks: ${gap.toFixed(0)} ms with the worker, ${pageGap.toFixed(0)} ms in the page`);
    expect(inWorker.images).toBe(7);
    expect(inWorker.size).toEqual([160, 160]);
    const units = inWorker.layers[LAYER].units;
    expect(units).toHaveLength(inPage.layers[LAYER].units.length);
    units.forEach((list, c) => {
      const page = inPage.layers[LAYER].units[c];
      expect(list.map((e) => [e.id, e.y, e.x])).toEqual(page.map((e) => [e.id, e.y, e.x]));
      list.forEach((e, i) => expect(Math.abs(e.value - page[i].value)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(e.value))));
    });
    // The page's timers never waited long on the worker's scan (a second at most, on a machine
    // busy with other work too), and far less than they wait on the same scan in the page.
    expect(gap).toBeLessThan(1000);
    expect(gap * 5).toBeLessThan(pageGap);
  });

  it('aborts mid-scan with ABORTED, leaving no tensors in the worker; errors keep their code and message', async () => {
    const before = await workerTensorCount(worker);
    const controller = new AbortController();
    const error = await topActivationsInWorker(worker, [...files, ...files.map((f) => ({ ...f, id: `again ${f.id}` }))], {
      model: MODEL, layers: [LAYER], batchSize: 1, size: [160, 160], signal: controller.signal,
      onProgress: (p) => {
        if (p.images === 2) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeepvisError);
    expect((error as DeepvisError).code).toBe('ABORTED');
    expect(await workerTensorCount(worker)).toBe(before);

    const unknown = await topActivationsInWorker(worker, files.slice(0, 1), { model: MODEL, layers: ['leaky_re_lu_99'] }).catch((e: unknown) => e);
    let inPage: unknown;
    try {
      await topActivations(net, [], { layers: ['leaky_re_lu_99'] });
    } catch (e) {
      inPage = e;
    }
    expect((unknown as DeepvisError).code).toBe('UNKNOWN_LAYER');
    expect((unknown as Error).message).toBe((inPage as Error).message);
    expect(await workerTensorCount(worker)).toBe(before);
  });
});
