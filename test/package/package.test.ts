// What a user installs: checked on the built package (the project's global setup packs it, building dist/).
import { describe, expect, inject, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(__dirname, '../..');
const bin = (name: string) => resolve(root, 'node_modules/.bin', name);

/**
 * Runs `body` (async code that has `deepvis`, `node` = deepvis/node and `req` = require) as an
 * ES module and as CommonJS in the package root, and returns what each printed last, as JSON.
 */
function inEsmAndCjs(body: string, timeout: number): unknown[] {
  const esm = `import * as deepvis from 'deepvis'; import * as node from 'deepvis/node'; import { createRequire } from 'node:module'; const req = createRequire(import.meta.url);`;
  const cjs = `const deepvis = require('deepvis'); const node = require('deepvis/node'); const req = require;`;
  return ([['module', esm], ['commonjs', cjs]] as const).map(([type, load]) => {
    const script = `${load}\n(async () => {\n${body}\n})().catch((e) => { console.error(e); process.exit(1); });`;
    const r = spawnSync(process.execPath, ['--input-type', type, '-e', script], { cwd: root, encoding: 'utf8', timeout });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout.trim().split('\n').pop()!);
  });
}

const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { cwd: root, encoding: 'utf8', timeout: 120_000 });

describe('the published package', () => {
  it('passes publint with no errors, warnings or suggestions', () => {
    const r = run(bin('publint'), ['--strict']);
    expect(r.stdout + r.stderr).toMatch(/All good!/);
    expect(r.status).toBe(0);
  });

  it('passes @arethetypeswrong/cli for node16 (CJS and ESM) and bundlers', () => {
    const r = run(bin('attw'), [inject('tarball'), '--profile', 'node16', '--format', 'table-flipped']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('packs only what users need', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const files: string[] = JSON.parse(out)[0].files.map((f: { path: string }) => f.path);
    expect(files.filter((f) => !/^(dist\/|assets\/|README\.md$|LICENSE$|CHANGELOG\.md$|package\.json$)/.test(f))).toEqual([]);
    const photos = ['cat', 'dog', 'eagle', 'giraffe', 'horses', 'hot_dog', 'kite', 'owl', 'parrot', 'person', 'pets', 'scream'];
    expect(files.filter((f) => f.startsWith('assets/')).sort()).toEqual([
      ...['labels.json', 'model.json', 'NOTICE.md', 'weights.bin'].map((f) => `assets/darknet-tiny/${f}`),
      ...[...photos.map((p) => `${p}.jpg`), 'NOTICE.md'].map((f) => `assets/photos/${f}`),
    ].sort());
    // The prebuilt viewer `deepvis viewer` serves (with its own copies of the model, photos and wasm files).
    expect(files).toContain('dist/viewer-app/index.html');
    expect(files.filter((f) => /^dist\/viewer-app\/tfjs-wasm\/tfjs-backend-wasm[-\w]*\.wasm$/.test(f))).toHaveLength(3);
    for (const entry of ['index', 'webgl', 'wasm', 'node', 'viewer', 'pool-worker', 'top-activations-worker']) {
      expect(files).toContain(`dist/${entry}.js`);
      expect(files).toContain(`dist/${entry}.cjs`);
      expect(files).toContain(`dist/${entry}.d.ts`);
      expect(files).toContain(`dist/${entry}.d.cts`);
    }
  });

  it('works from ESM import and CJS require on the cpu backend', () => {
    const results = inEsmAndCjs(`
      const tfl = req('@tensorflow/tfjs-layers');
      const tf = req('@tensorflow/tfjs-core');
      req('@tensorflow/tfjs-backend-cpu');
      const info = await node.useNodeBackend('cpu');
      const model = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [4, 4, 3], filters: 2, kernelSize: 3, activation: 'relu' })] });
      const net = deepvis.toNet(model);
      const y = net.predict(tf.zeros([1, 4, 4, 3]));
      console.log(JSON.stringify({ backend: info.name, shape: y.shape, layers: net.layers.length }));`, 60_000);
    for (const r of results) expect(r).toEqual({ backend: 'cpu', shape: [1, 2, 2, 2], layers: 2 });
  });

  it('loads the shipped Darknet-Tiny, its labels and a photo from the package files, in ESM and CJS', () => {
    const results = inEsmAndCjs(`
      const tf = req('@tensorflow/tfjs-core');
      req('@tensorflow/tfjs-backend-cpu');
      await node.useNodeBackend('cpu');
      const [net, labels] = await Promise.all([deepvis.loadImageNetNet(), deepvis.loadImageNetLabels()]);
      const photo = node.decodeImage(await deepvis.readSamplePhoto('parrot'));   // 256×465: its centre square
      const x = tf.expandDims(tf.image.resizeBilinear(tf.slice(photo, [104, 0, 0], [256, 256, 3]), [224, 224]), 0);
      const top = tf.argMax(net.predict(x), 1).dataSync()[0];
      console.log(JSON.stringify({ top: labels[top], photos: deepvis.samplePhotos().length, model: deepvis.darknetTinyUrl('model.json').href }));`, 120_000);
    const model = pathToFileURL(resolve(root, 'assets/darknet-tiny/model.json')).href;
    for (const r of results) expect(r).toEqual({ top: 'macaw', photos: 12, model });
  });

  it('runs the worker pool from the built files (dist/pool-worker.js), in ESM and CJS', () => {
    const script = (load: string) => `
      ${load}
      (async () => {
        const pool = await node.openWorkerPool({ model: 'fashion-mnist', workers: 2, backend: 'cpu' });
        try {
          const grey = (v, id) => ({ id, pixels: new Float32Array(28 * 28 * 3).fill(v), shape: [28, 28, 3] });
          const top = await node.topActivationsInPool(pool, [grey(10, 'dark'), grey(240, 'light'), grey(120, 'mid')], { layers: ['relu2'], size: [28, 28], k: 1, batchSize: 1 });
          const error = await node.topActivationsInPool(pool, [], { layers: ['nope'], size: [28, 28] }).catch((e) => e);
          console.log(JSON.stringify({ threads: pool.threadIds.length, images: top.images, units: top.layers.relu2.units.length, error: [error.name, error.code] }));
        } finally {
          await pool.close();
        }
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const esm = `import * as node from 'deepvis/node';`;
    const cjs = `const node = require('deepvis/node');`;
    for (const [type, src] of [['module', esm], ['commonjs', cjs]] as const) {
      const r = spawnSync(process.execPath, ['--input-type', type, '-e', script(src)], { cwd: root, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toEqual({ threads: 2, images: 3, units: 32, error: ['DeepvisError', 'UNKNOWN_LAYER'] });
    }
  });
});
