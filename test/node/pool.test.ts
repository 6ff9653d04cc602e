// The Node worker pool: pooled scans and optimizations equal one thread bit for bit; errors,
// aborts and progress behave as in one thread; no tensors or threads are left behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { loadModel, type LoadedModel } from '../../src/cli/model';
import { fileInput } from '../../src/cli/images';
import { topActivations, type DatasetImage } from '../../src/dataset/index';
import { DeepvisError } from '../../src/errors';
import { channel, classLogit } from '../../src/objectives/index';
import { optimizeUnit, PAPER_PRESETS } from '../../src/optimize/index';
import { openWorkerPool, optimizeUnitsInPool, topActivationsInPool, type WorkerPool } from '../../src/backends/node';
import { inProcessRunner } from '../../src/parallel/in-process';
import { DARKNET, HAS_DARKNET, sharedImages } from '../helpers/shared';

const backend = (process.env.DEEPVIS_BACKEND ?? 'cpu') as 'wasm' | 'cpu';
const LAYER = 'leaky_re_lu_3';
const SIZE = [64, 64] as const;

describe.skipIf(!HAS_DARKNET)('worker pool on Darknet-Tiny', () => {
  let pool: WorkerPool;
  let model: LoadedModel;
  const photos = sharedImages().slice(0, 12);

  beforeAll(async () => {
    [pool, model] = await Promise.all([
      openWorkerPool({ workers: 2, model: DARKNET, backend }),
      loadModel(DARKNET, undefined, () => {}),
    ]);
  });
  afterAll(async () => {
    await pool?.close();
    model?.dispose();
  });

  it('scans photos across two threads into the result of one topActivations run, bit for bit', async () => {
    const progress: number[] = [];
    const pooled = await topActivationsInPool(pool, photos, { layers: [LAYER], size: SIZE, k: 4, batchSize: 3, onProgress: (p) => progress.push(p.images) });
    async function* stream(): AsyncGenerator<DatasetImage> {
      for (const f of photos) yield { id: f, pixels: await fileInput(f, f, SIZE[0], SIZE[1]).load() };
    }
    const before = tf.memory().numTensors;
    const one = await topActivations(model.net, stream(), { layers: [LAYER], k: 4, batchSize: 3, dispose: true });
    expect(tf.memory().numTensors).toBe(before);
    expect(pooled.layers).toEqual(one.layers);
    expect(pooled.images).toBe(12);
    expect(pooled.size).toEqual([64, 64]);
    // One report per batch of 3; the last says all 12.
    expect(progress).toHaveLength(4);
    expect(progress.at(-1)).toBe(12);
    expect(pooled.layers[LAYER].units[0][0].value).toBeGreaterThan(0);
    // The in-process runner (the CLI's --workers 1) runs the same jobs: the same result.
    expect((await topActivationsInPool(inProcessRunner(model), photos, { layers: [LAYER], size: SIZE, k: 4, batchSize: 3 })).layers).toEqual(one.layers);
  });

  it('optimizes units across threads: each equals optimizeUnit in this thread, bit for bit', async () => {
    const options = { ...PAPER_PRESETS[2], steps: 4, size: [48, 48] as [number, number], seed: 3 };
    const steps: number[] = [];
    const pooled = await optimizeUnitsInPool(pool, [{ class: 130 }, { layer: LAYER, unit: 5 }, { class: 7 }], {
      preset: 'paper preset 3', steps: 4, size: [48, 48], seed: 3, onProgress: (p) => steps.push(p.steps),
    });
    expect(steps).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    for (const [i, objective] of [classLogit(130), channel(LAYER, 5), classLogit(7)].entries()) {
      const one = await optimizeUnit(model.net, objective, options);
      expect(pooled[i].image.shape).toEqual([48, 48, 3]);
      expect(pooled[i].image.dataSync()).toEqual(one.image.dataSync());
      expect(pooled[i].last.dataSync()).toEqual(one.last.dataSync());
      expect(pooled[i].activations).toEqual(one.activations);
      expect([pooled[i].best, pooled[i].bestStep, pooled[i].scale]).toEqual([one.best, one.bestStep, one.scale]);
      tf.dispose([one.image, one.last, pooled[i].image, pooled[i].last]);
    }
  });

  it('rejects with the error one thread throws: same class, code and message', async () => {
    let inThread: unknown;
    try {
      await topActivations(model.net, [], { layers: ['leaky_re_lu_99'] });
    } catch (e) {
      inThread = e;
    }
    expect(inThread).toBeInstanceOf(DeepvisError);
    const pooled = await topActivationsInPool(pool, photos.slice(0, 2), { layers: ['leaky_re_lu_99'], size: SIZE }).catch((e: unknown) => e);
    expect(pooled).toBeInstanceOf(DeepvisError);
    expect((pooled as DeepvisError).code).toBe('UNKNOWN_LAYER');
    expect((pooled as DeepvisError).message).toBe((inThread as DeepvisError).message);
    const preset = await optimizeUnitsInPool(pool, [{ class: 1 }], { preset: 'paper preset 9' }).catch((e: unknown) => e);
    expect(`${(preset as DeepvisError).code}: ${(preset as Error).message}`).toBe(
      "BAD_OPTION: Option 'preset' must name one of 'paper preset 1', 'paper preset 2', 'paper preset 3', 'paper preset 4', 'lucid'; got 'paper preset 9'.");
  });

  it('aborts mid-run: rejects with ABORTED once every job has stopped, leaving no tensors; the pool goes on', async () => {
    const baseline = await pool.tensorCounts();
    const controller = new AbortController();
    let reports = 0;
    const run = optimizeUnitsInPool(pool, [{ class: 1 }, { class: 2 }, { class: 3 }, { class: 4 }], {
      steps: 200, size: [48, 48], signal: controller.signal,
      onProgress: () => {
        if (++reports === 3) controller.abort();
      },
    });
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeepvisError);
    expect((error as DeepvisError).code).toBe('ABORTED');
    expect((error as Error).name).toBe('AbortError');
    expect(reports).toBeLessThan(200);
    expect(await pool.tensorCounts()).toEqual(baseline);
    const after = await topActivationsInPool(pool, photos.slice(0, 2), { layers: [LAYER], size: SIZE });
    expect(after.images).toBe(2);
  });

  it('a scan aborted as it takes an image disposes that image too (dispose: true), here and in the threads', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    async function* stream(): AsyncGenerator<DatasetImage> {
      for (let i = 0; i < 6; i++) {
        if (i === 3) controller.abort();
        yield { id: `grey ${i}`, pixels: tf.fill([32, 32, 3], i * 10) as tf.Tensor3D };
      }
    }
    const error = await topActivations(model.net, stream(), { layers: [LAYER], batchSize: 2, dispose: true, signal: controller.signal }).catch((e: unknown) => e);
    expect((error as DeepvisError).code).toBe('ABORTED');
    expect(tf.memory().numTensors).toBe(before);

    const baseline = await pool.tensorCounts();
    const scan = new AbortController();
    const pooled = await topActivationsInPool(pool, photos, {
      layers: [LAYER], size: SIZE, batchSize: 1, signal: scan.signal, onProgress: (p) => p.images === 3 && scan.abort(),
    }).catch((e: unknown) => e);
    expect((pooled as DeepvisError).code).toBe('ABORTED');
    expect(await pool.tensorCounts()).toEqual(baseline);
  });

  it('keeps its threads and their tensor counts flat over 100 jobs', async () => {
    const threads = pool.threadIds;
    const baseline = await pool.tensorCounts();
    const tiny = Array.from({ length: 100 }, (_, i) => ({ id: `grey ${i}`, pixels: new Float32Array(32 * 32 * 3).fill(i * 2.5), shape: [32, 32, 3] as const }));
    const top = await topActivationsInPool(pool, tiny, { layers: [LAYER], size: [32, 32], k: 2, batchSize: 1 });
    expect(top.images).toBe(100);
    // The brightest greys excite unit 0 most or least: either way the ids are real greys.
    expect(top.layers[LAYER].units[0].map((e) => e.id)).toHaveLength(2);
    expect(pool.threadIds).toEqual(threads);
    expect(await pool.tensorCounts()).toEqual(baseline);
  });
});

describe.skipIf(!HAS_DARKNET)('worker pool lifecycle', () => {
  it('a model that does not load rejects openWorkerPool with its message and leaves no thread', async () => {
    const error = await openWorkerPool({ workers: 2, model: '/no/such/model.json', backend }).catch((e: unknown) => e);
    expect((error as Error).message).toBe("Model file not found: '/no/such/model.json'.");
  });

  it('close ends every thread and fails the jobs still queued', async () => {
    const pool = await openWorkerPool({ workers: 1, model: DARKNET, backend });
    expect(pool.threadIds).toHaveLength(1);
    const queued = topActivationsInPool(pool, sharedImages().slice(0, 4), { layers: [LAYER], size: SIZE, batchSize: 1 }).catch((e: unknown) => e);
    await pool.close();
    expect(pool.threadIds).toEqual([]);
    expect(pool.size).toBe(0);
    expect(((await queued) as DeepvisError).code).toBe('ABORTED');
    expect(((await pool.run('tensors', undefined as never).catch((e: unknown) => e)) as DeepvisError).code).toBe('ABORTED');
  });
});
