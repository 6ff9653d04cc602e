import { setMaxListeners } from 'node:events';
import * as tf from '@tensorflow/tfjs-core';
import { mergeTopActivations } from '../dataset/merge';
import type { TopActivations, TopActivationsProgress } from '../dataset/top-activations';
import { DeepvisError, checkOption, throwIfAborted } from '../errors';
import type { OptimizeResult } from '../optimize/loop';
import { presetNamed, type ImageRef, type JobInput, type JobKind, type JobOutput, type UnitTarget } from './jobs';
import type { JobRunner } from './pool';

/**
 * Runs every input as one job of `kind` on `runner` (the runner queues them) and resolves
 * to their results in input order. The first failure aborts the rest; either way it settles
 * only once every job has stopped, so nothing is left running.
 */
export async function runJobs<K extends JobKind>(
  runner: JobRunner,
  kind: K,
  inputs: readonly JobInput<K>[],
  what: string,
  signal: AbortSignal | undefined,
  onProgress: (job: number, value: number) => void,
): Promise<JobOutput<K>[]> {
  throwIfAborted(signal, what);
  const stop = new AbortController();
  // One listener per job: many jobs are normal here.
  setMaxListeners(Infinity, stop.signal);
  const forward = () => stop.abort();
  signal?.addEventListener('abort', forward, { once: true });
  try {
    const settled = await Promise.allSettled(inputs.map((input, i) => runner.run(kind, input, { signal: stop.signal, onProgress: (v) => onProgress(i, v) })
      .catch((e: unknown) => {
        stop.abort();
        throw e;
      })));
    throwIfAborted(signal, what);
    // The first error that is not an abort this call caused (else the first error).
    const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason as Error);
    const cause = failures.find((e) => !(e instanceof DeepvisError && e.code === 'ABORTED')) ?? failures[0];
    if (cause) throw cause;
    return settled.map((s) => (s as PromiseFulfilledResult<JobOutput<K>>).value);
  } finally {
    signal?.removeEventListener('abort', forward);
  }
}

/** Options of {@link topActivationsInPool}. */
export interface PooledTopActivationsOptions {
  /** Tap names whose units to rank. */
  layers: readonly string[];
  /** Every image is centre-cropped to a square and resized (bilinear) to `[h, w]`. */
  size: readonly [number, number];
  /** Images kept per unit. Default 9. */
  k?: number;
  /** Images per forward pass. Default 8. */
  batchSize?: number;
  /** Batches per job (a job runs on one thread). Default 1. */
  batchesPerJob?: number;
  /** Called after each batch, on whichever thread it ran. */
  onProgress?: (progress: TopActivationsProgress) => void;
  /** Aborting rejects with an `AbortError` (code `ABORTED`) once every job has stopped. */
  signal?: AbortSignal;
}

/**
 * {@link topActivations} over image files (or plain pixels), spread over a worker pool:
 * the list is cut into jobs of whole batches, each thread scans its jobs, and the partial
 * results are merged ({@link mergeTopActivations}). The result equals one
 * `topActivations` run over the same images, cropped and resized the same way, in the same
 * batches. A string is a file path and also its id.
 *
 * @example
 * ```ts
 * const pool = await openWorkerPool({ model: 'darknet/model.json' });
 * const top = await topActivationsInPool(pool, files, { layers: ['leaky_re_lu_5'], size: [224, 224], onProgress: (p) => console.log(p.images) });
 * await pool.close();
 * ```
 */
