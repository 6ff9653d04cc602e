// The loop opened at Lucid's seams: parameterizations (pixels, Fourier 1/f, decorrelated colour,
// sigmoid), in-gradient transforms (pad, jitter, scale, rotate), Adam, and their composition with
// the r_θ regularizers. Exact values on hand-made cases; gradients against finite differences.
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { toNet } from '../../src/net/index';
import { classLogit, objective } from '../../src/objectives/index';
import { l2Decay } from '../../src/regularizers/index';
import {
  optimizeUnit, optimizeUnits, optimizeUnitSteps, seededRandom,
  pixels, fourier, buildParameterization, COLOR_CORRELATION_SQRT, toParameterization,
  pad, jitter, randomScale, randomRotate, cropToSize, drawTransforms, applyTransforms, rotateImage, resizeImage, toTransform,
  adam, paperStep, toOptimizer, LUCID_PRESET, PAPER_PRESETS, presetFromJSON, robustTop1, robustTransforms,
} from '../../src/optimize/index';
import { DeepvisError } from '../../src/errors';
import { sequentialModel } from '../helpers/models';

const backend = process.env.DEEPVIS_BACKEND;
const mean = [123.68, 116.779, 103.939];

/** Σ w ⊙ f(x) and its directional derivative along d by central differences (float64 sums of float32 values). */
function directional(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, d: tf.Tensor, w: tf.Tensor, eps: number): number {
  const at = (s: number) => tf.tidy(() => tf.sum(tf.mul(w, f(tf.add(x, tf.mul(d, s))))).dataSync()[0]);
  return (at(eps) - at(-eps)) / (2 * eps);
}

/** ⟨∇(Σ w ⊙ f)(x), d⟩ through tfjs's gradient. */
function analytic(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, d: tf.Tensor, w: tf.Tensor): number {
  return tf.tidy(() => tf.sum(tf.mul(tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(w, f(xx))))(x), d)).dataSync()[0]);
}

/** The real inverse 2-D DFT of `[re, im]` spectra `[h, ⌊w/2⌋+1]` by its definition, in float64. */
function irfft2(re: number[][], im: number[][], w: number): number[][] {
  const h = re.length;
  const wf = re[0].length;
  return Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => {
    let s = 0;
    for (let ky = 0; ky < h; ky++) {
      for (let kx = 0; kx < wf; kx++) {
        const c = kx === 0 || (w % 2 === 0 && kx === w / 2) ? 1 : 2;
        const a = 2 * Math.PI * ((ky * y) / h + (kx * x) / w);
        s += c * (re[ky][kx] * Math.cos(a) - im[ky][kx] * Math.sin(a));
      }
    }
    return s / (h * w);
  }));
}

