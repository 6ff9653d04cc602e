// The cascading model-randomization check (Adebayo et al. 2018, "Sanity Checks for Saliency
// Maps"): a map that explains the model must change when the model's weights are destroyed.
import * as tf from '@tensorflow/tfjs-core';
import { checkOption, DeepvisError } from '../errors';
import { isLayersModel, type LayersModelLike } from '../net/graph';
import type { LayerLike } from '../net/layers';
import { toNet } from '../net/to-net';
import type { Model, Net, ToNetOptions } from '../net/types';
import { seededNormal } from '../util/random';
import { pixelImportance, spearman, ssim } from './compare';
import { ATTRIBUTION_METHODS } from './registry';
import type { AttributionMethod, AttributionOptions, DrawOptions } from './types';
import type { UnitRef } from './unit';

/** Options for {@link modelRandomization}: the methods' own, and the cascade's. */
export interface RandomizationOptions extends AttributionOptions {
  /** How the model becomes a Net (as given to `toNet`). */
  netOptions?: ToNetOptions;
  /** The methods checked. Default every registered one. */
  methods?: readonly AttributionMethod[];
  /**
   * The layers randomized, in cascade order. Default every layer with a kernel (convolutions,
   * dense layers), the top (output) first; BatchNormalization keeps its statistics.
   */
  layers?: readonly string[];
  /** Only the first `depth` layers of the cascade (the top ones). Default all. */
  depth?: number;
  /** Random seed of the new weights. Default 0. */
  seed?: number;
  /** Also return each step's picture of each method (`draw` of image 0), with these options. */
  pictures?: DrawOptions;
  /** Called after each cascade step with the steps done and the total. */
  onStep?: (done: number, total: number) => void;
}

/** One method's map compared with its map on the trained model, at one cascade step. */
export interface RandomizationStep {
  /** The last layer randomized (every layer above it is random too); `null` for the trained model. */
  readonly layer: string | null;
  /** Spearman's rank correlation of the pixel importances, per image. */
  readonly spearman: readonly number[];
  /** SSIM of the pixel importances (each scaled to 0–1), per image. */
  readonly ssim: readonly number[];
}

/** One method through the cascade. */
export interface RandomizationResult {
  readonly method: string;
  readonly label: string;
  /** The trained model first (1 and 1), then one step per randomized layer. */
  readonly steps: readonly RandomizationStep[];
  /** With `pictures`: image 0's picture at each step (the caller owns them). */
  readonly pictures?: tf.Tensor3D[];
}

/** The layers with a kernel, output first, walking nested models. */
function weightedLayers(model: LayersModelLike): LayerLike[] {
  const out: LayerLike[] = [];
  const walk = (layers: readonly LayerLike[]) => {
    for (const l of layers) {
      const inner = l as unknown as Partial<LayersModelLike>;
      if (Array.isArray(inner.layers)) walk(inner.layers);
      else if (l.getClassName() !== 'BatchNormalization' && l.getWeights().length > 0) out.push(l);
    }
  };
  walk(model.layers);
  return out.reverse();
}

type Settable = LayerLike & { setWeights(weights: tf.Tensor[]): void };

/**
 * The cascading model-randomization check (Adebayo et al. 2018): the layers are randomized
 * one more at a time from the top (output) down, each weight tensor redrawn from a normal
 * with its own trained mean and standard deviation, and after each step every method's map
 * of `target` for each image of `pixels` is compared with its map on the trained model
 * (Spearman rank correlation and SSIM of {@link pixelImportance}). A map that explains the
 * model loses its likeness as the layers go; one that stays alike is showing the image, not
 * the model. `model` is a tfjs LayersModel: its weights are changed during the call and put
 * back before it returns (also on errors and aborts). Slow: every method runs once per step.
 *
 * @example
 * ```ts
 * const results = await modelRandomization(model, photo, { layer: net.logits, channel: 281 }, { netOptions: { inputRange: [0, 1] } });
 * for (const r of results) console.log(r.label, r.steps.at(-1)!.spearman[0]);
 * ```
 */
