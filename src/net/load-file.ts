import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { DeepvisError } from '../errors';

/**
 * A tfjs IOHandler that reads `model.json` and its weight shards from the file system.
 *
 * @example
 * ```ts
 * const model = await tfl.loadLayersModel(fileHandler('models/mine/model.json'));
 * ```
 */
export function fileHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    async load() {
      let json: any;
      try {
        json = JSON.parse(await readFile(modelJsonPath, 'utf8'));
      } catch (e) {
        throw new DeepvisError('BAD_VALUE', `Cannot read model file '${modelJsonPath}': ${(e as Error).message}`);
      }
      if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
        throw new DeepvisError('BAD_VALUE', `'${modelJsonPath}' is not a TensorFlow.js model.json (no modelTopology / weightsManifest).`);
      }
      const dir = dirname(modelJsonPath);
      const weightSpecs: tf.io.WeightsManifestEntry[] = json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights);
      const shards = await Promise.all(
        json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths.map(async (p) => {
          try {
            return await readFile(join(dir, p));
          } catch (e) {
            throw new DeepvisError('BAD_VALUE', `Cannot read weight file '${join(dir, p)}' of '${modelJsonPath}': ${(e as Error).message}`);
          }
        })),
      );
      const all = Buffer.concat(shards);
      checkWeightBytes(weightSpecs, all.byteLength, modelJsonPath);
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        weightSpecs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
        userDefinedMetadata: json.userDefinedMetadata,
      };
    },
  };
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, float16: 2, uint16: 2, uint8: 1 };

/**
 * Throws BAD_VALUE unless the weight files hold exactly the bytes the manifest lists, before
 * tfjs builds a model from them (a model built from short data would keep its variables).
 */
export function checkWeightBytes(specs: readonly tf.io.WeightsManifestEntry[], bytes: number, source: string): void {
  let expected = 0;
  for (const spec of specs) {
    const per = BYTES[spec.quantization?.dtype ?? spec.dtype];
    if (per === undefined) return; // strings: sizes live in the data
    expected += per * (spec.shape ?? []).reduce((a, b) => a * b, 1);
  }
  if (expected !== bytes) {
    throw new DeepvisError('BAD_VALUE', `The weight files of '${source}' hold ${bytes} bytes; its weightsManifest lists ${expected}. Download or export the model again.`);
  }
}

/**
 * Loads a tfjs layers model from a `model.json` path on disk.
 *
 * @example
 * ```ts
 * const model = await loadLayersModelFile('../shared/models/darknet-tiny-imagenet-tfjs/model.json');
 * const net = toNet(model, { inputRange: [0, 1] });
 * ```
 */
export async function loadLayersModelFile(modelJsonPath: string): Promise<tfl.LayersModel> {
  return tfl.loadLayersModel(fileHandler(modelJsonPath));
}
