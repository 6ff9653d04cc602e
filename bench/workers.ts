// Throughput with the Node worker pool against one thread, side by side in one run:
// topActivations over the shared photos (images/s) and a many-unit optimization (units/s).
import { availableParallelism } from 'node:os';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../src/cli/model';
import { openWorkerPool, optimizeUnitsInPool, topActivationsInPool, type JobRunner, type NodeBackendName } from '../src/backends/node';
import { inProcessRunner } from '../src/parallel/in-process';
import { optimizeUnits, PAPER_PRESETS } from '../src/optimize/index';
import { channel } from '../src/objectives/index';
import * as tf from '@tensorflow/tfjs-core';
import { median, type Row } from './harness';

const env = globalThis.process.env;
const LAYER = 'leaky_re_lu_5';

/** Every photo under `folder`, sorted. */
function photosUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().map((f) => join(folder, f));
}

async function seconds(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
}

/**
 * Rows of the `workers` section: images/s of a pooled scan and units/s of pooled
 * optimizations with 1 thread (this process) and N worker threads, and the speed-ups.
 * Knobs: BENCH_WORKERS (N, default the cores), BENCH_WORKER_IMAGES, BENCH_WORKER_UNITS (16),
 * BENCH_WORKER_STEPS (10), BENCH_WORKER_SIZE (the bench size), BENCH_WORKER_ROUNDS (3: one thread
 * and the pool in turns, medians).
 */
export async function benchWorkers(darknet: string, photosFolder: string, backend: NodeBackendName, size: number): Promise<Row[]> {
  const workers = Number(env.BENCH_WORKERS ?? availableParallelism());
  const photos = photosUnder(photosFolder).slice(0, Number(env.BENCH_WORKER_IMAGES ?? Infinity));
  const units = Number(env.BENCH_WORKER_UNITS ?? 16);
  const steps = Number(env.BENCH_WORKER_STEPS ?? 10);
  const side = Number(env.BENCH_WORKER_SIZE ?? size);
  const rounds = Number(env.BENCH_WORKER_ROUNDS ?? 3);
  const rows: Row[] = [];
  const row = (metric: string, value: number, unit: string, note?: string) => rows.push({ section: 'workers', backend, metric, value, unit, ...(note ? { note } : {}) });

  const model = await loadModel(darknet, [0, 1], () => {});
  const here = inProcessRunner(model);
  let pool: Awaited<ReturnType<typeof openWorkerPool>> | undefined;
  try {
    const started = await seconds(async () => {
      pool = await openWorkerPool({ workers, model: darknet, inputRange: [0, 1], backend });
    });
    row(`pool start, ${workers} threads`, started, 's', 'each thread loads tfjs and the model');
    const runners: [string, JobRunner][] = [['1 thread', here], [`${workers} workers`, pool!]];

    // Scan: every photo, centre-cropped and resized, in batches of 4 (a job each): 87 photos make
    // 22 jobs, 11 per thread; batches of 8 would make 11 jobs, 6 on one thread and 5 on the
    // other, capping 2 threads at 87/48 = 1.81× whatever the threads do.
    const scanOptions = { layers: [LAYER], size: [side, side] as const, batchSize: 4 };
    const scanRate: number[][] = runners.map(() => []);
    for (const [, runner] of runners) await topActivationsInPool(runner, photos.slice(0, scanOptions.batchSize * runner.size), scanOptions); // warm every thread
    // One thread and the pool in turns, `rounds` times: a busy spell of the machine falls on both.
    for (let round = 0; round < rounds; round++) {
      for (const [k, [, runner]] of runners.entries()) scanRate[k].push(photos.length / (await seconds(() => topActivationsInPool(runner, photos, scanOptions))));
    }
    for (const [k, [name]] of runners.entries()) {
      row(`topActivations, ${name}`, median(scanRate[k]), 'images/s', `${photos.length} photos at ${side}², ${LAYER}, batches of ${scanOptions.batchSize}; median of ${rounds} in turns`);
    }
    row(`topActivations speed-up, ${workers} workers`, median(scanRate[1]) / median(scanRate[0]), '×', 'target ≥ 1.8× on 2 cores');

    // Optimization: `units` units of one layer, preset 3, one run per unit.
    const targets = Array.from({ length: units }, (_, u) => ({ layer: LAYER, unit: u }));
    const optimizeOptions = { preset: PAPER_PRESETS[2].name, steps, size: [side, side] as const };
    const unitRate: number[][] = runners.map(() => []);
    for (const [, runner] of runners) {
      await optimizeUnitsInPool(runner, targets.slice(0, runner.size), { ...optimizeOptions, steps: 2 }).then((r) => r.forEach((x) => tf.dispose([x.image, x.last])));
    }
    for (let round = 0; round < rounds; round++) {
      for (const [k, [, runner]] of runners.entries()) {
        unitRate[k].push(units / (await seconds(async () => {
          for (const r of await optimizeUnitsInPool(runner, targets, optimizeOptions)) tf.dispose([r.image, r.last]);
        })));
      }
    }
    for (const [k, [name]] of runners.entries()) {
      row(`optimizeUnits ${units} units, ${name}`, median(unitRate[k]), 'units/s', `${steps} steps of preset 3 at ${side}², one run per unit; median of ${rounds} in turns`);
    }
    // The batched way in one thread (all units in one batch), for comparison.
    const batched = await seconds(async () => {
      const results = await optimizeUnits(model.net, targets.map((t) => channel(t.layer, t.unit)), { ...PAPER_PRESETS[2], steps, size: [side, side] });
      for (const r of results) tf.dispose([r.image, r.last]);
    });
    row(`optimizeUnits ${units} units, 1 thread batched`, units / batched, 'units/s', 'all units in one batch');
    row(`optimizeUnits speed-up, ${workers} workers`, median(unitRate[1]) / median(unitRate[0]), '×', 'target ≥ 1.8× on 2 cores');
  } finally {
    await pool?.close();
    model.dispose();
  }
  return rows;
}
