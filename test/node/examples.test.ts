// The examples' core functions, run with few steps: custom-regularizer (images written and
// decodable, the custom regularizer applied and its effect measurable), the notebook
// (every code cell runs in Node, with Deno.jupyter.display shimmed) and attribution's panels.
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImage, loadLayersModelFile, readImage } from '../../src/backends/node';
import { attributionRow, attributionSheet, rowMethods } from '../../examples/attribution/run';
import { DARKNET, HAS_DARKNET, sharedImages } from '../helpers/shared';
import { run, classVsRest } from '../../examples/custom-regularizer/run';
import { neighbourSmoothing, jitter, totalVariation } from '../../examples/custom-regularizer/regularizers';
import { checkNotebook, codeCells, rewriteImports } from '../../examples/notebook/check';
import { loadDefaultNet, optimizeUnit, seededRandom, toNet, type RegularizerContext } from '../../src/index';

const onCpu = process.env.DEEPVIS_BACKEND === 'cpu';
const dirs: string[] = [];
const tempDir = async () => { const d = await mkdtemp(join(tmpdir(), 'deepvis-examples-')); dirs.push(d); return d; };
afterAll(async () => { await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))); });

const ctx = (step = 0, seed = 1): RegularizerContext => ({
  step, steps: 10, grad: tf.zeros([1, 4, 4, 3]) as tf.Tensor4D, random: seededRandom(seed), mean: [0, 0, 0],
});

describe('examples/custom-regularizer', () => {
  it('neighbourSmoothing: exact values, keeps its input, leaks nothing, params are JSON', () => {
    const c = ctx();
    const before = tf.memory().numTensors;
    // A single bright pixel in the middle of a 3×3 image: it keeps (1 − w) + 0 of itself; each
    // 4-neighbour gets w/4 of it; corners get nothing.
    const x = tf.tensor4d([0, 0, 0, 0, 100, 0, 0, 0, 0], [1, 3, 3, 1]);
    const y = neighbourSmoothing(0.4).apply(x, c);
    expect(Array.from(y.dataSync())).toEqual([0, 10, 0, 10, 60, 10, 0, 10, 0].map((v) => expect.closeTo(v, 4)));
    expect(x.isDisposed).toBe(false);
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
    expect(JSON.parse(JSON.stringify([neighbourSmoothing(0.25), jitter(2)]))).toEqual([
      { name: 'neighbourSmoothing', params: { weight: 0.25 } }, { name: 'jitter', params: { pixels: 2 } }]);
    expect(() => neighbourSmoothing(2)).toThrow(/weight/);
    c.grad.dispose();
  });

  it('jitter: a cyclic shift, the same for the same seed', () => {
    const x = tf.reshape(tf.range(0, 16 * 3), [1, 4, 4, 3]) as tf.Tensor4D;
    const shift = (seed: number) => { const c = ctx(0, seed); const y = jitter(2).apply(x, c); const v = Array.from(y.dataSync()); tf.dispose([y, c.grad]); return v; };
    const a = shift(3);
    expect(shift(3)).toEqual(a);
    expect([...a].sort((p, q) => p - q)).toEqual(Array.from(x.dataSync()));   // a permutation of the pixels
    x.dispose();
  });

  it('run(): writes decodable PNGs, applies the custom regularizer, and makes the image smoother', async () => {
    const out = await tempDir();
    const steps = onCpu ? 12 : 40;
    const lines: string[] = [];
    const report = await run({ out, steps, log: (l) => lines.push(l) });
    for (const file of Object.values(report.files)) {
      const im = decodeImage(await readFile(file));
      expect(im.shape[2]).toBe(3);
      expect(im.shape[0]).toBe(112);
      im.dispose();
    }
    // Applied once after every step but the last, as every regularizer in the loop.
    expect(report.smoothingCalls).toBe(steps - 1);
    // Its effect is measurable: the best image is markedly smoother with it.
    expect(report.tv.with).toBeLessThan(0.8 * report.tv.without);
    expect(report.best.without).toBeGreaterThan(0);
    expect(lines.some((l) => l.includes('step'))).toBe(true);
    expect(JSON.parse(report.json)).toEqual([{ name: 'jitter', params: { pixels: 1 } }, { name: 'neighbourSmoothing', params: { weight: 0.25 } }]);
  });

  it('classVsRest: the class logit minus the mean logit, and the loop raises it', async () => {
    const net = await loadDefaultNet();
    try {
      const pixels = tf.fill([1, 28, 28, 3], 100) as tf.Tensor4D;
      const logits = net.forward(pixels, { taps: ['logits'] }).logits as tf.Tensor2D;
      const bound = classVsRest(3).bind(net);
      const v = bound.value({ logits });
      const l = Array.from(logits.dataSync());
      expect(v.dataSync()[0]).toBeCloseTo(l[3] - l.reduce((s, x) => s + x, 0) / l.length, 4);
      tf.dispose([pixels, logits, v]);
      const r = await optimizeUnit(net, classVsRest(3), { steps: 8, seed: 2 });
      expect(r.best).toBeGreaterThan(r.activations[0]);
      tf.dispose([r.image, r.last]);
    } finally {
      net.dispose();
    }
  });

  it('totalVariation of a constant image is 0', () => {
    const im = tf.fill([5, 5, 3], 7) as tf.Tensor3D;
    expect(totalVariation(im)).toBe(0);
    im.dispose();
  });
});

