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
      const weightSpecs = json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights);
      const shards = await Promise.all(
        json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths.map((p) => readFile(join(dir, p)))),
      );
      const all = Buffer.concat(shards);
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
