// The browser half of `npm run bench`: one backend per page load, chosen in the URL
// (`?backend=webgl|wasm|webgpu&size=224&optSize=64&optSteps=5&runs=3`). Loads Darknet-Tiny,
// builds a Net and measures the forward pass, the gradient step, optimizeUnit per paper preset
// and the live viewer's frame rates, every time the median of `runs` runs after one warm-up.
// The rows land in `window.__bench` (see bench/browser/run.ts, which drives this page).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { backward, backwardImage, classLogit, optimizeUnit, PAPER_PRESETS, toNet, type Net } from '../../src/index';
import { useWebGL } from '../../src/backends/webgl';
import { useWasm } from '../../src/backends/wasm';
import { timeIt, type Row } from '../harness';
import { viewerGrid } from '../viewer-grid';

export interface BenchResult {
  done: boolean;
  rows: Row[];
  error: string;
}

declare global {
  interface Window {
    __bench?: BenchResult;
  }
}

const params = new URLSearchParams(location.search);
const backend = params.get('backend') ?? 'webgl';
const size = Number(params.get('size') ?? 224);
const optSize = Number(params.get('optSize') ?? size);
const optSteps = Number(params.get('optSteps') ?? 5);
const runs = Number(params.get('runs') ?? 3);
const rows: Row[] = [];
const logEl = document.getElementById('log')!;

function log(line: string): void {
  logEl.textContent += `\n${line}`;
  console.log(`[bench page] ${line}`);
}

function add(section: string, metric: string, value: number | string, unit: string, note?: string): void {
  rows.push({ section, backend, metric, value, unit, ...(note ? { note } : {}) });
  log(`${section} · ${metric}: ${typeof value === 'number' ? value.toFixed(2) : value} ${unit} ${note ?? ''}`);
}

/** Selects the backend; returns a line describing it, or throws saying why it failed. */
async function select(): Promise<string> {
  if (backend === 'webgl') {
    const info = await useWebGL();
    const renderer = (() => {
      const gl = document.createElement('canvas').getContext('webgl2');
      const ext = gl?.getExtension('WEBGL_debug_renderer_info');
      return gl && ext ? String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : 'unknown renderer';
    })();
    return `${info.detail}; ${renderer}`;
  }
  if (backend === 'wasm') {
    const info = await useWasm({ paths: '/tfjs-wasm/' });
    return info.detail;
  }
  if (backend === 'webgpu') {
    if (!('gpu' in navigator)) throw new Error('navigator.gpu is absent (WebGPU not exposed)');
    type Adapter = { info?: Record<string, string> };
    const adapter = await (navigator as unknown as { gpu: { requestAdapter(): Promise<Adapter | null> } }).gpu.requestAdapter();
    if (!adapter) throw new Error('navigator.gpu.requestAdapter() gave no adapter');
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend could not initialise');
    await tf.ready();
    const info = adapter.info ?? {};
    return `webgpu; adapter: ${['vendor', 'architecture', 'description'].map((k) => info[k]).filter(Boolean).join(' / ') || 'no adapter info'}`;
  }
  throw new Error(`unknown backend '${backend}'`);
}