describe('examples/notebook', () => {
  it('rewrites the npm: imports the cells use', () => {
    expect(rewriteImports("import * as tf from 'npm:@tensorflow/tfjs-core@4.22.0';")).toBe("const tf = __import('npm:@tensorflow/tfjs-core@4.22.0');");
    expect(rewriteImports("import { a, b as c } from 'npm:deepvis';")).toBe("const { a, b: c } = __import('npm:deepvis');");
    expect(rewriteImports("import 'npm:@tensorflow/tfjs-backend-cpu@4.22.0';")).toBe("__import('npm:@tensorflow/tfjs-backend-cpu@4.22.0');");
    const code = codeCells().join('\n');
    expect(code).toMatch(/from 'npm:deepvis'/);
    expect(code).toMatch(/Deno\.jupyter\.display/);
  });

  it("every code cell runs in Node; the displays are PNGs that decode; no tensor is left", async () => {
    const out = await tempDir();
    const backend = tf.getBackend();
    const before = tf.memory().numTensors;
    // The notebook selects the cpu backend itself; the project's backend is restored after.
    const report = await checkNotebook({ steps: onCpu ? 5 : 20, out, log: () => {} }).finally(() => tf.setBackend(backend));
    expect(report.cells).toBeGreaterThanOrEqual(5);
    const pngs = report.displays.map((d) => d.bundle['image/png']).filter(Boolean);
    expect(pngs.length).toBe(3);   // the input, the activation grid, the optimized class
    for (const b64 of pngs) {
      const im = decodeImage(Buffer.from(b64, 'base64'));
      expect(im.shape[0]).toBeGreaterThanOrEqual(28 * 3);
      im.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe.skipIf(!HAS_DARKNET)('examples/attribution', () => {
  it('a panel per registered method (and SmoothGrad) a photo, the photo first, each 0–255; the sheet stacks them; no tensor is left', async () => {
    const model = await loadLayersModelFile(DARKNET);
    const net = toNet(model);
    const before = tf.memory().numTensors;
    const photo = await readImage(sharedImages()[0]);
    const x = tf.tidy(() => tf.expandDims(tf.image.resizeBilinear(photo, [64, 64]), 0)) as tf.Tensor4D;
    const row = await attributionRow(net, x, 'leaky_re_lu_15', 2);
    const columns = 1 + rowMethods(2).length;
    expect(row.panels.map((p) => p.shape)).toEqual(Array(columns).fill([64, 64, 3]));
    expect(Array.from(row.panels[0].dataSync())).toEqual(Array.from(x.dataSync()));
    for (const p of row.panels.slice(1)) {
      const [lo, hi] = tf.tidy(() => [tf.min(p).dataSync()[0], tf.max(p).dataSync()[0]]);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeGreaterThan(100);   // each panel scaled to its own maximum
      expect(hi).toBeLessThanOrEqual(255);
    }
    const sheet = attributionSheet([row]);
    expect(sheet.shape).toEqual([64, columns * 64 + (columns - 1) * 8, 3]);
    tf.dispose([sheet, photo, x]);
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
    model.dispose();
  }, 60_000);
});
