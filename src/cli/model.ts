import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  loadDefaultModel,
  loadImageNetLabels,
  loadImageNetModel,
  DEFAULT_MODEL_INFO,
  DEFAULT_MODEL_LABELS,
  IMAGENET_MODEL_INFO,
} from '../default-model/index';
import { DeepvisError } from '../errors';
import { parseLabels } from '../image/labels';
import { fileHandler } from '../net/load-file';
import { toNet } from '../net/to-net';
import type { GraphModelLike } from '../net/graph-model';
import type { InputRange, Model, Net, ToNetOptions } from '../net/types';
import { CliError, EXIT, inputError } from './errors';

/** A model ready for the commands: its Net, class names, and how to name it. */
export interface LoadedModel {
  readonly net: Net;
  /** One name per logit (index strings when the model has no labels). */
  readonly labels: readonly string[];
  /** `true` for the labels read from a file or built in; `false` for index strings. */
  readonly hasLabels: boolean;
  /** What `--model` named, in words. */
  readonly name: string;
  /** Which built-in model this is (`--model darknet-tiny`, the default, or `fashion-mnist`); `null` for a model file or URL. */
  readonly builtIn: BuiltInModel | null;
  /** The tfjs model the Net was compiled from, and how (the sanity check redraws its weights). */
  readonly source: unknown;
  readonly netOptions: ToNetOptions;
  /** Releases the Net and the model. */
  dispose(): void;
}

/** A model the CLI knows by name: what it loads, its labels, and how pixels reach it. */
interface BuiltIn {
  readonly name: string;
  load(): Promise<tfl.LayersModel>;
  labels(): Promise<readonly string[]>;
  readonly inputRange: InputRange;
  readonly mean?: readonly [number, number, number];
}

/** The models `--model NAME` loads with no file: shipped in the package, offline. */
export const BUILT_IN_MODELS = {
  'darknet-tiny': {
    name: `${IMAGENET_MODEL_INFO.name}, shipped`,
    load: () => loadImageNetModel(),
    labels: () => loadImageNetLabels(),
    inputRange: IMAGENET_MODEL_INFO.inputRange,
  },
  'fashion-mnist': {
    name: `${DEFAULT_MODEL_INFO.name}, embedded`,
    load: loadDefaultModel,
    labels: async () => DEFAULT_MODEL_LABELS,
    inputRange: DEFAULT_MODEL_INFO.inputRange,
    mean: DEFAULT_MODEL_INFO.mean,
  },
} as const satisfies Record<string, BuiltIn>;

/** The name of a built-in model. */
export type BuiltInModel = keyof typeof BUILT_IN_MODELS;

/** The model of a run without --model. */
export const DEFAULT_CLI_MODEL: BuiltInModel = 'darknet-tiny';

const isUrl = (s: string) => /^[a-z][a-z0-9+.-]*:/i.test(s) && !/^[a-z]:[\\/]/i.test(s);

/** The number of classes: the size of the logits' last axis. */
function classCount(net: Net): number {
  const shape = net.layer(net.logits).outputShape;
  return shape[shape.length - 1] ?? 0;
}

/** Reads `labels.json` beside a model (any form `parseLabels` takes), if present and one name per class. */
async function readLabels(path: string, classes: number, warn: (text: string) => void): Promise<string[] | null> {
  if (!existsSync(path)) return null;
  try {
    return parseLabels(await readFile(path, 'utf8'), classes);
  } catch (e) {
    warn(`ignoring ${path}: ${(e as Error).message}`);
  }
  return null;
}

/** Where `--model` points on disk: the file itself, or `model.json` inside a folder. */
function modelJsonPath(spec: string): string {
  const path = spec.startsWith('file://') ? new URL(spec).pathname : spec;
  if (!existsSync(path)) {
    throw inputError(`Model file not found: '${spec}'.`, `Give --model the path to a TensorFlow.js model.json, or a built-in model: ${Object.keys(BUILT_IN_MODELS).join(', ')}.`);
  }
  if (statSync(path).isDirectory()) {
    const inside = join(path, 'model.json');
    if (!existsSync(inside)) throw inputError(`Folder '${spec}' holds no model.json.`, 'Give --model the path to a TensorFlow.js model.json.');
    return inside;
  }
  return path;
}

/** Loads a tfjs GraphModel through @tensorflow/tfjs-converter, which is optional. */
async function loadGraphModel(source: string | tf.io.IOHandler): Promise<Model> {
  let converter: { loadGraphModel(s: string | tf.io.IOHandler): Promise<GraphModelLike> };
  // A variable specifier: bundlers leave the optional package out of the CLI bundle.
  const converterPackage = '@tensorflow/tfjs-converter';
  try {
    converter = await import(converterPackage);
  } catch {
    throw inputError('This model.json is a GraphModel, which needs @tensorflow/tfjs-converter.', 'Install it: npm install @tensorflow/tfjs-converter');
  }
  return converter.loadGraphModel(source);
}

/** Loads a model from a path (LayersModel or GraphModel), turning file errors into CLI messages. */
async function loadFromFile(spec: string): Promise<{ model: Model; labelsPath: string }> {
  const path = modelJsonPath(spec);
  let json: { format?: string; modelTopology?: { node?: unknown } };
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw inputError(`Cannot read '${spec}' as JSON: ${(e as Error).message}`, 'Give --model a TensorFlow.js model.json.');
  }
  const graph = json?.format === 'graph-model' || Array.isArray(json?.modelTopology?.node);
  try {
    const model = graph ? await loadGraphModel(fileHandler(path)) : await tfl.loadLayersModel(fileHandler(path));
    return { model, labelsPath: join(dirname(path), 'labels.json') };
  } catch (e) {
    if (e instanceof CliError) throw e;
    const what = (e as { code?: string }).code === 'ENOENT' ? `a weight file is missing (${(e as Error).message})` : (e as Error).message;
    throw inputError(`Cannot load the model '${spec}': ${what}`);
  }
}

