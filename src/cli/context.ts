import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DeepvisError } from '../errors';
import { samplePhotos } from '../default-model/photos';
import { NODE_BACKEND_CHOICES, useNodeBackend, type NodeBackendName } from '../backends/node';
import { classIndex, unitName } from '../image/labels';
import { receptiveField } from '../net/receptive-field';
import { lastSpatialLayer, showcaseLayers } from '../net/shortlist';
import type { Net } from '../net/types';
import { inProcessRunner } from '../parallel/in-process';
import { openWorkerPool, type JobRunner, type WorkerPool } from '../parallel/pool';
import { choice, inputRange, int, num, str, unitList, type Values } from './args';
import { inputError, usageError } from './errors';
import { fashionMnistSamples, generatedInputs, imageInputs, type InputImage } from './images';
import { loadModel, type LoadedModel } from './model';
import { openOutput, type Output } from './output';
import { progress, type Progress, type ProgressStream } from './progress';

/** Where a command writes: results to `out`, progress and warnings to `err`. */
export interface Io {
  readonly out: { write(text: string): unknown };
  readonly err: ProgressStream;
}

/** What every command gets once its options are checked: the model, the backend and the output folder. */
export interface RunContext {
  readonly io: Io;
  readonly model: LoadedModel;
  readonly net: Net;
  readonly backend: string;
  /** The backend's name alone (`wasm`, `cpu`…). */
  readonly backendName: string;
  readonly seed: number;
  readonly quiet: boolean;
  readonly output: Output;
  /** A progress bar on stderr (silent with --quiet). */
  bar(label: string, total: number): Progress;
  /** A line on stderr (kept with --quiet: it says something is off). */
  warn(text: string): void;
  /** A line on stderr, dropped with --quiet. */
  info(text: string): void;
  /**
   * Where `jobs` jobs run: `--workers` threads (opened on first use, closed with the run), or
   * this process for `--workers 1` or a single job (not worth starting threads for).
   */
  runner(jobs: number): Promise<JobRunner>;
}


/** The options every command shares, checked before anything is loaded. */
export function commonOptions(values: Values) {
  return {
    modelSpec: str(values, 'model'),
    range: inputRange(values),
    backend: choice(values, 'backend', NODE_BACKEND_CHOICES, 'auto'),
    seed: int(values, 'seed', { min: 0 }) ?? 0,
    quiet: values.quiet === true,
    timeout: num(values, 'timeout', { min: 0.001, max: 86_400 }) ?? 60,
  };
}

/** The backend picked and the model loaded, as every command starts; the caller disposes the model. */
export interface OpenedModel {
  readonly model: LoadedModel;
  /** What `useNodeBackend` said it picked. */
  readonly backend: string;
  /** The backend's name alone (`wasm`, `cpu`…), for the pages' facts line. */
  readonly backendName: string;
  readonly seed: number;
  readonly quiet: boolean;
  readonly warn: (text: string) => void;
  readonly info: (text: string) => void;
}

/**
 * Picks the backend `--backend` names and loads the model `--model` names, saying both on
 * stderr (dropped with --quiet). The caller owns the model.
 */
export async function openModel(values: Values, io: Io): Promise<OpenedModel> {
  const { modelSpec, range, backend, seed, quiet, timeout } = commonOptions(values);
  let backendDetail: string;
  let backendName: string;
  try {
    ({ detail: backendDetail, name: backendName } = await useNodeBackend(backend as NodeBackendName | 'auto'));
  } catch (e) {
    throw inputError((e as Error).message);
  }
  const warn = (text: string) => io.err.write(`warning: ${text}\n`);
  const info = (text: string) => {
    if (!quiet) io.err.write(`${text}\n`);
  };
  info(`backend: ${backendDetail}`);
  const model = await loadModel(modelSpec, range, warn, timeout);
  info(`model: ${model.name} (${model.net.layers.length} layers, input ${model.net.inputShape.map((d) => d ?? '?').join('×')}, ${model.labels.length} classes)`);
  return { model, backend: backendDetail, backendName, seed, quiet, warn, info };
}

/**
 * Runs a command body with the backend chosen, the model loaded and an all-or-nothing
 * output folder: the folder appears only if `body` finishes, and the model is released
 * either way.
 */
