// Run by test/node/node-webgpu.test.ts in a child process (the Vulkan loader's path must be
// set before Node starts): WebGPU through Dawn against cpu on a small model, as JSON on stdout.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { useNodeBackend } from '../../src/backends/node';
import { toNet } from '../../src/index';
import { allKindsModel } from './models';
import { relativeError } from './relative-error';

const auto = await useNodeBackend();
// The reference first: tensors move from cpu to WebGPU when used there, not back synchronously.
await tf.setBackend('cpu');
const model = allKindsModel();
const net = toNet(model, { inputRange: [-1, 1] });
const names = net.layers.map((l) => l.name);
const pixels = tf.randomUniform([2, 12, 12, 3], 0, 255, 'float32', 1) as tf.Tensor4D;
const weights = tf.randomNormal([2, 5], 0, 1, 'float32', 5);
const run = async () => {
  const taps = net.forward(pixels, { taps: names });
  const grad = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(net.forward(p as tf.Tensor4D, { taps: [net.logits] })[net.logits], weights)))(pixels);
  const values = await Promise.all([...names.map((n) => taps[n].data()), grad.data()]);
  tf.dispose([taps, grad]);
  return values;
};
const cpu = await run();
const named = await useNodeBackend('webgpu');
const before = tf.memory().numTensors;
const gpu = await run();
await run();
const leaked = tf.memory().numTensors - before;
const errors = Object.fromEntries([...names, 'gradient'].map((n, i) => [n, relativeError(gpu[i], cpu[i])]));
console.log(JSON.stringify({ auto: auto.name, autoDetail: auto.detail, named: named.name, detail: named.detail, errors, leaked }));
