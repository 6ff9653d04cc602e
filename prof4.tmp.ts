import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend, loadLayersModelFile } from './src/backends/node';
import * as D from './src/index';
await useNodeBackend((process.env.BK ?? 'wasm') as 'wasm');
const model = await loadLayersModelFile('/work/shared/models/darknet-tiny-imagenet-tfjs/model.json');
const net = D.toNet(model, { inputRange: [0, 1] });
const S = Number(process.env.S ?? 128), steps = Number(process.env.STEPS ?? 10);
const modern = { steps, size: S, seed: 1, lr: 0.05, optimizer: D.adam(), parameterization: D.fourier(), regularizers: [] };
const T = [D.pad(12), D.jitter(8), D.randomScale(0.9, 1.1), D.randomRotate(10), D.jitter(4)];
const variants: [string, object][] = [
  ['preset3', { ...D.PAPER_PRESETS[2], steps, size: S, seed: 1 }],
  ['fourier+adam', modern],
  ['pad/jitter', { ...modern, transforms: [D.pad(12), D.jitter(8), D.jitter(4)] }],
  ['+scale', { ...modern, transforms: [D.pad(12), D.jitter(8), D.randomScale(0.9, 1.1), D.jitter(4)] }],
  ['full', { ...modern, transforms: T }],
];
const times: Record<string, number[]> = {};
for (let rep = 0; rep < 3; rep++) for (const [name, o] of variants) {
  const t0 = performance.now();
  const r = await D.optimizeUnit(net, D.classLogit(9), o);
  (times[name] ??= []).push((performance.now() - t0) / steps);
  tf.dispose([r.image, r.last]);
}
const med = (a: number[]) => a.slice().sort((x, y) => x - y)[1];
for (const [name] of variants) console.log(name, med(times[name]).toFixed(1), 'ms', (med(times[name]) / med(times.preset3)).toFixed(2));
