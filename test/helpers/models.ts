// Small models built in the tests: together they cover every layer kind the Net compiles.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** Deterministic weights: uniform in ±scale from a fixed seed; BN variances positive. */
export function randomizeWeights(model: tfl.LayersModel, seed = 1): void {
  let s = seed;
  for (const layer of model.layers) {
    const isBN = layer.getClassName() === 'BatchNormalization';
    const values = layer.getWeights().map((w, i) => tf.tidy(() => {
      const name = layer.weights[i].originalName ?? '';
      const u = tf.randomUniform(w.shape, -1, 1, 'float32', s++);
      if (isBN && /moving_variance|movingVariance/i.test(name)) return tf.add(tf.abs(u), 0.2);
      if (isBN && /gamma/i.test(name)) return tf.add(tf.mul(u, 0.5), 1);
      return tf.mul(u, 0.5);
    }));
    layer.setWeights(values);
    tf.dispose(values);
  }
}

/** A functional model with every compiled layer kind, inline activations of every kind, and branches. */
export function allKindsModel(dilation = 2): tfl.LayersModel {
  const L = tfl.layers;
  const input = tfl.input({ shape: [12, 12, 3], name: 'image' });
  let x = L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv_a' }).apply(input) as tfl.SymbolicTensor;
  x = L.batchNormalization({ name: 'bn_a' }).apply(x) as tfl.SymbolicTensor;
  x = L.reLU({ name: 'relu_a' }).apply(x) as tfl.SymbolicTensor;
  x = L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', name: 'dw_b' }).apply(x) as tfl.SymbolicTensor;
  x = L.batchNormalization({ name: 'bn_b' }).apply(x) as tfl.SymbolicTensor;
  x = L.activation({ activation: 'relu6', name: 'relu6_b' }).apply(x) as tfl.SymbolicTensor;
  x = L.separableConv2d({ filters: 6, kernelSize: 3, padding: 'same', name: 'sep_c' }).apply(x) as tfl.SymbolicTensor;
  x = L.batchNormalization({ name: 'bn_c' }).apply(x) as tfl.SymbolicTensor;
  x = L.leakyReLU({ alpha: 0.2, name: 'leaky_c' }).apply(x) as tfl.SymbolicTensor;
  const a = L.conv2d({ filters: 6, kernelSize: 1, activation: 'swish', name: 'branch_swish' }).apply(x) as tfl.SymbolicTensor;
  const b = L.conv2d({ filters: 6, kernelSize: 3, padding: 'same', dilationRate: dilation, activation: 'tanh', name: 'branch_tanh' }).apply(x) as tfl.SymbolicTensor;
  const s = L.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'sigmoid', name: 'branch_sigmoid' }).apply(x) as tfl.SymbolicTensor;
  const sum = L.add({ name: 'add' }).apply([a, b, x]) as tfl.SymbolicTensor;
  const gated = L.multiply({ name: 'multiply' }).apply([sum, s]) as tfl.SymbolicTensor;
  x = L.concatenate({ name: 'concat' }).apply([gated, a]) as tfl.SymbolicTensor;
  x = L.zeroPadding2d({ padding: [[1, 0], [0, 1]], name: 'pad' }).apply(x) as tfl.SymbolicTensor;
  x = L.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu', name: 'conv_stride' }).apply(x) as tfl.SymbolicTensor;
  const pooledMax = L.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same', name: 'maxpool' }).apply(x) as tfl.SymbolicTensor;
  x = L.averagePooling2d({ poolSize: 2, strides: 2, padding: 'valid', name: 'avgpool' }).apply(pooledMax) as tfl.SymbolicTensor;
  x = L.batchNormalization({ name: 'bn_alone' }).apply(x) as tfl.SymbolicTensor;
  x = L.dropout({ rate: 0.5, name: 'dropout' }).apply(x) as tfl.SymbolicTensor;
  x = L.elu({ name: 'elu' }).apply(x) as tfl.SymbolicTensor;
  const globalMax = L.globalMaxPooling2d({ name: 'gmp' }).apply(x) as tfl.SymbolicTensor;
  const globalAvg = L.globalAveragePooling2d({ name: 'gap' }).apply(x) as tfl.SymbolicTensor;
  const flat = L.flatten({ name: 'flatten' }).apply(x) as tfl.SymbolicTensor;
  let d = L.concatenate({ name: 'concat_dense' }).apply([flat, globalMax, globalAvg]) as tfl.SymbolicTensor;
  d = L.dense({ units: 12, name: 'dense_a' }).apply(d) as tfl.SymbolicTensor;
  d = L.batchNormalization({ name: 'bn_dense' }).apply(d) as tfl.SymbolicTensor;
  d = L.activation({ activation: 'gelu', name: 'gelu' }).apply(d) as tfl.SymbolicTensor;
  d = L.reshape({ targetShape: [3, 4], name: 'reshape' }).apply(d) as tfl.SymbolicTensor;
  d = L.dense({ units: 4, activation: 'softplus', name: 'dense_rank3' }).apply(d) as tfl.SymbolicTensor;
  d = L.flatten({ name: 'flatten_b' }).apply(d) as tfl.SymbolicTensor;
  d = L.dense({ units: 7, activation: 'selu', name: 'dense_selu' }).apply(d) as tfl.SymbolicTensor;
  d = L.dense({ units: 5, activation: 'softmax', name: 'probs' }).apply(d) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: d, name: 'all_kinds' });
  randomizeWeights(model, 7);
  return model;
}