describe(`parameterizations (${backend})`, () => {
  it('are plain data with checked options and a JSON round trip', () => {
    expect(pixels()).toEqual({ basis: 'pixels', decay: 0, decorrelate: false, sigmoid: false });
    expect(fourier()).toEqual({ basis: 'fourier', decay: 1, decorrelate: true, sigmoid: true });
    expect(toParameterization(JSON.parse(JSON.stringify(fourier({ decay: 1.5 }))))).toEqual(fourier({ decay: 1.5 }));
    expect(() => fourier({ decay: -1 })).toThrow(/decay/);
    expect(() => toParameterization({ basis: 'wavelet' } as never)).toThrow(DeepvisError);
  });

  it('fourier without colour or sigmoid is numpy\'s irfft2 of the spectrum times √(hw)/4 at decay 0 (even and odd widths)', () => {
    for (const [h, w] of [[6, 8], [5, 7]]) {
      const wf = Math.floor(w / 2) + 1;
      const random = seededRandom(h * w);
      const re = Array.from({ length: h }, () => Array.from({ length: wf }, () => random() - 0.5));
      const im = Array.from({ length: h }, () => Array.from({ length: wf }, () => random() - 0.5));
      const p = buildParameterization(fourier({ decay: 0, decorrelate: false, sigmoid: false }), 1, h, w, mean);
      // One image, three planes holding the same spectrum: V = [A | B] per plane.
      const plane = re.map((row, y) => [...row, ...im[y]]);
      const v = tf.tensor3d([plane, plane, plane]);
      const x = p.centred(v);
      const want = irfft2(re, im, w).map((row) => row.map((t) => (t * Math.sqrt(h * w)) / 4));
      const got = x.arraySync()[0];
      for (let y = 0; y < h; y++) for (let c = 0; c < w; c++) for (let k = 0; k < 3; k++) expect(got[y][c][k]).toBeCloseTo(want[y][c], 4);
      tf.dispose([v, x]);
      p.dispose();
    }
  });

  it('scales each frequency by 1/f (f in cycles per pixel, floored at 1/max(h, w)), times √(hw)', () => {
    const [h, w] = [8, 8];
    const p = buildParameterization(fourier({ decorrelate: false, sigmoid: false }), 1, h, w, mean);
    // A real 1 at (ky, kx) = (1, 2): the image is 2 · s · cos(2π(y/8 + 2x/8)) / (hw · 4), s = √64 / hypot(1/8, 2/8).
    const planes = tf.tidy(() => tf.tile(tf.reshape(tf.oneHot(1 * 10 + 2, 8 * 10), [1, 8, 10]), [3, 1, 1]));
    const x = p.centred(planes);
    const s = 8 / Math.hypot(1 / 8, 2 / 8);
    const got = x.arraySync()[0];
    for (const [y, c] of [[0, 0], [1, 3], [5, 6]]) expect(got[y][c][0]).toBeCloseTo((2 * s * Math.cos(2 * Math.PI * (y / 8 + (2 * c) / 8))) / (64 * 4), 4);
    tf.dispose([planes, x]);
    p.dispose();
  });

  it('decorrelated colour multiplies by ImageNet\'s colour correlation over its largest column norm', () => {
    const p = buildParameterization(pixels({ decorrelate: true }), 1, 1, 1, mean);
    const v = tf.tensor4d([1, 0, 0], [1, 1, 1, 3]);
    const x = p.centred(v);
    const c = COLOR_CORRELATION_SQRT;
    const norm = Math.max(...[0, 1, 2].map((j) => Math.hypot(c[0][j], c[1][j], c[2][j])));
    expect(norm).toBeCloseTo(Math.hypot(0.26, 0.27, 0.27), 12);
    Array.from(x.dataSync()).forEach((got, i) => expect(got).toBeCloseTo(c[i][0] / norm, 5));
    tf.dispose([v, x]);
    p.dispose();
  });

  it('sigmoid keeps every pixel in 0–255; fromCentred inverts centred (fourier, colour, sigmoid)', () => {
    const p = buildParameterization(fourier(), 2, 12, 10, mean);
    const v = tf.mul(p.init('mean_plus_rand', 3), 300);
    const x = p.centred(v);
    const px = tf.add(x, tf.tensor1d(mean));
    expect(tf.min(px).dataSync()[0]).toBeGreaterThanOrEqual(0);
    expect(tf.max(px).dataSync()[0]).toBeLessThanOrEqual(255);
    const back = p.fromCentred(x);
    const again = p.centred(back);
    expect(tf.max(tf.abs(tf.sub(again, x))).dataSync()[0]).toBeLessThan(0.05);
    tf.dispose([v, x, px, back, again]);
    p.dispose();
  });

  it('the Fourier image\'s gradient agrees with finite differences', () => {
    const p = buildParameterization(fourier(), 1, 8, 6, mean);
    const v = p.init('mean_plus_rand', 5);
    const d = tf.randomNormal(v.shape, 0, 1, 'float32', 6);
    const w = tf.randomNormal([1, 8, 6, 3], 0, 1, 'float32', 7);
    const f = (vv: tf.Tensor) => p.centred(vv);
    expect(analytic(f, v, d, w)).toBeCloseTo(directional(f, v, d, w, 1e-2), 0);
    const rel = Math.abs(analytic(f, v, d, w) / directional(f, v, d, w, 1e-2) - 1);
    expect(rel).toBeLessThan(1e-2);
    tf.dispose([v, d, w]);
    p.dispose();
  });
});

