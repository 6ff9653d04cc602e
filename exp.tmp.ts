import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend, loadLayersModelFile } from './src/backends/node';
import * as D from './src/index';
import { writePng } from './src/image/node-io';
await useNodeBackend((process.env.BK ?? 'wasm') as 'wasm');
const model = await loadLayersModelFile('/work/shared/models/darknet-tiny-imagenet-tfjs/model.json');
const net = D.toNet(model, { inputRange: [0, 1] });
const classes = [424, 9, 961, 386, 646, 319, 947, 607, 642, 79].slice(0, Number(process.env.NC ?? 10));
const checkpoints = (process.env.AT ?? '64,128').split(',').map(Number);
const steps = Math.max(...checkpoints);
const lr = Number(process.env.LR ?? 0.05);
const tr = JSON.parse(process.env.TR ?? 'null');
const transforms = tr ?? [D.pad(12), D.jitter(8), D.randomScale(0.9, 1.1), D.randomRotate(10), D.jitter(4)];
const opts = { steps, size: 128, seed: 1, lr, optimizer: D.adam(), parameterization: D.fourier({ decay: Number(process.env.DECAY ?? 1) }), transforms, regularizers: [] };
const t0 = performance.now();
for await (const s of D.optimizeLoop(net, classes.map((k) => D.classLogit(k)), opts)) {
  if (!checkpoints.includes(s.step + 1)) continue;
  const last = tf.stack(classes.map((_, i) => s.image(i))) as tf.Tensor4D;
  const r = D.robustTop1(net, last, classes);
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  console.log(`step ${s.step + 1} ${((performance.now() - t0) / (s.step + 1)).toFixed(0)} ms/step top1 ${mean(r.top1.map(Number)).toFixed(2)} robust ${mean(r.robust).toFixed(3)} perclass ${r.robust.map((v) => v.toFixed(2)).join(' ')} prob ${mean(r.probability).toFixed(3)}`);
  const tag = process.env.TAG ?? 'm';
  const grid = tf.tidy(() => tf.concat(tf.unstack(last), 1));
  await writePng(`/tmp/pic/out/${tag}-${s.step + 1}.png`, grid as tf.Tensor3D);
  tf.dispose([last, grid]);
}
console.log('tensors', tf.memory().numTensors);