export async function withRun(
  command: string,
  values: Values,
  defaultOut: string,
  io: Io,
  body: (ctx: RunContext) => Promise<void>,
): Promise<string> {
  const outSpec = str(values, 'out') ?? defaultOut;
  if (outSpec.trim() === '') throw usageError('Option --out must name a folder.');
  const started = Date.now();
  const { model, backend, backendName, seed, quiet, warn, info } = await openModel(values, io);
  let output: Output | null = null;
  let pool: Promise<WorkerPool> | undefined;
  try {
    output = await openOutput(outSpec);
    const workers = int(values, 'workers', { min: 1, max: 1024 }) ?? availableParallelism();
    const ctx: RunContext = {
      io, model, net: model.net, backend, backendName, seed, quiet, output, warn, info,
      bar: (label, total) => progress(label, total, io.err, quiet),
      runner: async (jobs) => (workers === 1 || jobs <= 1 ? inProcessRunner(model) : (pool ??= openPool(values, workers, info))),
    };
    await body(ctx);
    await output.commit({
      command,
      options: values,
      model: model.name,
      backend,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      created: new Date().toISOString(),
    });
    return output.target;
  } finally {
    await output?.discard();
    await pool?.then((p) => p.close(), () => {});
    model.dispose();
  }
}

/** `--workers N` threads, each loading the model `--model` names. */
async function openPool(values: Values, workers: number, info: (text: string) => void): Promise<WorkerPool> {
  const { modelSpec, range, backend } = commonOptions(values);
  const started = Date.now();
  const pool = await openWorkerPool({ workers, backend, ...(modelSpec !== undefined ? { model: modelSpec } : {}), ...(range && typeof range !== 'function' ? { inputRange: range } : {}) });
  info(`workers: ${workers} threads ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return pool;
}

export { showcaseLayers, lastSpatialLayer } from '../net/shortlist';

/**
 * The layer whose units are local detectors, for the top-k views: the deepest spatial
 * rectifier layer whose receptive field is at most a third of the image side (deeper units see
 * the whole image, so their "crops" are whole photos); the first such layer when none is; the last spatial layer where the layers carry no geometry.
 */
export function detectorLayer(net: Net, size: readonly [number, number]): string {
  const layers = showcaseLayers(net, Number.MAX_SAFE_INTEGER);
  if (layers.length === 0) return lastSpatialLayer(net);
  try {
    const local = layers.filter((l) => {
      const field = receptiveField(net, l, { inputSize: size });
      return field.size[0] <= size[0] / 3 && field.size[1] <= size[1] / 3;
    });
    return local[local.length - 1] ?? layers[0]!;
  } catch (e) {
    // A net whose layers carry no geometry (a GraphModel's nodes): the last spatial layer.
    if (e instanceof DeepvisError && e.code === 'UNSUPPORTED') return lastSpatialLayer(net);
    throw e;
  }
}

/**
 * The layers `--layer` names (comma-separated), each checked against the net (an unknown
 * name exits with code 2 listing the closest names), or `fallback` when absent.
 */
export function layersOption(net: Net, values: Values, fallback: () => string[]): string[] {
  const raw = str(values, 'layer');
  if (raw === undefined) return fallback();
  const names = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw usageError('Option --layer must name a layer (see the layer list in the error for a wrong name).');
  for (const name of names) net.layer(name);
  return names;
}

/**
 * The layer `--layer` names, checked against the net (an unknown name exits with code 2 listing
 * the closest names), or `fallback()` when absent.
 */
export function layerOption(net: Net, values: Values, fallback: () => string): string {
  const layer = str(values, 'layer') ?? fallback();
  net.layer(layer);
  return layer;
}

/**
 * The layer `--cam-layer` names (the maps the CAM methods weigh), checked against the net, or
 * `fallback()` when absent; undefined when both are.
 */
export function camLayerOption(net: Net, values: Values, fallback?: () => string): string | undefined {
  const camLayer = str(values, 'cam-layer') ?? fallback?.();
  if (camLayer) net.layer(camLayer);
  return camLayer;
}

/**
 * `--layer` and `--unit` of the commands that explain one unit. `--unit` is checked at once
 * (more than one unit exits with code 2, before the model loads); the function returned reads
 * `--layer` (default the class logits, see {@link layerOption}) and resolves the unit on it (see
 * {@link resolveUnits}): undefined when `--unit` is absent.
 */
export function singleUnitOption(values: Values): (ctx: RunContext) => { layer: string; unit: number | undefined } {
  const items = unitList(values, 'unit');
  if (items && items.length > 1) throw usageError(`Option --unit takes one unit here; got '${str(values, 'unit')}'.`);
  return (ctx) => {
    const layer = layerOption(ctx.net, values, () => ctx.net.logits);
    return { layer, unit: items && resolveUnits(ctx, layer, items, 'unit')[0] };
  };
}

/** The number of units (channels) of a layer. */
export function unitCount(net: Net, layer: string): number {
  const shape = net.layer(layer).outputShape;
  return shape[shape.length - 1] ?? 0;
}

/** Checks units against a layer's range (exit 2 naming the range). */
export function checkUnits(net: Net, layer: string, units: readonly number[]): void {
  const n = unitCount(net, layer);
  for (const u of units) {
    if (u >= n) throw usageError(`Unit ${u} is out of range: layer '${layer}' has ${n} units (0…${n - 1}).`);
  }
}

/**
 * The units a `--unit`-style option names (see `unitList`) as numbers of `layer`: numbers as
 * they are, class names (`flamingo`) on the logits through `classIndex` (exit 2 listing the
 * closest names when unknown). Range-checked; duplicates dropped.
 */
export function resolveUnits(ctx: RunContext, layer: string, items: readonly string[], option: string): number[] {
  const onLogits = layer === ctx.net.logits;
  const units = items.map((item) => {
    if (/^\+?\d+$/.test(item)) return Number(item);
    if (!onLogits) throw usageError(`Option --${option} '${item}' is a name, but only the class logits have named units; '${layer}' has unit numbers only.`);
    if (!ctx.model.hasLabels) throw usageError(`Option --${option} '${item}' is a class name, but this model has no class names.`, 'Give class numbers, or put a labels.json (one name per class) beside model.json.');
    return classIndex(ctx.model.labels, item);
  });
  checkUnits(ctx.net, layer, units);
  return [...new Set(units)];
}

/** A unit as the pages and progress lines name it: the class name on the logits (`flamingo (424)`), else `layer unit N`. */
export const unitLabel = (ctx: Pick<RunContext, 'net' | 'model'>, layer: string, unit: number) => unitName(ctx.net, layer, unit, ctx.model.hasLabels ? ctx.model.labels : undefined);

/**
 * The image size of the run: `--size` when given (a fixed-size model must match), else the
 * model's own input size, else `fallback`.
 */
export function runSize(net: Net, values: Values, fallback: number): [number, number] {
  const size = int(values, 'size', { min: 8, max: 2048 });
  const [h, w] = net.inputShape;
  if (size !== undefined) {
    if (!net.fullyConvolutional && ((h !== null && h !== size) || (w !== null && w !== size))) {
      throw usageError(`Option --size ${size} does not fit this model: it takes ${h}×${w} images only (it is not fully convolutional).`, 'Leave --size out.');
    }
    return [size, size];
  }
  return [h ?? fallback, w ?? fallback];
}

/**
 * The inputs of a run: the `--images` files (already listed), else for the built-in models
 * their own samples (Darknet-Tiny: the shipped photos; Fashion-MNIST: `perClass` test images
 * of each class when the package is installed), else generated patterns (with a warning).
 */
export function runInputs(ctx: RunContext, files: readonly string[], size: readonly [number, number], perClass: number): InputImage[] {
  if (files.length > 0) return imageInputs(files, size[0], size[1]);
  if (ctx.model.builtIn === 'darknet-tiny') return imageInputs(samplePhotos().map((p) => fileURLToPath(p.url)), size[0], size[1]);
  if (ctx.model.builtIn === 'fashion-mnist') {
    const samples = fashionMnistSamples(perClass, ctx.model.labels);
    if (samples) return samples;
    ctx.warn('the fashion-mnist package is not installed: using generated patterns as inputs. Give --images a folder of photos.');
  } else {
    ctx.warn('no --images given: using generated patterns as inputs. Give --images a folder of photos for a meaningful result.');
  }
  return generatedInputs(Math.max(6, perClass), size[0], size[1]);
}

/** `count` items spread evenly over `list` (all of it when shorter). */
export function spread<T>(list: readonly T[], count: number): T[] {
  if (list.length <= count) return [...list];
  return Array.from({ length: count }, (_, i) => list[Math.floor((i * list.length) / count)]);
}

/** A file-name-safe version of a name. */
export const safeName = (name: string) => name.replace(/[^A-Za-z0-9_.-]+/g, '_');
