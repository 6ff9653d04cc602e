import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { backwardRow, type BackwardViewOptions } from '../cli/commands/backward';
import { fileInput } from '../cli/images';
import type { LoadedModel } from '../cli/model';
import { topActivations, type DatasetImage, type TopActivations } from '../dataset/top-activations';
import { DeepvisError } from '../errors';
import { channel, classLogit, type Objective } from '../objectives/index';
import { optimizeUnits } from '../optimize/optimize-unit';
import { LUCID_PRESET, PAPER_PRESETS, type Preset } from '../optimize/index';

/**
 * An image a job reads, as plain data: a file (decoded, centre-cropped and resized to the
 * job's size where the job runs) or its `[h, w, 3]` 0–255 RGB pixels.
 */
export type ImageRef =
  | { readonly id: string; readonly file: string }
  | { readonly id: string; readonly pixels: Float32Array; readonly shape: readonly [number, number, number] };

/** A unit to optimize, as plain data: a channel of a layer (at the centre of its map) or a class logit. */
export type UnitTarget = { readonly layer: string; readonly unit: number } | { readonly class: number };

/** A slice of a {@link topActivations} scan: every image at `size`, in batches of `batchSize`. */
export interface ScanJob {
  readonly images: readonly ImageRef[];
  readonly size: readonly [number, number];
  readonly layers: readonly string[];
  readonly k: number;
  readonly batchSize: number;
}

/** Optimizations of units, one run per target (as `optimizeUnit` on each), with a preset by name. */
export interface OptimizeJob {
  readonly targets: readonly UnitTarget[];
  /** The name of one of `PAPER_PRESETS` (`'paper preset 3'`) or of `LUCID_PRESET`. */
  readonly preset: string;
  readonly steps?: number;
  readonly size?: readonly [number, number];
  readonly seed?: number;
}

/** One target's optimization result as plain data (`OptimizeResult` with the images as arrays). */
export interface PlainOptimizeResult {
  readonly image: Float32Array;
  readonly last: Float32Array;
  readonly shape: [number, number, number];
  readonly best: number;
  readonly bestStep: number;
  readonly activations: number[];
  readonly majorityStep: number | null;
  readonly scale: number;
}

/** One input's backward view (the CLI's `backward` row), written as PNGs under `outDir`. */
export interface BackwardRowJob {
  readonly image: ImageRef;
  readonly index: number;
  readonly view: BackwardViewOptions;
  /** The output folder being written. */
  readonly outDir: string;
  readonly seed: number;
}

/** What a running job gets besides its input: the model, the abort signal and a progress callback. */
export interface JobContext<P> {
  readonly model: LoadedModel;
  readonly signal: AbortSignal;
  progress(value: P): void;
}

/** The image's pixels as a new tensor (the caller owns it): files fitted to `[h, w]`, pixels as given. */
export function loadRef(ref: ImageRef, size: readonly [number, number]): Promise<tf.Tensor3D> {
  if ('file' in ref) return fileInput(ref.id, ref.file, size[0], size[1]).load();
  return Promise.resolve(tf.tensor3d(ref.pixels, [...ref.shape]));
}

/** The objective a plain target names. */
export function targetObjective(target: UnitTarget): Objective {
  return 'class' in target ? classLogit(target.class) : channel(target.layer, target.unit);
}

/** The presets a job may name. */
const PRESETS: readonly Preset[] = [...PAPER_PRESETS, LUCID_PRESET];

/** The preset a job names: one of `PAPER_PRESETS` or `LUCID_PRESET` by name, else BAD_OPTION listing them. */
export function presetNamed(name: string): Preset {
  const preset = PRESETS.find((p) => p.name === name);
  if (!preset) throw new DeepvisError('BAD_OPTION', `Option 'preset' must name one of ${PRESETS.map((p) => `'${p.name}'`).join(', ')}; got '${name}'.`);
  return preset;
}

async function scan(input: ScanJob, ctx: JobContext<number>): Promise<TopActivations> {
  async function* stream(): AsyncGenerator<DatasetImage> {
    for (const ref of input.images) yield { id: ref.id, pixels: await loadRef(ref, input.size) };
  }
  return topActivations(ctx.model.net, stream(), {
    layers: input.layers, k: input.k, batchSize: input.batchSize, dispose: true, signal: ctx.signal,
    onProgress: (p) => ctx.progress(p.images),
  });
}

async function optimize(input: OptimizeJob, ctx: JobContext<number>): Promise<PlainOptimizeResult[]> {
  const preset = presetNamed(input.preset);
  const results: PlainOptimizeResult[] = [];
  for (const target of input.targets) {
    const [r] = await optimizeUnits(ctx.model.net, [targetObjective(target)], {
      ...preset,
      ...(input.steps !== undefined ? { steps: input.steps } : {}),
      ...(input.size ? { size: [input.size[0], input.size[1]] as [number, number] } : {}),
      seed: input.seed ?? 0,
      signal: ctx.signal,
      onStep: (s) => ctx.progress(s.step + 1),
    });
    try {
      const [image, last] = await Promise.all([r.image.data() as Promise<Float32Array>, r.last.data() as Promise<Float32Array>]);
      const { best, bestStep, activations, majorityStep, scale } = r;
      results.push({ image, last, shape: [...r.image.shape], best, bestStep, activations, majorityStep, scale });
    } finally {
      tf.dispose([r.image, r.last]);
    }
  }
  return results;
}

async function backwardRowJob(input: BackwardRowJob, ctx: JobContext<number>): Promise<string> {
  const { model } = ctx;
  const rowContext = { net: model.net, model, seed: input.seed, output: { path: (...parts: string[]) => join(input.outDir, ...parts) } };
  const html = await backwardRow(rowContext, await loadRef(input.image, input.view.size), input.image.id, input.index, input.view);
  ctx.progress(1);
  return html;
}

/** How many tensors the job's engine holds (a check that pooled work leaves none behind). */
async function tensors(): Promise<number> {
  return tf.memory().numTensors;
}

/**
 * Every kind of job a worker (or the in-process runner) runs, by name: plain data in,
 * plain data out, so that it can cross threads.
 */
export const JOBS = {
  scan,
  optimize,
  backwardRow: backwardRowJob,
  tensors,
} satisfies Record<string, (input: never, ctx: JobContext<never>) => Promise<unknown>>;

/** A job's name. */
export type JobKind = keyof typeof JOBS;
/** A job's input. */
export type JobInput<K extends JobKind> = Parameters<(typeof JOBS)[K]>[0];
/** A job's result. */
export type JobOutput<K extends JobKind> = Awaited<ReturnType<(typeof JOBS)[K]>>;
/** What a job reports as it runs (images scanned; steps done). */
export type JobProgress = number;
