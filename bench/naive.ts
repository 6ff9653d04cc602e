// Issue 6's speed-up targets: the naive gradient step on cpu (the only backend where it ran
// before deepvis) against deepvis on the same cpu backend and on the default Node backend.
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModelFile, useNodeBackend } from '../src/backends/node';
import { toNet } from '../src/index';
import { timeIt, type Row } from './harness';
import { naiveStep, netStep } from './net-gradient';

async function stepOn(file: string, size: number, runs: number, way: 'naive' | 'net'): Promise<number> {
  const model = await loadLayersModelFile(file);
  // The naive way needs no compiled Net.
  const net = way === 'net' ? toNet(model, { inputRange: [0, 1] }) : null;
  const pixels = tf.randomUniform([1, size, size, 3], 0, 255, 'float32', 1) as tf.Tensor4D;
  try {
    return await timeIt(net ? netStep(net, pixels) : naiveStep(model, pixels), runs, runs > 1 ? 1 : 0);
  } finally {
    tf.dispose([pixels]);
    net?.dispose();
    model.dispose();
  }
}

/** Naive on cpu (one run: ~34 s at 112²) vs deepvis on cpu and on `useNodeBackend()`'s pick. */
export async function benchNaive(file: string, size: number): Promise<Row[]> {
  const section = `naive vs deepvis ${size}²`;
  await useNodeBackend('cpu');
  const naive = await stepOn(file, size, 1, 'naive');
  const cpu = await stepOn(file, size, 3, 'net');
  const info = await useNodeBackend();
  const best = await stepOn(file, size, 5, 'net');
  return [
    { section, backend: 'cpu', metric: 'gradient step (model.apply, naive)', value: naive, unit: 'ms', note: 'one run' },
    { section, backend: 'cpu', metric: 'gradient step (deepvis Net)', value: cpu, unit: 'ms' },
    { section, backend: 'cpu', metric: 'speed-up, same backend', value: naive / cpu, unit: '×', note: 'target ≥ 20×' },
    { section, backend: info.name, metric: 'gradient step (deepvis Net, default Node backend)', value: best, unit: 'ms', note: info.detail },
    { section, backend: info.name, metric: 'speed-up, naive cpu → deepvis default backend', value: naive / best, unit: '×', note: 'target ≥ 100×' },
  ];
}
