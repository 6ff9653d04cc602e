import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { darknetTinyUrl, parseJsonAsset, readAsset, type DarknetTinyFile } from '../assets';
import { DeepvisError } from '../errors';
import type { Net } from '../net/types';
import { netOwningModel } from './load';

/** Where to read Darknet-Tiny from. */
export interface ImageNetModelOptions {
  /**
   * The folder where a copy of `assets/darknet-tiny/` is served (an absolute URL, or one
   * relative to the page in a browser), e.g. a static host. Default: the files shipped in
   * the package, found relative to the library's module.
   */
  readonly baseUrl?: string | URL;
}

/** Facts about the shipped ImageNet model. */
export interface ImageNetModelInfo {
  readonly name: string;
  /** `[height, width, channels]` of the model input. */
  readonly inputShape: readonly [number, number, number];
  /** The model's input range: RGB / 255. */
  readonly inputRange: readonly [number, number];
  readonly preprocessing: string;
  readonly classes: number;
  readonly parameters: number;
  /** Size of the shipped weights in bytes (float16). */
  readonly weightBytes: number;
  readonly architecture: string;
  /** Who made what, and under which licence (also in `assets/darknet-tiny/NOTICE.md`). */
  readonly source: string;
}

/**
 * What the shipped ImageNet model is.
 *
 * @example
 * ```ts
 * console.log(IMAGENET_MODEL_INFO.name, IMAGENET_MODEL_INFO.inputShape, IMAGENET_MODEL_INFO.source);
 * ```
 */
export const IMAGENET_MODEL_INFO: ImageNetModelInfo = Object.freeze({
  name: 'Darknet-Tiny (ImageNet-1k)',
  inputShape: [224, 224, 3] as const,
  inputRange: [0, 1] as const,
  preprocessing: 'RGB / 255 in [0, 1], no mean subtraction; the CLI centre-crops photos and resizes them (bilinear) to 224×224.',
  classes: 1000,
  parameters: 1_046_488,
  weightBytes: 2_092_976,
  architecture:
    "Darknet's tiny.cfg: 15 convolutions (3×3 and 1×1, each with batch normalization and leaky ReLU 0.1) with 4 max-pools, " +
    'a 1×1 convolution to 1000 classes and global average pooling: the logits (no softmax).',
  source:
    'Weights: Darknet Reference/Tiny ImageNet model by Joseph Redmon (pjreddie/darknet, public domain); ' +
    'TensorFlow.js conversion: ml5 (ml5-data-and-models, MIT); stored as float16 by deepvis. Labels: Darknet (public domain).',
});

function folder(baseUrl: string | URL | undefined): ((file: DarknetTinyFile) => URL) {
  if (baseUrl === undefined) return darknetTinyUrl;
  let base: URL;
  try {
    base = new URL(baseUrl, globalThis.location?.href);
  } catch {
    throw new DeepvisError('BAD_OPTION', `Option 'baseUrl' must be a URL (absolute in Node); got '${String(baseUrl)}'.`);
  }
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return (file) => new URL(file, base);
}

/**
 * Loads Darknet-Tiny, the ImageNet classifier deepvis ships (float16 weights, 2 MB): 224×224
 * RGB in [0, 1] → 1000 logits in Darknet's class order ({@link loadImageNetLabels}). Offline:
 * in Node it reads the package's files, in a browser it fetches the copies the bundler made.
 * The caller owns the model. A missing file throws BAD_VALUE naming it.
 *
 * @example
 * ```ts
 * const model = await loadImageNetModel();
 * const net = toNet(model, { inputRange: IMAGENET_MODEL_INFO.inputRange });
 * ```
 */
export async function loadImageNetModel(options: ImageNetModelOptions = {}): Promise<tfl.LayersModel> {
  const url = folder(options.baseUrl);
  const jsonUrl = url('model.json');
  const json = parseJsonAsset(await readAsset(jsonUrl, 'Darknet-Tiny model.json'), 'Darknet-Tiny model.json', jsonUrl) as {
    modelTopology?: object;
    weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const group = json.weightsManifest?.[0];
  if (!json.modelTopology || json.weightsManifest?.length !== 1 || group?.paths.length !== 1 || group.paths[0] !== 'weights.bin') {
    throw new DeepvisError('BAD_VALUE', `'${jsonUrl.href}' is not deepvis's Darknet-Tiny model.json (one weight file, weights.bin).`);
  }
  const weightData = (await readAsset(url('weights.bin'), 'Darknet-Tiny weights')).buffer;
  return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: group.weights, weightData }));
}

/**
 * Darknet-Tiny compiled into a {@link Net} (`inputRange: [0, 1]`, the ImageNet mean as
 * pixel-space zero). Feed it 0–255 RGB pixels `[n, 224, 224, 3]`; `net.logits` names the
 * 1000 class scores. `net.dispose()` also releases the model.
 *
 * @example
 * ```ts
 * const [net, labels] = await Promise.all([loadImageNetNet(), loadImageNetLabels()]);
 * const best = topPredictions(net, pixels, 5);       // pixels: [1, 224, 224, 3]
 * console.log(best.map((p) => labels[p.index]));
 * net.dispose();
 * ```
 */
export async function loadImageNetNet(options: ImageNetModelOptions = {}): Promise<Net> {
  return netOwningModel(await loadImageNetModel(options), { inputRange: IMAGENET_MODEL_INFO.inputRange });
}

/**
 * The 1000 class names of the shipped model, in its output order (Darknet's ILSVRC order:
 * index 0 is 'kit fox'; not the sorted-WordNet-id order of Keras models). Short names, all
 * distinct.
 *
 * @example
 * ```ts
 * const labels = await loadImageNetLabels();
 * console.log(labels[0], labels.indexOf('flamingo'));
 * ```
 */
export async function loadImageNetLabels(options: ImageNetModelOptions = {}): Promise<readonly string[]> {
  const url = folder(options.baseUrl)('labels.json');
  const labels = parseJsonAsset(await readAsset(url, 'ImageNet labels'), 'ImageNet labels', url);
  if (!Array.isArray(labels) || labels.length !== IMAGENET_MODEL_INFO.classes || !labels.every((l) => typeof l === 'string')) {
    throw new DeepvisError('BAD_VALUE', `'${url.href}' must hold an array of ${IMAGENET_MODEL_INFO.classes} class names.`);
  }
  return Object.freeze(labels as string[]);
}
