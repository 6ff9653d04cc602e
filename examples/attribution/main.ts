// Attribution on Darknet-Tiny: every registered method (ATTRIBUTION_METHODS) and SmoothGrad of
// the gradient, for each photo's top class, as one PNG sheet (columns in that order after the
// photo). --samples is SmoothGrad's samples and Integrated Gradients' steps.
//
//   node --import tsx examples/attribution/main.ts [--images darknet-samples-7] [--limit 4]
//        [--size 224] [--layer leaky_re_lu_15] [--samples 25] [--out deepvis-out/attribution]
//
// Needs ../shared (models and images) or DEEPVIS_SHARED pointing at it.
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend, loadLayersModelFile, readImage, writePng } from '../../src/backends/node';
import { toNet } from '../../src/net/index';
import { attributionRow, attributionSheet, type AttributionRow } from './run';

const { values: args } = parseArgs({
  options: {
    images: { type: 'string', default: 'darknet-samples-7' },
    limit: { type: 'string', default: '4' },
    size: { type: 'string', default: '224' },
    layer: { type: 'string', default: 'leaky_re_lu_15' },
    samples: { type: 'string', default: '25' },
    out: { type: 'string', default: 'deepvis-out/attribution' },
  },
});

const shared = resolve(process.env.DEEPVIS_SHARED ?? '../shared');
const modelFile = join(shared, 'models/darknet-tiny-imagenet-tfjs/model.json');
const folder = join(shared, 'images', args.images!);
for (const f of [modelFile, folder]) {
  if (!existsSync(f)) {
    console.error(`${f} not found; set DEEPVIS_SHARED to the shared/ folder.`);
    process.exit(1);
  }
}
const labels: string[] = JSON.parse(await readFile(join(shared, 'models/darknet-tiny-imagenet-tfjs/labels.json'), 'utf8'));

const backend = await useNodeBackend();
console.log(`backend: ${backend.detail}`);
const net = toNet(await loadLayersModelFile(modelFile));
const size = Number(args.size);
const files = readdirSync(folder).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().slice(0, Number(args.limit));

const rows: AttributionRow[] = [];
const started = Date.now();
for (const file of files) {
  const full = await readImage(join(folder, file));
  const photo = tf.tidy(() => tf.expandDims(tf.image.resizeBilinear(full, [size, size], false, true), 0)) as tf.Tensor4D;
  full.dispose();
  const row = await attributionRow(net, photo, args.layer!, Number(args.samples), labels);
  photo.dispose();
  rows.push(row);
  console.log(`${file}: ${row.label} (${(100 * row.probability).toFixed(1)}%)`);
}
await mkdir(args.out!, { recursive: true });
const sheet = attributionSheet(rows);
const path = join(args.out!, 'attribution.png');
await writePng(path, sheet);
sheet.dispose();
console.log(`wrote ${path}: ${rows[0].titles.join(' | ')} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
