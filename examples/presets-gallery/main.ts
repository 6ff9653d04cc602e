// The paper's Figure 3, on Darknet-Tiny: the four Table 1 presets side by side for a few
// classes, as PNGs, one sheet.png (a row per class, a column per preset) and an index.html.
//
//   node --import tsx examples/presets-gallery/main.ts [--out deepvis-out/presets] [--size 128]
//        [--steps N (default: each preset's own)] [--classes 424,9,...] [--lr-scale caffenet|verbatim]
//        [--display norm01c|raw] [--seed 0]
//
// Needs ../shared/models/darknet-tiny-imagenet-tfjs (or DEEPVIS_SHARED pointing at shared/).
import { existsSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend, loadLayersModelFile, writePng } from '../../src/backends/node';
import { toNet } from '../../src/net/index';
import { classLogit } from '../../src/objectives/index';
import { optimizeUnit, PAPER_PRESETS, type LrScale } from '../../src/optimize/index';
import { displayImage, type ImageDisplay } from '../../src/image/display';
import { assembleGrid } from '../../src/util/grid';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: 'deepvis-out/presets' },
    size: { type: 'string', default: '128' },
    steps: { type: 'string' },
    classes: { type: 'string', default: '424,9,961,386' }, // flamingo, Persian cat, school bus, goldfinch (Darknet order)
    'lr-scale': { type: 'string', default: 'caffenet' },
    seed: { type: 'string', default: '0' },
    // 'norm01c' centres on the mean image and stretches the largest deviation to fill 0–255,
    // as the toolbox saved its images; 'raw' writes the pixels as optimized.
    display: { type: 'string', default: 'norm01c' },
  },
});

const shared = resolve(process.env.DEEPVIS_SHARED ?? '../shared');
const modelDir = join(shared, 'models/darknet-tiny-imagenet-tfjs');
if (!existsSync(join(modelDir, 'model.json'))) {
  console.error(`Darknet-Tiny not found at ${modelDir}; set DEEPVIS_SHARED to the shared/ folder.`);
  process.exit(1);
}

const backend = await useNodeBackend();
console.log(`backend: ${backend.detail}`);
const net = toNet(await loadLayersModelFile(join(modelDir, 'model.json')));
const labels: string[] = JSON.parse(await readFile(join(modelDir, 'labels.json'), 'utf8'));
const size = Number(args.size);
const classes = args.classes!.split(',').map(Number);
const lrScale = (Number.isFinite(Number(args['lr-scale'])) ? Number(args['lr-scale']) : args['lr-scale']) as LrScale;
const out = resolve(args.out!);
await mkdir(out, { recursive: true });

const rows: string[] = [];
const shownAll: tf.Tensor3D[] = [];
for (const k of classes) {
  const cells: string[] = [];
  for (const [p, preset] of PAPER_PRESETS.entries()) {
    const steps = args.steps ? Number(args.steps) : preset.steps;
    const t0 = Date.now();
    const r = await optimizeUnit(net, classLogit(k), { ...preset, steps, size, seed: Number(args.seed), lrScale });
    const top = tf.tidy(() => {
      const probs = tf.softmax(net.predict(tf.expandDims(r.image, 0) as tf.Tensor4D) as tf.Tensor2D);
      return { index: tf.argMax(probs, 1).dataSync()[0], p: probs.dataSync()[k] };
    });
    const file = `class${k}-preset${p + 1}.png`;
    const shown = displayImage(r.image, { mean: net.mean, display: args.display as ImageDisplay });
    await writePng(join(out, file), shown);
    shownAll.push(shown);
    tf.dispose([r.image, r.last]);
    const seconds = ((Date.now() - t0) / 1000).toFixed(1);
    console.log(`${labels[k]} (${k}) preset ${p + 1}: logit ${r.best.toFixed(1)} at step ${r.bestStep}, p=${top.p.toFixed(3)}, top-1 ${labels[top.index]}; ${steps} steps in ${seconds} s -> ${file}`);
    cells.push(`<td><img src="${file}" width="${Math.max(size, 160)}"><br>p=${top.p.toFixed(2)}</td>`);
  }
  rows.push(`<tr><th>${labels[k]}<br>(${k})</th>${cells.join('')}</tr>`);
}

const head = PAPER_PRESETS.map((p) => `<th>${p.name}<br><small>${p.regularizers.map((r) => `${r.name} ${Object.values(r.params).join('/')}`).join(', ')}</small></th>`).join('');
await writeFile(join(out, 'index.html'), `<!doctype html><meta charset="utf-8"><title>deepvis: Table 1 presets on Darknet-Tiny</title>
<style>body{font-family:sans-serif}td,th{text-align:center;padding:4px;font-size:12px}img{image-rendering:pixelated}</style>
<h1>Regularized optimization: the four presets of Yosinski et al. 2015, Table 1</h1>
<p>Darknet-Tiny, ${size}×${size}, lrScale ${String(lrScale)}, seed ${args.seed}, display ${args.display}. p = softmax probability of the class on the (unstretched) image.</p>
<table><tr><th></th>${head}</tr>${rows.join('\n')}</table>\n`);
const sheet = tf.tidy(() => assembleGrid(tf.stack(shownAll) as tf.Tensor4D, PAPER_PRESETS.length, classes.length, 2, 255));
await writePng(join(out, 'sheet.png'), sheet);
tf.dispose([sheet, ...shownAll]);
console.log(`wrote ${join(out, 'index.html')} and ${join(out, 'sheet.png')}`);
net.dispose();
