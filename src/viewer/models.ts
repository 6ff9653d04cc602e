// Where the viewer's network comes from: a model.json URL, local files, or a model already loaded.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { DeepvisError } from '../errors';
import { parseLabels } from '../image/labels';
import { missingWeightFiles } from '../net/model-files';
import type { InputRange } from '../net/types';
import { IMAGENET_MODEL_INFO, loadImageNetLabels, loadImageNetModel } from '../default-model/imagenet';

/**
 * The model deepvis ships: Darknet-Tiny (ImageNet-1k) and its class names, offline (the
 * viewer's default).
 *
 * @example
 * ```ts
 * const viewer = mountViewer(el, { model: { url: '/mine/model.json' } });
 * await viewer.setModel(IMAGENET_MODEL_SPEC); // back to Darknet-Tiny
 * ```
 */
export const IMAGENET_MODEL_SPEC: ModelSpec = Object.freeze({
  name: 'Darknet-Tiny (ImageNet)',
  inputRange: IMAGENET_MODEL_INFO.inputRange,
  load: async () => {
    const [model, labels] = await Promise.all([loadImageNetModel(), loadImageNetLabels()]);
    return { model, labels };
  },
});

/** A GraphModel loader (`loadGraphModel` of @tensorflow/tfjs-converter), for graph-model files. */
export type GraphModelLoader = (source: string | tf.io.IOHandler) => Promise<unknown>;

/**
 * The model a viewer shows:
 * - `{ url, labels? }`: a tfjs model.json URL (layers model, or graph model with `loadGraphModel`
 *   given to the viewer); `labels` a URL of a labels JSON or the names themselves;
 * - `{ files }`: model.json, every weight shard it lists and optionally a labels .json, as a
 *   file input gives them (a model.json without its shards is refused, naming them);
 * - `{ load }`: a function that loads a LayersModel or GraphModel (and its labels); the viewer
 *   calls it again after a backend switch, and disposes the model when it goes.
 *
 * `inputRange` is how 0–255 pixels map to the model's input (default `[0, 1]`).
 */
export type ModelSpec = ({
  readonly url: string;
  readonly labels?: string | readonly string[];
} | {
  readonly files: readonly File[];
} | {
  readonly load: () => Promise<{ readonly model: unknown; readonly labels?: readonly string[] }>;
}) & { readonly name?: string; readonly inputRange?: InputRange };

/** A loaded model and what it needs to be shown. */
export interface LoadedModel {
  readonly model: unknown;
  /** Class names in output order (empty when unknown). */
  readonly labels: readonly string[];
  readonly name: string;
  readonly inputRange: InputRange;
}

interface ModelJson {
  format?: string;
  modelTopology?: unknown;
  weightsManifest?: { paths: string[] }[];
}

const isGraph = (json: ModelJson) => json.format === 'graph-model' || Array.isArray((json.modelTopology as { node?: unknown } | undefined)?.node);

async function fetchJson(url: string, what: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new DeepvisError('BAD_VALUE', `Cannot fetch the ${what} ${url}: ${(e as Error).message}.`);
  }
  if (!res.ok) throw new DeepvisError('BAD_VALUE', `Cannot fetch the ${what} ${url}: HTTP ${res.status}.`);
  try {
    return await res.json();
  } catch {
    throw new DeepvisError('BAD_VALUE', `The ${what} ${url} is not JSON.`);
  }
}

function loadAny(json: ModelJson, source: string | tf.io.IOHandler, loadGraphModel: GraphModelLoader | undefined): Promise<unknown> {
  if (!isGraph(json)) return tfl.loadLayersModel(source);
  if (!loadGraphModel) {
    throw new DeepvisError('UNSUPPORTED', 'This model.json is a graph model: give the viewer loadGraphModel from @tensorflow/tfjs-converter.');
  }
  return loadGraphModel(source);
}

async function fromFiles(files: readonly File[], loadGraphModel: GraphModelLoader | undefined): Promise<{ model: unknown; labels: readonly string[]; name: string }> {
  const jsons = files.filter((f) => /\.json$/i.test(f.name));
  const parsed = await Promise.all(jsons.map(async (f) => {
    try {
      return { file: f, json: JSON.parse(await f.text()) as unknown };
    } catch {
      throw new DeepvisError('BAD_VALUE', `${f.name} is not JSON.`);
    }
  }));
  const isModel = (j: unknown) => !!j && typeof j === 'object' && 'modelTopology' in j;
  const model = parsed.find((p) => isModel(p.json));
  if (!model) throw new DeepvisError('BAD_VALUE', 'Choose a model.json (a TensorFlow.js model) together with its weight shards.');
  const labelsFile = parsed.find((p) => p !== model);
  const json = model.json as ModelJson;
  const shards = files.filter((f) => f !== model.file && f !== labelsFile?.file);
  const missing = missingWeightFiles(json, shards.map((f) => f.name));
  if (missing.length > 0) {
    throw new DeepvisError('BAD_VALUE', `${model.file.name} needs weight files that were not chosen: ${missing.join(', ')}. Choose them together with ${model.file.name}.`);
  }
  const loaded = await loadAny(json, tf.io.browserFiles([model.file, ...shards]), loadGraphModel);
  return { model: loaded, labels: labelsFile ? parseLabels(labelsFile.json) : [], name: model.file.name };
}

/** The number of classes of a loaded model: the last axis of its (first) output. */
function classCount(model: unknown): number | undefined {
  const m = model as { outputs?: { shape?: (number | null)[] }[] };
  const shape = m.outputs?.[0]?.shape;
  const n = shape?.[shape.length - 1];
  return typeof n === 'number' ? n : undefined;
}

/**
 * Loads what `spec` names; the caller owns the model. A failure throws (nothing is left
 * loaded), so a viewer can keep showing the model it had.
 */
export async function loadModelSpec(spec: ModelSpec, loadGraphModel?: GraphModelLoader): Promise<LoadedModel> {
  const inputRange = spec.inputRange ?? [0, 1];
  let out: { model: unknown; labels: readonly string[]; name: string };
  if ('url' in spec) {
    const json = (await fetchJson(spec.url, 'model')) as ModelJson;
    if (!json || typeof json !== 'object' || !('modelTopology' in json)) throw new DeepvisError('BAD_VALUE', `${spec.url} is not a TensorFlow.js model.json (no modelTopology).`);
    let model: unknown;
    try {
      model = await loadAny(json, spec.url, loadGraphModel);
    } catch (e) {
      if (e instanceof DeepvisError) throw e;
      throw new DeepvisError('BAD_VALUE', `Cannot load the model ${spec.url}: ${(e as Error).message}`);
    }
    let labels: readonly string[] = [];
    try {
      labels = typeof spec.labels === 'string' ? parseLabels(await fetchJson(spec.labels, 'labels file')) : spec.labels ?? [];
    } catch (e) {
      (model as { dispose?: () => void }).dispose?.();
      throw e;
    }
    out = { model, labels, name: spec.url };
  } else if ('files' in spec) {
    out = await fromFiles(spec.files, loadGraphModel);
  } else {
    const { model, labels } = await spec.load();
    out = { model, labels: labels ?? [], name: 'model' };
  }
  const classes = classCount(out.model);
  if (out.labels.length > 0 && classes !== undefined && out.labels.length !== classes) {
    (out.model as { dispose?: () => void }).dispose?.();
    throw new DeepvisError('BAD_VALUE', `The labels list has ${out.labels.length} names but the model has ${classes} classes: give one name per class.`);
  }
  return { ...out, name: spec.name ?? out.name, inputRange };
}