export async function topActivationsInPool(
  runner: JobRunner,
  images: readonly (string | ImageRef)[],
  options: PooledTopActivationsOptions,
): Promise<TopActivations> {
  const { layers, size, k = 9, batchSize = 8, batchesPerJob = 1, onProgress, signal } = options ?? ({} as PooledTopActivationsOptions);
  checkOption(Array.isArray(size) && size.length === 2 && size.every((v) => Number.isInteger(v) && v > 0), 'size', 'two positive integers [h, w]', size);
  checkOption(Number.isInteger(batchSize) && batchSize > 0, 'batchSize', 'a positive integer', batchSize);
  checkOption(Number.isInteger(batchesPerJob) && batchesPerJob > 0, 'batchesPerJob', 'a positive integer', batchesPerJob);
  const refs = images.map((i) => (typeof i === 'string' ? { id: i, file: i } : i));
  const per = batchSize * batchesPerJob;
  // No images still runs one (empty) job: it checks the layers and gives the empty result.
  const jobs = Array.from({ length: Math.max(1, Math.ceil(refs.length / per)) }, (_, j) => ({
    images: refs.slice(j * per, (j + 1) * per), size: [size[0], size[1]] as const, layers: [...(layers ?? [])], k, batchSize,
  }));
  const seen = jobs.map(() => 0);
  let batches = 0;
  const results = await runJobs(runner, 'scan', jobs, 'topActivations', signal, (job, images) => {
    seen[job] = images;
    onProgress?.({ images: seen.reduce((a, b) => a + b, 0), batches: ++batches });
  });
  const merged = results.reduce((a, b) => mergeTopActivations(a, b));
  return { ...merged, size: [size[0], size[1]] };
}

/** Options of {@link optimizeUnitsInPool}. */
export interface PooledOptimizeOptions {
  /** The name of one of `PAPER_PRESETS`. Default `'paper preset 3'`. */
  preset?: string;
  /** Steps per target. Default: the preset's. */
  steps?: number;
  /** Image size `[h, w]` for fully convolutional nets. Default: the model's input size, else 227. */
  size?: readonly [number, number];
  /** Seed of every target's run. Default 0. */
  seed?: number;
  /** Targets per job (a job runs on one thread). Default 1. */
  targetsPerJob?: number;
  /** Steps done over all targets, after each step of any of them. */
  onProgress?: (progress: { readonly steps: number; readonly total: number }) => void;
  /** Aborting rejects with an `AbortError` (code `ABORTED`) once every job has stopped. */
  signal?: AbortSignal;
}

/**
 * Regularized optimization of many units spread over a worker pool, one run per target:
 * result `i` equals `optimizeUnit(net, objective_i, { ...preset, steps, size, seed })` in
 * one thread. Targets are plain data (`{ layer, unit }` for a channel at the centre of its
 * map, `{ class }` for a class logit); the images come back as tensors of this thread,
 * which the caller owns (`image` and `last`).
 *
 * @example
 * ```ts
 * const pool = await openWorkerPool({ model: 'darknet/model.json' });
 * const results = await optimizeUnitsInPool(pool, [{ class: 130 }, { layer: 'leaky_re_lu_5', unit: 7 }], { steps: 200, size: [128, 128] });
 * await writePng('flamingo.png', results[0].image);
 * for (const r of results) tf.dispose([r.image, r.last]);
 * await pool.close();
 * ```
 */
export async function optimizeUnitsInPool(runner: JobRunner, targets: readonly UnitTarget[], options: PooledOptimizeOptions = {}): Promise<OptimizeResult[]> {
  const { preset = 'paper preset 3', steps, size, seed, targetsPerJob = 1, onProgress, signal } = options;
  checkOption(Array.isArray(targets), 'targets', 'an array of { layer, unit } or { class }', targets);
  checkOption(Number.isInteger(targetsPerJob) && targetsPerJob > 0, 'targetsPerJob', 'a positive integer', targetsPerJob);
  const jobs = Array.from({ length: Math.ceil(targets.length / targetsPerJob) }, (_, j) => ({
    targets: targets.slice(j * targetsPerJob, (j + 1) * targetsPerJob), preset,
    ...(steps !== undefined ? { steps } : {}), ...(size ? { size: [size[0], size[1]] as const } : {}), ...(seed !== undefined ? { seed } : {}),
  }));
  const total = targets.length * (steps ?? presetNamed(preset).steps);
  let done = 0;
  const results = await runJobs(runner, 'optimize', jobs, 'optimizeUnitsInPool', signal, () => onProgress?.({ steps: ++done, total }));
  return results.flat().map((r) => ({
    image: tf.tensor3d(r.image, r.shape),
    last: tf.tensor3d(r.last, r.shape),
    best: r.best, bestStep: r.bestStep, activations: r.activations, majorityStep: r.majorityStep, scale: r.scale,
  }));
}