export async function modelRandomization(model: unknown, pixels: tf.Tensor4D, target: UnitRef, options: RandomizationOptions = {}): Promise<RandomizationResult[]> {
  const { netOptions = {}, methods = ATTRIBUTION_METHODS, seed = 0, pictures, onStep, depth, layers, ...methodOptions } = options;
  if (!isLayersModel(model)) throw new DeepvisError('BAD_VALUE', 'modelRandomization needs the tfjs LayersModel itself (its weights are redrawn); a GraphModel has no layers to randomize.');
  checkOption(Number.isInteger(seed), 'seed', 'an integer', seed);
  checkOption(methods.length > 0, 'methods', 'at least one method', methods.length);
  const all = weightedLayers(model);
  const byName = new Map(all.map((l) => [l.name, l]));
  checkOption(depth === undefined || (Number.isInteger(depth) && depth >= 1), 'depth', 'an integer ≥ 1', depth);
  const cascade = (layers ?? all.map((l) => l.name)).slice(0, depth).map((name) => {
    const l = byName.get(name);
    if (!l) throw new DeepvisError('UNKNOWN_LAYER', `Layer '${name}' has no kernel to randomize; layers with one: ${all.map((x) => `'${x.name}'`).join(', ')}.`);
    return l as Settable;
  });
  const trained = new Map(cascade.map((l) => [l, l.getWeights().map((w) => tf.clone(w))]));
  const n = pixels.shape[0];
  const reference: tf.Tensor2D[][] = [];   // [method][image]
  const results = methods.map((m) => ({ method: m.name, label: m.label, steps: [] as RandomizationStep[], pictures: pictures ? [] as tf.Tensor3D[] : undefined }));
  /** Every method's importance maps on the current weights, compared with the reference. */
  const measure = async (net: Net, layer: string | null) => {
    for (const [i, method] of methods.entries()) {
      const a = await method.run(net, pixels, target, methodOptions);
      try {
        const maps = Array.from({ length: n }, (_, k) => pixelImportance(a, k));
        if (layer === null) reference.push(maps);
        const rho = maps.map((m, k) => (layer === null ? 1 : spearman(reference[i][k].dataSync(), m.dataSync())));
        const s = maps.map((m, k) => (layer === null ? 1 : ssim(reference[i][k], m)));
        if (layer !== null) tf.dispose(maps);
        results[i].steps.push({ layer, spearman: rho, ssim: s });
        if (pictures) results[i].pictures!.push(method.draw(a, pixels, pictures));
      } finally {
        a.values.dispose();
      }
    }
  };
  try {
    for (let step = 0; step <= cascade.length; step++) {
      if (step > 0) {
        const layer = cascade[step - 1];
        const fresh = trained.get(layer)!.map((w, k) => tf.tidy(() => {
          const { mean, variance } = tf.moments(w);
          return tf.add(tf.mul(seededNormal(w.shape, 0, 1, seed * 1009 + step * 31 + k), tf.sqrt(variance)), mean);
        }));
        layer.setWeights(fresh);
        tf.dispose(fresh);
      }
      const net = toNet(model as Model, netOptions);
      try {
        await measure(net, step === 0 ? null : cascade[step - 1].name);
      } finally {
        net.dispose();
      }
      onStep?.(step + 1, cascade.length + 1);
    }
    return results;
  } catch (e) {
    tf.dispose(results.flatMap((r) => r.pictures ?? []));
    throw e;
  } finally {
    for (const [layer, weights] of trained) {
      layer.setWeights(weights);
      tf.dispose(weights);
    }
    tf.dispose(reference.flat());
  }
}

/**
 * A method's mean Spearman correlation with its trained-model maps over the top half of the
 * cascade (the steps that randomize the upper half of the layers), averaged over the images:
 * what Adebayo et al. read off their cascade figure.
 *
 * @example
 * ```ts
 * const rho = topHalfCorrelation(results[0]);   // near 1: the map ignores the upper layers
 * ```
 */
export function topHalfCorrelation(result: RandomizationResult): number {
  const steps = result.steps.slice(1, 1 + Math.max(1, Math.floor((result.steps.length - 1) / 2)));
  const mean = (v: readonly number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  return mean(steps.map((s) => mean(s.spearman.map(Math.abs))));
}

/**
 * Whether a method passes the randomization check: its {@link topHalfCorrelation} is below
 * `threshold` (default 0.7). A map that keeps its rank order while the upper half of the
 * layers is random shows the image more than the model.
 *
 * @example
 * ```ts
 * const passed = results.filter((r) => passesRandomization(r)).map((r) => r.label);
 * ```
 */
export function passesRandomization(result: RandomizationResult, threshold = 0.7): boolean {
  return topHalfCorrelation(result) < threshold;
}