/** A functional model with a Sequential sub-model inside, a Softmax layer at the end, and hard-sigmoid/softsign. */
export function nestedModel(): tfl.LayersModel {
  const L = tfl.layers;
  const inner = tfl.sequential({
    name: 'inner',
    layers: [
      L.conv2d({ inputShape: [8, 8, 5], filters: 5, kernelSize: 3, padding: 'same', useBias: false, name: 'inner_conv' }),
      L.batchNormalization({ name: 'inner_bn' }),
      L.activation({ activation: 'hardSigmoid', name: 'inner_hsig' }),
    ],
  });
  const input = tfl.input({ shape: [8, 8, 3], name: 'pixels' });
  const c = L.conv2d({ filters: 5, kernelSize: 3, padding: 'same', activation: 'softsign', name: 'outer_conv' }).apply(input) as tfl.SymbolicTensor;
  const n = inner.apply(c) as tfl.SymbolicTensor;
  const sum = L.add({ name: 'outer_add' }).apply([c, n]) as tfl.SymbolicTensor;
  const g = L.globalAveragePooling2d({ name: 'outer_gap' }).apply(sum) as tfl.SymbolicTensor;
  const logits = L.dense({ units: 4, name: 'outer_logits' }).apply(g) as tfl.SymbolicTensor;
  const probs = L.softmax({ name: 'outer_softmax' }).apply(logits) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: probs, name: 'nested' });
  randomizeWeights(model, 11);
  randomizeWeights(inner as unknown as tfl.LayersModel, 13);
  return model;
}

/** A Sequential, fully convolutional model with no input size fixed. */
export function sequentialModel(): tfl.Sequential {
  const L = tfl.layers;
  const model = tfl.sequential({
    name: 'seq',
    layers: [
      L.conv2d({ inputShape: [null, null, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 's_conv1' }),
      L.maxPooling2d({ poolSize: 2, padding: 'same', name: 's_pool' }),
      L.conv2d({ filters: 6, kernelSize: 3, padding: 'valid', activation: 'linear', name: 's_conv2' }),
      L.globalAveragePooling2d({ name: 's_gap' }),
    ],
  });
  randomizeWeights(model, 3);
  return model;
}

/** conv·ReLU → conv·ReLU ('maps') → global average pooling → dense ('scores') → softmax: 10×10 RGB, 4 classes. */
export function gapModel(): tfl.LayersModel {
  const L = tfl.layers;
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  return tfl.sequential({
    layers: [
      L.conv2d({ inputShape: [10, 10, 3], filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1), name: 'conv1' }),
      L.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(2), biasInitializer: 'ones', name: 'maps' }),
      L.globalAveragePooling2d({ name: 'gap' }),
      L.dense({ units: 4, kernelInitializer: init(3), biasInitializer: 'ones', name: 'scores' }),
      L.softmax({ name: 'probs' }),
    ],
  });
}

/**
 * A small scorer on 12×12 RGB: conv (5 filters, ReLU or linear) → with `maps`, a second conv
 * ('maps', 4 filters) → 2×2 average pooling → flatten → dense ('scores', `units`).
 */
export function scorerModel({ relu, maps = false, units = 4 }: { relu: boolean; maps?: boolean; units?: number }): tfl.LayersModel {
  const L = tfl.layers;
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const activation = relu ? 'relu' : 'linear';
  return tfl.sequential({
    layers: [
      L.conv2d({ inputShape: [12, 12, 3], filters: 5, kernelSize: 3, padding: 'same', activation, kernelInitializer: init(1), biasInitializer: 'ones', name: 'conv' }),
      ...(maps ? [L.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation, kernelInitializer: init(4), name: 'maps' })] : []),
      L.averagePooling2d({ poolSize: 2, name: 'pool' }),
      L.flatten({ name: 'flat' }),
      L.dense({ units, kernelInitializer: init(2), name: 'scores' }),
    ],
  });
}
