import { existsSync } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mergeTopActivations } from '../dataset/merge';
import type { TopActivations } from '../dataset/top-activations';
import type { ImageRef } from '../parallel/jobs';
import { topActivationsInPool } from '../parallel/pooled';
import { str, type Values } from './args';
import type { RunContext } from './context';
import { inputError, usageError } from './errors';

/** Images per forward pass of a scan: shards and checkpoints cut the list only between whole batches. */
export const SCAN_BATCH = 8;

/** `--shard i/N`: the i-th (from 0) of N slices of the sorted input list. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** `--shard i/N` checked (0 ≤ i < N), or undefined when absent. */
export function shardOption(values: Values): Shard | undefined {
  const raw = str(values, 'shard');
  if (raw === undefined) return undefined;
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  const [index, count] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!(count >= 1 && index >= 0 && index < count)) {
    throw usageError(`Option --shard must be i/N with 0 ≤ i < N (the i-th of N slices, from 0); got '${raw}'.`, 'For 4 machines: --shard 0/4, --shard 1/4, --shard 2/4 and --shard 3/4.');
  }
  return { index, count };
}

/**
 * Shard `i` of `n` of a list cut into batches of `batch`: batches `⌊i·B/n⌋…⌊(i+1)·B/n⌋`, so
 * every image keeps the batch it has in one run over the whole list.
 */
export function shardSlice<T>(list: readonly T[], shard: Shard, batch = SCAN_BATCH): T[] {
  const batches = Math.ceil(list.length / batch);
  const from = Math.floor((shard.index * batches) / shard.count) * batch;
  const to = Math.floor(((shard.index + 1) * batches) / shard.count) * batch;
  return list.slice(from, to);
}

/** What `deepvis topk` writes as `top.json`, and what `deepvis merge` reads. */
export interface TopFile {
  /** The layer scanned. */
  readonly layer: string;
  /** The folder the image ids are relative to (null for inputs that are not files). */
  readonly root: string | null;
  /** Which slice of the input list this is (absent: all of it). */
  readonly shard?: Shard;
  /** The model, as `--model` named it. */
  readonly model: string;
  readonly top: TopActivations;
}

/** Writes JSON to `path` through a temporary file and a rename: a reader sees the old file or the new one, never half of one. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  await writeFile(temporary, JSON.stringify(value));
  await rename(temporary, path);
}

/** Reads a `top.json` (or the one inside a folder); a missing or foreign file exits with code 3. */
export async function readTopFile(spec: string): Promise<TopFile> {
  const path = existsSync(spec) && (await stat(spec)).isDirectory() ? join(spec, 'top.json') : spec;
  let file: TopFile;
  try {
    file = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw inputError(`Cannot read the shard result '${path}': ${(e as Error).message}`, 'Give --shards the top.json files (or their folders) that deepvis topk --shard wrote.');
  }
  if (!file || typeof file.layer !== 'string' || !file.top || typeof file.top.k !== 'number') {
    throw inputError(`'${path}' is not a deepvis topk result (no layer or top in it).`, 'Give --shards the top.json files (or their folders) that deepvis topk --shard wrote.');
  }
  return file;
}

/** Options of {@link scanWithCheckpoints}. */
export interface CheckpointedScan {
  readonly layer: string;
  readonly k: number;
  readonly size: readonly [number, number];
  /** The checkpoint file: resumed from when it matches `key`, rewritten every `every` images, removed at the end. */
  readonly file: string;
  readonly every: number;
  /** What the run is (options, inputs): a checkpoint made by another run is not resumed. */
  readonly key: string;
}

/**
 * A scan in chunks of whole batches (at least `every` images), writing after each chunk a
 * checkpoint (the images done and the result so far); a run that finds a checkpoint of the
 * same run goes on from there. Merging chunks is exact, so the result equals one
 * uninterrupted scan.
 */
export async function scanWithCheckpoints(ctx: RunContext, refs: readonly ImageRef[], o: CheckpointedScan): Promise<TopActivations> {
  let done = 0;
  let top: TopActivations | null = null;
  if (existsSync(o.file)) {
    try {
      const saved = JSON.parse(await readFile(o.file, 'utf8')) as { key: string; done: number; top: TopActivations };
      if (saved.key === o.key) [done, top] = [saved.done, saved.top];
      else ctx.warn(`ignoring the checkpoint ${o.file}: another run (other options or images) wrote it`);
    } catch (e) {
      ctx.warn(`ignoring the checkpoint ${o.file}: ${(e as Error).message}`);
    }
    if (done > 0) ctx.info(`resuming from ${o.file}: ${done} of ${refs.length} images already scanned`);
  }
  const chunk = Math.ceil(o.every / SCAN_BATCH) * SCAN_BATCH;
  const scan = ctx.bar('scan', refs.length);
  const runner = await ctx.runner(Math.ceil((refs.length - done) / SCAN_BATCH));
  for (let start = done; start < refs.length || top === null; start += chunk) {
    const part = await topActivationsInPool(runner, refs.slice(start, start + chunk), {
      layers: [o.layer], size: o.size, k: o.k, batchSize: SCAN_BATCH,
      onProgress: (p) => scan.update(start + p.images),
    });
    top = top ? mergeTopActivations(top, part) : part;
    done = Math.min(refs.length, start + chunk);
    if (done < refs.length) await writeJsonAtomic(o.file, { key: o.key, done, top });
  }
  scan.done();
  await rm(o.file, { force: true });
  return top;
}
