// Where the network comes from: the bundled-for-development Darknet-Tiny, a URL, or local files.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as tfc from '@tensorflow/tfjs-converter';
import type { InputRange } from './deepvis';

/** A loaded model and what it needs to be shown. */
export interface LoadedModel {
  readonly model: tfl.LayersModel | tfc.GraphModel;
  /** Class names in output order ('' when unknown: the viewer then shows indices). */
  readonly labels: readonly string[];
  readonly name: string;
}

/** Served from the shared folder by the dev server (see vite.config.ts). */
export const DARKNET_URL = '/models/darknet/model.json';
export const DARKNET_LABELS = '/models/darknet/labels.json';

/** The input ranges one can pick; Darknet-Tiny wants [0, 1]. */
export const INPUT_RANGES: Record<string, InputRange> = {
  '[0, 1]': [0, 1],
  '[-1, 1]': [-1, 1],
  '[0, 255]': [0, 255],
  'caffe BGR − mean': { mean: [123.68, 116.779, 103.939], bgr: true },
  'RGB − mean, ÷ std (torchvision)': { mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] },
};

async function fetchJson(url: string): Promise<any> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

async function loadLabels(url: string | null): Promise<string[]> {
  if (!url) return [];
  const json = await fetchJson(url);
  return parseLabels(json);
}

/** Labels as a JSON array of names, or `{ "0": name | [wnid, name] }` (Keras class index). */
export function parseLabels(json: unknown): string[] {
  if (Array.isArray(json)) return json.map(String);
  if (json && typeof json === 'object') {
    const out: string[] = [];
    for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
      out[Number(k)] = Array.isArray(v) ? String(v[v.length - 1]) : String(v);
    }
    return Array.from(out, (s) => s ?? '');
  }
  throw new Error('Labels must be a JSON array of names or an object { index: name }.');
}

/** Loads a tfjs layers or graph model from a model.json URL; labels from `labelsUrl` if given. */
export async function loadFromUrl(url: string, labelsUrl: string | null): Promise<LoadedModel> {
  const json = await fetchJson(url);
  const model = json.format === 'graph-model' ? await tfc.loadGraphModel(url) : await tfl.loadLayersModel(url);
  return { model, labels: await loadLabels(labelsUrl), name: url };
}

/** Loads model.json + weight shards (+ an optional labels .json) chosen with a file input. */
export async function loadFromFiles(files: readonly File[]): Promise<LoadedModel> {
  const json = files.find((f) => f.name === 'model.json') ?? files.find((f) => /\.json$/i.test(f.name) && !/label|class/i.test(f.name));
  if (!json) throw new Error('Choose the model.json together with its weight shards.');
  const labelsFile = files.find((f) => f !== json && /\.json$/i.test(f.name));
  const shards = files.filter((f) => f !== json && f !== labelsFile);
  const handler = tf.io.browserFiles([json, ...shards]);
  const format = JSON.parse(await json.text()).format;
  const model = format === 'graph-model' ? await tfc.loadGraphModel(handler) : await tfl.loadLayersModel(handler);
  const labels = labelsFile ? parseLabels(JSON.parse(await labelsFile.text())) : [];
  return { model, labels, name: files.map((f) => f.name).join(', ') };
}

/** Darknet-Tiny (ImageNet-1k) from the shared folder, with its 1000 labels in output order. */
export function loadDarknet(): Promise<LoadedModel> {
  return loadFromUrl(DARKNET_URL, DARKNET_LABELS).then((m) => ({ ...m, name: 'Darknet-Tiny (ImageNet)' }));
}

export function disposeModel(m: LoadedModel | null): void {
  m?.model.dispose();
}
