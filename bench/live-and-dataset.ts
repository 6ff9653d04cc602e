// Issue 4 and 5 benchmarks: the live viewer's forward + tiling of every layer against the bare
// forward, and topActivations' images per second against the bare forward, in one run.
import * as tf from '@tensorflow/tfjs-core';
import type { Net } from '../src/index';
import { backward, backwardImage, topActivations } from '../src/index';
import { timeIt, type Row } from './harness';
import { viewerGrid } from './viewer-grid';

/** Frames per second of a forward pass alone and of forward + tiling every layer. */
export async function benchLive(net: Net, backend: string, size: number): Promise<Row[]> {
  const section = `live ${size}²`;
  const layers = net.layers.filter((l) => l.outputShape.length === 3 || l.outputShape.length === 1).map((l) => l.name);
  const pixels = tf.randomUniform([1, size, size, 3], 0, 255, 'float32', 2) as tf.Tensor4D;
  const forward = await timeIt(() => net.predict(pixels), 5);
  const tiled = await timeIt(() => tf.tidy(() => {
    const acts = net.forward(pixels, { taps: layers });
    // The viewer shows one layer's grid per frame; tiling all of them is the worst case.
    return tf.stack(layers.map((l) => viewerGrid(acts[l])));
  }), 3);
  // Its two parts apart, each of which would have to fit 1/0.9 forwards even with the layout
  // on a core of its own: the tapped forward with every value read out, and the grids alone.
  const tapped = await timeIt(() => tf.tidy(() => {
    const acts = net.forward(pixels, { taps: layers });
    return tf.scalar(layers.reduce((s, l) => s + acts[l].dataSync()[0], 0));
  }), 3);
  const acts = net.forward(pixels, { taps: layers });
  const gridsAlone = await timeIt(() => tf.tidy(() => tf.stack(layers.map((l) => viewerGrid(acts[l])))), 3);
  tf.dispose(acts);
  // A viewer frame, for every layer it can show: the whole forward (the logits feed its
  // top-5) tapping that layer, and its grid. The slowest layer is the worst frame.
  const frames: [string, number][] = [];
  for (const layer of layers) {
    frames.push([layer, await timeIt(() => tf.tidy(() => {
      const acts = net.forward(pixels, { taps: [layer, net.logits] });
      return tf.add(viewerGrid(acts[layer]), tf.max(acts[net.logits]));
    }), 3)]);
  }
  frames.sort((a, b) => a[1] - b[1]);
  const [slowest, worst] = frames[frames.length - 1];
  const median = frames[Math.floor(frames.length / 2)][1];
  // A viewer frame with the backward pane on: forward, one layer's grid, guided backprop of one unit.
  const shown = layers.find((l) => l === 'leaky_re_lu_5') ?? layers[Math.floor(layers.length / 2)];
  const withBackward = await timeIt(() => tf.tidy(() => {
    const grid = viewerGrid(net.forward(pixels, { taps: [shown] })[shown]);
    const signal = backward(net, pixels, { layer: shown, channel: 0, mode: 'guided' });
    return tf.add(grid, tf.mean(backwardImage(signal, 'norm')));
  }), 3);
  pixels.dispose();
  return [
    { section, backend, metric: 'forward', value: 1000 / forward, unit: 'frames/s' },
    { section, backend, metric: 'forward + tiling of all layers', value: 1000 / tiled, unit: 'frames/s', note: `${layers.length} layers` },
    { section, backend, metric: 'tiling rate / forward rate', value: forward / tiled, unit: '×' },
    { section, backend, metric: 'forward tapping all layers, values read, no grids / forward', value: forward / tapped, unit: '×', note: `${tapped.toFixed(1)} ms` },
    { section, backend, metric: 'the grids of all layers alone / forward', value: forward / gridsAlone, unit: '×', note: `${gridsAlone.toFixed(1)} ms` },
    { section, backend, metric: 'viewer frame (forward + one layer\'s grid), slowest layer', value: 1000 / worst, unit: 'frames/s', note: slowest },
    { section, backend, metric: 'viewer-frame rate / forward rate, slowest layer', value: forward / worst, unit: '×', note: `median over the ${layers.length} layers ${(forward / median).toFixed(2)}×` },
    { section, backend, metric: 'forward + one grid + guided backward view', value: 1000 / withBackward, unit: 'frames/s', note: shown },
  ];
}

/** Images per second through topActivations against the bare batched forward. */
export async function benchTopActivations(net: Net, backend: string, size: number, count: number): Promise<Row[]> {
  const section = `topActivations ${size}²`;
  const layers = ['leaky_re_lu_5', 'leaky_re_lu_13'].filter((l) => net.layers.some((x) => x.name === l));
  const images = Array.from({ length: count }, (_, i) => ({ id: `img${i}`, pixels: tf.randomUniform([size, size, 3], 0, 255, 'float32', i) as tf.Tensor3D }));
  const batch = tf.stack(images.slice(0, 8).map((i) => i.pixels)) as tf.Tensor4D;
  const forward = await timeIt(() => net.predict(batch), 3);
  const t0 = performance.now();
  await topActivations(net, images, { layers, k: 9, batchSize: 8 });
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose([batch, ...images.map((i) => i.pixels)]);
  const bare = 8000 / forward;
  return [
    { section, backend, metric: 'bare forward (batch 8)', value: bare, unit: 'images/s' },
    { section, backend, metric: 'topActivations', value: count / seconds, unit: 'images/s', note: layers.join(', ') },
    { section, backend, metric: 'topActivations / bare forward', value: count / seconds / bare, unit: '×' },
  ];
}