/** Milliseconds per call of an async `f`, the median of `n` runs after `warmup`. */
async function timeAsync(f: () => Promise<void>, n: number, warmup = 1): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < warmup + n; i++) {
    const t0 = performance.now();
    await f();
    if (i >= warmup) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function memoryRow(section: string, when: string): void {
  const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  add(section, `tensors ${when}`, m.numTensors, 'tensors');
  add(section, `tensor bytes ${when}`, m.numBytes / 2 ** 20, 'MiB', m.numBytesInGPU !== undefined ? `${(m.numBytesInGPU / 2 ** 20).toFixed(1)} MiB on the GPU` : undefined);
}

async function gradientSection(net: Net, pixels: tf.Tensor4D): Promise<number> {
  const section = `net gradient ${size}²`;
  const logit = (y: tf.Tensor) => tf.sum(tf.slice(y, [0, 9], [1, 1]));
  const forward = await timeIt(() => net.predict(pixels), runs);
  const stepFn = () => tf.grad((p: tf.Tensor) => logit(net.forward(p as tf.Tensor4D, { taps: [net.logits] })[net.logits]))(pixels);
  const step = await timeIt(stepFn, runs);
  add(section, 'forward (Net)', forward, 'ms');
  add(section, 'gradient step (Net)', step, 'ms', 'class logit, input gradient');
  add(section, 'step / forward', step / forward, '×');
  const prof = await tf.profile(async () => {
    const g = stepFn();
    await g.data();
    g.dispose();
  });
  add(section, 'peak tensor bytes in one step', prof.peakBytes / 2 ** 20, 'MiB', `tf.profile; ${prof.newTensors} tensors left`);
  return forward;
}

async function presetSection(net: Net): Promise<void> {
  const section = `optimizeUnit ${optSize}²`;
  const pixels = tf.randomUniform([1, optSize, optSize, 3], 0, 255, 'float32', 3) as tf.Tensor4D;
  const forward = await timeIt(() => net.predict(pixels), runs);
  pixels.dispose();
  add(section, 'forward', forward, 'ms', optSize !== size ? `smaller than ${size}² to keep SwiftShader runs short` : undefined);
  for (const [i, preset] of PAPER_PRESETS.entries()) {
    // One short run warms up (shader compilation on WebGL), the timed one gives ms/step.
    const perStep = await timeAsync(async () => {
      const result = await optimizeUnit(net, classLogit(9), { ...preset, steps: optSteps, size: optSize, seed: 1 });
      tf.dispose([result.image, result.last]);
    }, 1, 1) / optSteps;
    add(section, `preset ${i + 1} step`, perStep, 'ms', `${optSteps} steps; ${(perStep / forward).toFixed(2)}× forward`);
  }
}

async function liveSection(net: Net, pixels: tf.Tensor4D, bareForward: number): Promise<void> {
  const section = `live ${size}²`;
  const layers = net.layers.filter((l) => l.outputShape.length === 3 || l.outputShape.length === 1).map((l) => l.name);
  // Forward + tiling of every layer: the worst case of the viewer (it shows one grid a frame).
  const allLayers = await timeIt(() => tf.tidy(() => {
    const acts = net.forward(pixels, { taps: layers });
    return tf.stack(layers.map((l) => viewerGrid(acts[l])));
  }), runs);
  // A viewer frame: forward + one layer's grid + the guided backward view of one unit, read back together.
  const layer = layers.includes('leaky_re_lu_5') ? 'leaky_re_lu_5' : layers[Math.floor(layers.length / 2)];
  const withBackward = await timeIt(() => tf.tidy(() => {
    const acts = net.forward(pixels, { taps: [layer, net.logits] });
    const grid = viewerGrid(acts[layer]);
    const shown = backwardImage(backward(net, pixels, { layer, channel: 0, mode: 'guided' }), 'norm');
    return tf.concat([tf.reshape(grid, [-1]), tf.reshape(shown, [-1]), tf.reshape(acts[net.logits], [-1])]);
  }), runs);
  add(section, 'forward', 1000 / bareForward, 'frames/s');
  add(section, 'forward + tiling of all layers', 1000 / allLayers, 'frames/s', `${layers.length} layers`);
  add(section, 'tiling rate / forward rate', bareForward / allLayers, '×');
  add(section, 'forward + 1 grid + guided backward of 1 unit', 1000 / withBackward, 'frames/s', layer);
  add(section, 'backward-view rate / forward rate', bareForward / withBackward, '×');
}

async function main(): Promise<void> {
  const setup = 'setup';
  add(setup, 'crossOriginIsolated', String(self.crossOriginIsolated), '');
  let detail: string;
  try {
    detail = await select();
  } catch (e) {
    add(setup, 'backend', 'unavailable', '', `failed to initialise: ${(e as Error).message}`);
    return;
  }
  add(setup, 'backend', tf.getBackend(), '', detail);
  if (backend === 'wasm') {
    const binary = performance.getEntriesByType('resource').map((e) => e.name.split('/').pop() ?? '').filter((n) => n.endsWith('.wasm')).join(', ');
    add(setup, 'wasm threads', getThreadsCount(), 'threads',
      `${self.crossOriginIsolated ? 'COOP/COEP, SharedArrayBuffer available' : 'not isolated'}; ${binary || 'binary unknown'}; hardwareConcurrency ${navigator.hardwareConcurrency}; tfjs's default thread count`);
  }
  add(setup, 'sizes', `${size}² (optimizeUnit ${optSize}², ${optSteps} steps)`, '', `median of ${runs} runs after 1 warm-up`);

  const t0 = performance.now();
  const model = await tfl.loadLayersModel('/models/darknet/model.json');
  const net = toNet(model, { inputRange: [0, 1] });
  add(setup, 'load + toNet', performance.now() - t0, 'ms');
  memoryRow('memory', 'after load');
  const before = tf.memory().numTensors;

  const pixels = tf.randomUniform([1, size, size, 3], 0, 255, 'float32', 1) as tf.Tensor4D;
  const forward = await gradientSection(net, pixels);
  await liveSection(net, pixels, forward);
  pixels.dispose();
  await presetSection(net);

  memoryRow('memory', 'after all runs');
  add('memory', 'tensors leaked by the runs', tf.memory().numTensors - before, 'tensors');
  const heap = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
  if (heap) add('memory', 'JS heap used', heap.usedJSHeapSize / 2 ** 20, 'MiB');
  net.dispose();
  model.dispose();
}

window.__bench = { done: false, rows, error: '' };
main()
  .catch((e: unknown) => {
    window.__bench!.error = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
    log(`error: ${window.__bench!.error}`);
  })
  .finally(() => {
    window.__bench!.done = true;
    log('done');
  });