/**
 * `fetch` that gives up after `seconds` and refuses answers other than 2xx, each with a
 * one-line CLI error naming the URL (tfjs would decode an error page as weights).
 */
function checkedFetch(seconds: number): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    let response: Response;
    try {
      response = await fetch(input, { ...init, signal: AbortSignal.timeout(seconds * 1000) });
    } catch (e) {
      if ((e as Error).name === 'TimeoutError') {
        throw inputError(`No answer from '${url}' within ${seconds} s.`, 'Check the URL and your network, or allow longer with --timeout SECONDS.');
      }
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw inputError(`Cannot fetch '${url}': ${cause?.code ?? cause?.message ?? (e as Error).message}.`, 'Check the URL and your network.');
    }
    if (!response.ok) {
      throw inputError(`'${url}' answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`,
        'Check the URL: it must serve a TensorFlow.js model.json and the weight files it lists.');
    }
    return response;
  };
}

/** Loads a model from an http(s) URL, every request checked and limited to `seconds`. */
async function loadFromUrl(spec: string, seconds: number): Promise<{ model: Model; labelsUrl: string }> {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw inputError(`'${spec}' is not a valid URL.`, 'Give --model an http(s):// URL or a path to a model.json.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw inputError(`Unsupported URL scheme '${url.protocol}' in --model '${spec}'.`, 'Use an http:// or https:// URL, or a file path.');
  }
  const fetchFunc = checkedFetch(seconds);
  let json: { format?: string; modelTopology?: { node?: unknown } };
  const response = await fetchFunc(url);
  try {
    json = await response.json();
  } catch (e) {
    throw inputError(`'${spec}' is not JSON: ${(e as Error).message}`, 'Give --model the URL of a TensorFlow.js model.json.');
  }
  const graph = json?.format === 'graph-model' || Array.isArray(json?.modelTopology?.node);
  try {
    const model = graph ? await loadGraphModel(tf.io.http(url.href, { fetchFunc })) : await tfl.loadLayersModel(tf.io.http(url.href, { fetchFunc }));
    return { model, labelsUrl: new URL('labels.json', url).href };
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw inputError(`Cannot load the model from '${spec}': ${(e as Error).message}`);
  }
}

/** Labels beside a model served over http(s), if any. */
async function fetchLabels(url: string, classes: number, seconds: number): Promise<string[] | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(seconds * 1000) });
    return response.ok ? parseLabels(await response.text(), classes) : null;
  } catch {
    return null;
  }
}

/**
 * Loads what `--model` names (a built-in model's name, default `darknet-tiny`; a path; a URL)
 * and compiles it into a Net with `inputRange`. Labels come from the built-in model, or
 * `labels.json` beside model.json. A model without a 4-D image input exits with code 4.
 *
 * @example
 * ```ts
 * const m = await loadModel('../shared/models/darknet-tiny-imagenet-tfjs/model.json', [0, 1], console.warn);
 * console.log(m.net.describe(), m.labels[0]);
 * m.dispose();
 * ```
 */
export async function loadModel(
  spec: string | undefined, inputRange: InputRange | undefined, warn: (text: string) => void, timeoutSeconds = 60,
): Promise<LoadedModel> {
  const named = spec ?? DEFAULT_CLI_MODEL;
  const builtInName = Object.hasOwn(BUILT_IN_MODELS, named) ? (named as BuiltInModel) : null;
  const builtIn: BuiltIn | null = builtInName && BUILT_IN_MODELS[builtInName];
  let model: Model;
  let labels: readonly string[] | null = null;
  let labelsFrom: (classes: number) => Promise<readonly string[] | null>;
  if (builtIn) {
    model = await builtIn.load();
    labelsFrom = () => builtIn.labels();
  } else if (isUrl(spec!) && !spec!.startsWith('file://')) {
    const loaded = await loadFromUrl(spec!, timeoutSeconds);
    model = loaded.model;
    labelsFrom = (classes) => fetchLabels(loaded.labelsUrl, classes, timeoutSeconds);
  } else {
    const loaded = await loadFromFile(spec!);
    model = loaded.model;
    labelsFrom = (classes) => readLabels(loaded.labelsPath, classes, warn);
  }
  const disposeModel = () => (model as { dispose?: () => void }).dispose?.();
  let net: Net;
  const netOptions: ToNetOptions = { inputRange: inputRange ?? builtIn?.inputRange ?? [0, 1], mean: builtIn?.mean };
  try {
    net = toNet(model, netOptions);
  } catch (e) {
    disposeModel();
    if (e instanceof DeepvisError && (e.code === 'UNSUPPORTED' || e.code === 'BAD_VALUE')) {
      throw new CliError(EXIT.model, `The model '${spec ?? DEFAULT_CLI_MODEL}' is not a convnet deepvis can show: ${e.message}`,
        'deepvis needs a model with one 4-D image input [batch, height, width, channels].');
    }
    throw e;
  }
  const classes = classCount(net);
  try {
    labels = await labelsFrom(classes);
  } catch (e) {
    net.dispose();
    disposeModel();
    throw e;
  }
  return {
    net,
    labels: labels ?? Array.from({ length: classes }, (_, i) => String(i)),
    hasLabels: labels !== null,
    name: builtIn?.name ?? spec!,
    builtIn: builtInName,
    source: model,
    netOptions,
    dispose() {
      if (!net.disposed) net.dispose();
      disposeModel();
    },
  };
}