describe('presets as data', () => {
  it('every preset, the modern one included, prints as JSON and rebuilds to the same preset', () => {
    for (const p of [...PAPER_PRESETS, LUCID_PRESET]) {
      const text = JSON.stringify(p);
      expect(JSON.stringify(presetFromJSON(JSON.parse(text)))).toBe(text);
    }
    expect(JSON.parse(JSON.stringify(LUCID_PRESET))).toMatchObject({
      name: 'lucid', steps: 512, lr: { kind: 'constant', lr: 0.05 }, regularizers: [],
      parameterization: { basis: 'fourier', decay: 1, decorrelate: true, sigmoid: true },
      transforms: [{ kind: 'rotate', degrees: 10 }, { kind: 'pad', pixels: 12 }, { kind: 'jitter', pixels: 8 }, { kind: 'scale', min: 0.9, max: 1.1 }, { kind: 'cropToSize' }],
      optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    });
    expect(() => presetFromJSON({ ...JSON.parse(JSON.stringify(LUCID_PRESET)), steps: 0 })).toThrow(/steps/);
  });
});

describe(`transforms (${backend})`, () => {
  it('are plain data, checked, and drawn from the seeded generator (same seed, same draws)', () => {
    const ts = [pad(12), jitter(8), randomScale(0.9, 1.1), randomRotate(10), jitter(4), cropToSize()];
    expect(JSON.parse(JSON.stringify(ts)).map(toTransform)).toEqual(ts);
    expect(drawTransforms(ts, seededRandom(0))).toEqual(drawTransforms(ts, seededRandom(0)));
    expect(drawTransforms(ts, seededRandom(0))).not.toEqual(drawTransforms(ts, seededRandom(1)));
    expect(() => randomRotate(60)).toThrow(/degrees/);
    expect(() => randomScale(1.2, 1.1)).toThrow(/max/);
    expect(() => toTransform({ kind: 'flip' } as never)).toThrow(DeepvisError);
  });

  it('pad, jitter and scale give the sizes they promise; jitter crops at the drawn offset', () => {
    const x = tf.tidy(() => tf.reshape(tf.range(0, 2 * 10 * 10 * 3), [2, 10, 10, 3])) as tf.Tensor4D;
    const padded = applyTransforms(x, [{ kind: 'pad', pixels: 2, mode: 'constant' }]);
    expect(padded.shape).toEqual([2, 14, 14, 3]);
    expect(padded.arraySync()[0][0][0]).toEqual([0, 0, 0]);
    const cropped = applyTransforms(x, [{ kind: 'crop', pixels: 3, dy: 1, dx: 2 }]);
    expect(cropped.shape).toEqual([2, 7, 7, 3]);
    expect(cropped.arraySync()[0][0][0]).toEqual(x.arraySync()[0][1][2]);
    const zoomed = applyTransforms(x, [{ kind: 'scale', factor: 1.2 }]);
    expect(zoomed.shape).toEqual([2, 12, 12, 3]);
    tf.dispose([x, padded, cropped, zoomed]);
  });

  it('rotateImage: 0 is the identity; an image linear in x and y turns exactly (interior)', () => {
    const [h, w] = [21, 25];
    const ramp = (x: number, y: number) => 0.7 * x - 1.3 * y + 5;
    const img = tf.tensor4d(Array.from({ length: h * w }, (_, i) => ramp(i % w, Math.floor(i / w))), [1, h, w, 1]);
    const same = rotateImage(img, 0);
    expect(Array.from(same.dataSync())).toEqual(Array.from(img.dataSync()));
    const theta = (9 * Math.PI) / 180;
    const turned = rotateImage(img, theta).arraySync()[0];
    const [cx, cy] = [(w - 1) / 2, (h - 1) / 2];
    let checked = 0;
    for (let y = 6; y < h - 6; y++) {
      for (let x = 6; x < w - 6; x++) {
        // Reads the input at c + R(θ)(p − c).
        const sx = cx + Math.cos(theta) * (x - cx) - Math.sin(theta) * (y - cy);
        const sy = cy + Math.sin(theta) * (x - cx) + Math.cos(theta) * (y - cy);
        expect(turned[y][x][0]).toBeCloseTo(ramp(sx, sy), 3);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    tf.dispose([img, same]);
  });

  it('rotateImage is its three shears computed pixel by pixel, borders included, either way round', () => {
    const [n, h, w, c] = [2, 9, 11, 3];
    const x = tf.randomNormal([n, h, w, c], 0, 30, 'float32', 5) as tf.Tensor4D;
    const values = x.arraySync();
    /** Each line moved by its own amount, linearly interpolated, 0 outside: `out[i] = x[i + d]`. */
    const shear = (img: number[][][][], alongX: boolean, d: number[]) => img.map((image) => image.map((row, y) => row.map((px, xx) => px.map((_, k) => {
      const v = alongX ? d[y] : d[xx];
      const [whole, f] = [Math.floor(v), v - Math.floor(v)];
      const at = (yy: number, xxx: number) => (yy >= 0 && yy < h && xxx >= 0 && xxx < w ? image[yy][xxx][k] : 0);
      return alongX ? (1 - f) * at(y, xx + whole) + f * at(y, xx + whole + 1) : (1 - f) * at(y + whole, xx) + f * at(y + whole + 1, xx);
    }))));
    for (const theta of [0.15, -0.3]) {
      const [a, b] = [-Math.tan(theta / 2), Math.sin(theta)];
      const rows = Array.from({ length: h }, (_, y) => a * (y - (h - 1) / 2));
      const cols = Array.from({ length: w }, (_, xx) => b * (xx - (w - 1) / 2));
      const expected = shear(shear(shear(values, true, rows), false, cols), true, rows).flat(3);
      const turned = rotateImage(x, theta);
      Array.from(turned.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 3));
      turned.dispose();
    }
    x.dispose();
  });

  it('cropToSize cuts back to the starting size at the drawn offset, or pads centred where the image shrank', () => {
    const x = tf.tidy(() => tf.reshape(tf.range(0, 2 * 10 * 10 * 3), [2, 10, 10, 3])) as tf.Tensor4D;
    const drawn = drawTransforms([pad(3), cropToSize()], () => 0.5);
    expect(drawn[1]).toEqual({ kind: 'cropToSize', u: 0.5, v: 0.5 });
    const back = applyTransforms(x, drawn); // 16² → 10² from offset ⌊0.5 · 7⌋ = 3: the original exactly
    expect(back.shape).toEqual([2, 10, 10, 3]);
    expect(Array.from(back.dataSync())).toEqual(Array.from(x.dataSync()));
    const corner = applyTransforms(x, [{ kind: 'pad', pixels: 3, mode: 'constant' }, { kind: 'cropToSize', u: 0, v: 0.99 }]); // offset (0, ⌊0.99 · 7⌋ = 6)
    const seen = corner.arraySync()[0];
    expect(seen[3][0]).toEqual(x.arraySync()[0][0][3]);
    expect(seen[0][0]).toEqual([0, 0, 0]);
    expect(seen[3][9]).toEqual([0, 0, 0]);
    const shrunk = applyTransforms(x, [{ kind: 'scale', factor: 0.75 }, { kind: 'cropToSize', u: 0.3, v: 0.3 }]);
    expect(shrunk.shape).toEqual([2, 10, 10, 3]);
    const rows = shrunk.arraySync()[1].map((row) => row.map((px) => px[0]));
    expect(rows[0].every((v) => v === 0) && rows[9].every((v) => v === 0)).toBe(true); // 8 rows, one pad above and one below
    expect(rows[1][1]).not.toBe(0);
    tf.dispose([x, back, corner, shrunk]);
  });

  it('rotateImage stays close to bilinear tf.image.transform on a smooth image', () => {
    const [h, w] = [32, 32];
    const img = tf.tidy(() => {
      const yy = tf.reshape(tf.range(0, h), [1, h, 1, 1]);
      const xx = tf.reshape(tf.range(0, w), [1, 1, w, 1]);
      return tf.add(tf.mul(tf.sin(tf.mul(xx, 0.3)), 40), tf.mul(tf.cos(tf.mul(yy, 0.2)), 30)) as tf.Tensor4D;
    });
    const theta = (10 * Math.PI) / 180;
    const [c, s, cx, cy] = [Math.cos(theta), Math.sin(theta), (w - 1) / 2, (h - 1) / 2];
    const reference = tf.image.transform(img, tf.tensor2d([[c, -s, cx - c * cx + s * cy, s, c, cy - s * cx - c * cy, 0, 0]]), 'bilinear', 'constant');
    const ours = rotateImage(img, theta);
    const inner = (t: tf.Tensor4D) => tf.slice(t, [0, 8, 8, 0], [1, 16, 16, 1]);
    const err = tf.tidy(() => tf.max(tf.abs(tf.sub(inner(ours), inner(reference)))).dataSync()[0]);
    expect(err).toBeLessThan(4); // of ±70: three linear interpolations blur a little more than one
    tf.dispose([img, reference, ours]);
  });

  it('resizeImage equals tf.image.resizeBilinear with half-pixel centres (up and down, non-square)', () => {
    const x = tf.randomUniform([2, 9, 13, 3], 0, 255, 'float32', 4) as tf.Tensor4D;
    for (const [h, w] of [[11, 16], [6, 7]]) {
      const ours = resizeImage(x, h, w);
      const theirs = tf.image.resizeBilinear(x, [h, w], false, true);
      expect(tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0]).toBeLessThan(1e-3);
      tf.dispose([ours, theirs]);
    }
    x.dispose();
  });

  it('every transform has a gradient on this backend that agrees with finite differences', () => {
    const x = tf.randomNormal([2, 20, 18, 3], 0, 30, 'float32', 1) as tf.Tensor4D;
    const drawn = drawTransforms([pad(3, { mode: 'reflect' }), pad(2), jitter(4), randomScale(0.8, 1.2), randomRotate(15), jitter(2), cropToSize()], seededRandom(4));
    const f = (xx: tf.Tensor) => applyTransforms(xx as tf.Tensor4D, drawn);
    const out = f(x);
    const d = tf.randomNormal(x.shape, 0, 1, 'float32', 2);
    const w = tf.randomNormal(out.shape, 0, 1, 'float32', 3);
    // Every transform is linear in the image, so a large step measures its derivative without truncation error.
    const rel = Math.abs(analytic(f, x, d, w) / directional(f, x, d, w, 8) - 1);
    expect(rel).toBeLessThan(1e-3);
    tf.dispose([x, out, d, w]);
  });
});

