// `npm run bench`: measures deepvis on this machine's Node backends, then in headless
// Chromium (bench/browser; BENCH_BROWSER=0 skips it), and writes bench/results/latest.md and
// latest.json. Ratios are measured within one run.
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadLayersModelFile, useNodeBackend, type NodeBackendName } from '../src/backends/node';
import { markdownTable, type Row } from './harness';
import { benchNetGradient } from './net-gradient';
import { benchLive, benchTopActivations } from './live-and-dataset';
import { benchLoopOverhead, benchPresets } from './optimize';
import { benchFidelity } from './fidelity';
import { benchNaive } from './naive';
import { benchAttribution, benchSanity } from './attribution';
import { benchWorkers } from './workers';
import { readImage } from '../src/backends/node';
import * as tf from '@tensorflow/tfjs-core';
import { toNet } from '../src/index';

const shared = resolve(process.env.DEEPVIS_SHARED ?? resolve(import.meta.dirname, '../../shared'));
const darknet = resolve(shared, 'models/darknet-tiny-imagenet-tfjs/model.json');
const backends = (process.env.BENCH_BACKENDS ?? 'wasm,cpu').split(',');
const size = Number(process.env.BENCH_SIZE ?? 224);
const naiveSize = Number(process.env.BENCH_NAIVE_SIZE ?? 112);

async function main() {
  if (!existsSync(darknet)) {
    console.error(`Darknet-Tiny not found at ${darknet}; set DEEPVIS_SHARED to the shared folder.`);
    process.exit(1);
  }
  const rows: Row[] = [];
  for (const backend of backends) {
    // Through deepvis's adapter, as users get it (on wasm: the gradient kernels it registers).
    await useNodeBackend(backend as NodeBackendName);
    console.log(`[bench] ${backend}: Darknet-Tiny ${size}² …`);
    const model = await loadLayersModelFile(darknet);
    // The naive way takes ~38 s per step on cpu at 224²: time it once there.
    rows.push(...(await benchNetGradient(model, backend, size, backend === 'cpu' ? 1 : 2)));
    const net = toNet(model, { inputRange: [0, 1] });
    rows.push(...(await benchPresets(net, backend, size, backend === 'cpu' ? 3 : 20)));
    rows.push(...(await benchLoopOverhead(net, backend, size, backend === 'cpu' ? 1 : 6)));
    // Issue 13's fidelity section, long (BENCH_FIDELITY=0 skips it; BENCH_FIDELITY_CLASSES / _STEPS shrink it): on the first backend only.
    if (backend === backends[0] && process.env.BENCH_FIDELITY !== '0') rows.push(...(await benchFidelity(net, backend)));
    rows.push(...(await benchLive(net, backend, size)));
    rows.push(...(await benchTopActivations(net, backend, size, backend === 'cpu' ? 16 : 64)));
    rows.push(...(await benchAttribution(net, backend, backend === 'cpu' ? 112 : size, 'leaky_re_lu_15')));
    const side = backend === 'cpu' ? 64 : 112;
    const dog = await readImage(resolve(shared, 'images/darknet-samples-7/dog.jpg'));
    const photo = tf.tidy(() => tf.expandDims(tf.image.resizeBilinear(dog, [side, side]), 0)) as tf.Tensor4D;
    dog.dispose();
    rows.push(...(await benchSanity(model, net, { inputRange: [0, 1] }, backend, photo, 'leaky_re_lu_15')));
    photo.dispose();
    net.dispose();
    // Worker threads against one thread (BENCH_WORKER_BACKENDS, default wasm).
    if ((process.env.BENCH_WORKER_BACKENDS ?? 'wasm').split(',').includes(backend)) {
      console.log(`[bench] ${backend}: worker pool vs one thread …`);
      rows.push(...(await benchWorkers(darknet, resolve(shared, 'images'), backend as NodeBackendName, size)));
    }
    const peak = process.memoryUsage().rss / 2 ** 20;
    rows.push({ section: 'memory', backend, metric: 'rss after section', value: peak, unit: 'MiB' });
    model.dispose();
  }
  if (process.env.BENCH_NAIVE === '0') console.log('[bench] naive comparison skipped (BENCH_NAIVE=0).');
  else {
    console.log(`[bench] naive vs deepvis at ${naiveSize}² (the naive step alone takes ~35 s on cpu) …`);
    rows.push(...(await benchNaive(darknet, naiveSize)));
  }
  // The process's peak resident memory over every Node section (maxRSS is in KiB).
  rows.push({ section: 'memory', backend: 'node', metric: 'peak RSS', value: process.resourceUsage().maxRSS / 1024, unit: 'MiB' });
  // Headless Chromium (webgl on SwiftShader, wasm with threads, webgpu): after the Node backends.
  if (process.env.BENCH_BROWSER === '0') {
    console.log('[bench] browser part skipped (BENCH_BROWSER=0).');
  } else {
    const { benchBrowser, browserSkipReason } = await import('./browser/run');
    const skip = browserSkipReason();
    if (skip) console.log(`[bench] browser part skipped: ${skip}.`);
    else {
      const t0 = performance.now();
      rows.push(...(await benchBrowser()));
      console.log(`[bench] browser part took ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
  }
  const table = markdownTable(rows);
  console.log(`\n${table}\n`);
  const out = resolve(import.meta.dirname, 'results');
  await mkdir(out, { recursive: true });
  const meta = { date: new Date().toISOString(), node: process.version, cpus: (await import('node:os')).cpus().length, size };
  await writeFile(resolve(out, 'latest.md'), `# deepvis benchmark\n\n${JSON.stringify(meta)}\n\n${table}\n`);
  await writeFile(resolve(out, 'latest.json'), JSON.stringify({ meta, rows }, null, 2));
  console.log(`[bench] wrote ${resolve(out, 'latest.md')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
