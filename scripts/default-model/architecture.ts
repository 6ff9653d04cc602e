/**
 * The default model's architecture: a small fully convolutional classifier for 28×28 gray
 * images, with BatchNormalization after conv2 and conv3 so toNet's BN folding is exercised.
 *
 * @example
 * ```ts
 * const model = buildDefaultModel(42);
 * model.summary();
 * ```
 * @module
 */
import * as tfl from '@tensorflow/tfjs-layers';

/**
 * Builds the untrained model; `seed` fixes every initializer.
 *
 * conv1 3×3×16 relu → pool1 → conv2 3×3×32 → bn2 → relu2 → pool2 → conv3 3×3×64 → bn3 →
 * relu3 → gap → logits (dense 10) → probs (softmax). conv2 and conv3 have no bias of their
 * own (the BatchNorm after each supplies it; toNet folds it back in). conv1 has no
 * BatchNorm: on the 28×28 map its gradient costs more than it helps in a short run.
 *
 * @example
 * ```ts
 * const model = buildDefaultModel(1);
 * model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
 * ```
 */
export function buildDefaultModel(seed: number): tfl.LayersModel {
  const L = tfl.layers;
  let s = seed;
  const he = () => tfl.initializers.heNormal({ seed: s++ });
  return tfl.sequential({
    name: 'fashion_mnist_convnet',
    layers: [
      L.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: he(), name: 'conv1' }),
      L.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      L.conv2d({ filters: 32, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: he(), name: 'conv2' }),
      L.batchNormalization({ name: 'bn2' }),
      L.reLU({ name: 'relu2' }),
      L.maxPooling2d({ poolSize: 2, name: 'pool2' }),
      L.conv2d({ filters: 64, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: he(), name: 'conv3' }),
      L.batchNormalization({ name: 'bn3' }),
      L.reLU({ name: 'relu3' }),
      L.globalAveragePooling2d({ name: 'gap' }),
      L.dense({ units: 10, kernelInitializer: tfl.initializers.glorotUniform({ seed: s++ }), name: 'logits' }),
      L.softmax({ name: 'probs' }),
    ],
  });
}