/** The linear net of optimize.test.ts: class 0's logit is the mean of 1·R + 2·G − 1·B. */
function linearNet() {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [null, null, 3], filters: 2, kernelSize: 1, useBias: false, name: 'lin' }),
      tfl.layers.globalAveragePooling2d({ name: 'gap' }),
    ],
  });
  const w = tf.tensor4d([1, 0, 2, 0, -1, 3], [1, 1, 3, 2]);
  model.layers[0].setWeights([w]);
  w.dispose();
  return toNet(model, { inputRange: [0, 255] });
}

describe(`the loop with Adam, Fourier and transforms (${backend})`, () => {
  const net = linearNet();
  const small = toNet(sequentialModel(), { inputRange: [0, 255] });
  afterAll(() => {
    net.dispose();
    small.dispose();
  });
  const modern = { lr: 0.05, optimizer: adam(), parameterization: fourier(), transforms: [pad(2), jitter(2), randomScale(0.9, 1.1), randomRotate(10), jitter(1)], regularizers: [] };

  it('optimizers are plain data; Adam takes a constant lr', async () => {
    expect(toOptimizer(JSON.parse(JSON.stringify(adam({ beta1: 0.8 }))))).toEqual(adam({ beta1: 0.8 }));
    expect(toOptimizer(paperStep())).toEqual({ kind: 'paper' });
    expect(() => adam({ beta2: 1 })).toThrow(/beta2/);
    await expect(optimizeUnit(net, classLogit(0), { optimizer: adam(), lr: { kind: 'progress', maxLr: 1, desiredProgress: 1 }, size: 4 })).rejects.toThrow(/constant learning rate/);
  });

  it('Adam\'s first step moves every variable by lr · g/(|g| + ε): ±lr on the paper\'s pixels', async () => {
    const r = await optimizeUnit(net, classLogit(0), { steps: 2, lr: 3, optimizer: adam(), regularizers: [], start: 'mean', size: 4 });
    const px = Array.from(tf.slice(r.last, [1, 2, 0], [1, 1, 3]).dataSync());
    [mean[0] + 3, mean[1] + 3, mean[2] - 3].forEach((v, i) => expect(px[i]).toBeCloseTo(v, 3));
    tf.dispose([r.image, r.last]);
  });

  it('Adam on Fourier variables raises the objective; every image stays in 0–255', async () => {
    const r = await optimizeUnit(small, classLogit(2), { ...modern, steps: 40, size: 16, seed: 2 });
    expect(r.activations[39]).toBeGreaterThan(r.activations[0] + 0.5);
    const [lo, hi] = [tf.min(r.last).dataSync()[0], tf.max(r.last).dataSync()[0]];
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(255);
    tf.dispose([r.image, r.last]);
  });

  it('the same seed gives the same picture, seed 0 (the default) included; another seed another', async () => {
    const run = async (seed?: number) => {
      const r = await optimizeUnit(small, classLogit(1), { ...modern, steps: 12, size: 16, ...(seed === undefined ? {} : { seed }) });
      const v = Array.from(r.last.dataSync());
      tf.dispose([r.image, r.last]);
      return v;
    };
    const a = await run();
    expect(await run()).toEqual(a);
    expect(await run(0)).toEqual(a);
    expect(await run(5)).not.toEqual(a);
  });

  it.runIf(backend === 'wasm')('the same seed gives the same picture on wasm and cpu', async () => {
    const run = async () => {
      const r = await optimizeUnit(small, classLogit(1), { ...modern, steps: 12, size: 16, seed: 3 });
      const v = Array.from(r.last.dataSync());
      tf.dispose([r.image, r.last]);
      return v;
    };
    const onWasm = await run();
    await tf.setBackend('cpu');
    let onCpu: number[];
    try {
      const model = sequentialModel();
      const cpuNet = toNet(model, { inputRange: [0, 255] });
      const r = await optimizeUnit(cpuNet, classLogit(1), { ...modern, steps: 12, size: 16, seed: 3 });
      onCpu = Array.from(r.last.dataSync());
      tf.dispose([r.image, r.last]);
      cpuNet.dispose();
    } finally {
      await tf.setBackend('wasm');
    }
    const worst = Math.max(...onWasm.map((v, i) => Math.abs(v - onCpu[i])));
    expect(worst).toBeLessThan(0.05);
  });

  it('regularizers compose with Fourier variables: l2Decay(0.5) halves the image about the mean each step', async () => {
    const start = tf.tidy(() => tf.add(tf.randomUniform([8, 8, 3], -40, 40, 'float32', 9), tf.tensor1d(mean))) as tf.Tensor3D;
    const r = await optimizeUnit(net, classLogit(0), { steps: 2, lr: 0, optimizer: adam(), parameterization: fourier(), regularizers: [l2Decay(0.5)], start, size: 8 });
    const want = tf.tidy(() => tf.add(tf.mul(tf.sub(start, tf.tensor1d(mean)), 0.5), tf.tensor1d(mean)));
    expect(tf.max(tf.abs(tf.sub(r.last, want))).dataSync()[0]).toBeLessThan(0.1);
    tf.dispose([start, want, r.image, r.last]);
  });

  it('the image-gradient handed to regularizers is d objective / d image', async () => {
    let seen: number[] = [];
    const probe = { name: 'probe', params: {}, apply: (x: tf.Tensor4D, ctx: { grad: tf.Tensor4D }) => { seen = Array.from(ctx.grad.dataSync().slice(0, 3)); return tf.clone(x); } };
    const r = await optimizeUnit(net, classLogit(0), { steps: 2, lr: 0.01, optimizer: adam(), parameterization: fourier(), regularizers: [probe], size: 4 });
    [1, 2, -1].forEach((g, i) => expect(seen[i]).toBeCloseTo(g / 16, 6));
    tf.dispose([r.image, r.last]);
  });

  it('1,000 modern steps leave the tensor count flat; abort and a throwing objective leave nothing', async () => {
    const before = tf.memory().numTensors;
    let during = 0;
    for await (const s of optimizeUnitSteps(small, classLogit(0), { ...modern, steps: 1000, size: 12, regularizers: [l2Decay(0.01)] })) {
      if (s.step === 10) during = tf.memory().numTensors;
      if (s.isLast) expect(tf.memory().numTensors).toBe(during);
    }
    expect(tf.memory().numTensors).toBe(before);
    const controller = new AbortController();
    const aborted = optimizeUnits(small, [classLogit(0), classLogit(1)], { ...modern, steps: 50, size: 12, signal: controller.signal, onStep: (s) => { if (s.step === 3) controller.abort(); } });
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED' });
    expect(tf.memory().numTensors).toBe(before);
    let calls = 0;
    const throwing = objective('throws at 3', (t) => { if (++calls === 3) throw new Error('boom'); return tf.mean(t.s_gap, 1); }, { taps: ['s_gap'] });
    await expect(optimizeUnit(small, throwing, { ...modern, steps: 10, size: 12, regularizers: [l2Decay(0.1)] })).rejects.toThrow('boom');
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe(`robustTop1 on a hand-made net (${backend})`, () => {
  // Flatten + dense on 16×16: class 0 reads the centre pixel's red value, class 1 is a bias of 100.
  const model = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [16, 16, 3], name: 'flat' }), tfl.layers.dense({ units: 2, name: 'scores' })] });
  const kernel = tf.tidy(() => tf.tensor2d(Array.from({ length: 768 * 2 }, (_, i) => (i === ((8 * 16 + 8) * 3) * 2 ? 1 : 0)), [768, 2]));
  const bias = tf.tensor1d([0, 100]);
  model.layers[1].setWeights([kernel, bias]);
  tf.dispose([kernel, bias]);
  const net = toNet(model, { inputRange: [0, 255] });
  afterAll(() => net.dispose());

  it('a flat image survives every transform; a one-pixel image only those that keep its pixel in place; probabilities exact', () => {
    const flat = new Array(16 * 16 * 3).fill(0).map((_, i) => (i % 3 === 0 ? 101 : 0));
    const dot = new Array(16 * 16 * 3).fill(0);
    dot[(8 * 16 + 8) * 3] = 255;
    const images = tf.tensor4d([...flat, ...dot], [2, 16, 16, 3]);
    const before = tf.memory().numTensors;
    const r = robustTop1(net, images, [0, 0]);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.top1).toEqual([true, true]);
    expect(r.probability[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 5);
    expect(r.robust[0]).toBe(1);
    // Bilinear: the output centre reads the input at m·(8, 8); class 0 wins where 255 · (tent weight of (8, 8)) > 100.
    const kept = robustTransforms(16, 16).filter((m) => {
      const [sx, sy] = [m[0] * 8 + m[1] * 8 + m[2], m[3] * 8 + m[4] * 8 + m[5]];
      return 255 * Math.max(0, 1 - Math.abs(sx - 8)) * Math.max(0, 1 - Math.abs(sy - 8)) > 100;
    }).length;
    expect(r.robust[1]).toBeCloseTo(kept / 24, 10);
    expect(r.robust[1]).toBeLessThan(0.5);
    images.dispose();
  });

  it('the fixed transforms are seeded and within their bounds (the identity when the bounds are 0)', () => {
    expect(robustTransforms(128, 128)).toEqual(robustTransforms(128, 128));
    expect(robustTransforms(128, 128, { seed: 1 })).not.toEqual(robustTransforms(128, 128));
    expect(robustTransforms(8, 8, { shift: 0, scale: [1, 1], degrees: 0, count: 2 }).map((m) => m.map((v) => v + 0))).toEqual([[1, 0, 0, 0, 1, 0, 0, 0], [1, 0, 0, 0, 1, 0, 0, 0]]);
    for (const m of robustTransforms(128, 128)) {
      const zoom = 1 / Math.hypot(m[0], m[3]);
      expect(zoom).toBeGreaterThanOrEqual(0.85);
      expect(zoom).toBeLessThanOrEqual(1.15);
      expect(Math.abs(Math.atan2(m[1], m[0]))).toBeLessThanOrEqual((12 * Math.PI) / 180 + 1e-12);
    }
    expect(() => robustTop1(net, tf.zeros([1, 16, 16, 3]) as tf.Tensor4D, [0, 1])).toThrow(/one target class per image/);
  });
});
