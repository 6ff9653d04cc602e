// Makes the README's figures from gallery output folders (run the galleries first):
//   npm run demo
//   node --import tsx examples/attribution/main.ts --size 160 --limit 3 --out deepvis-out/attribution
//   node --import tsx src/cli/main.ts optimize --model ../shared/models/darknet-tiny-imagenet-tfjs/model.json \
//     --unit 424,9,124,386,404 --preset 1,2,3,4,lucid --size 128 --steps 200 --workers 2 --out deepvis-out/two-eras
//   node --import tsx scripts/readme-figures.ts deepvis-out deepvis-out/attribution deepvis-out/two-eras
// (The two-era run: about 20 minutes on a busy 2-core machine.)
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import jpeg from 'jpeg-js';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { montage } from '../src/index';
import { readImage, writePng } from '../src/backends/node';

const [demo = 'deepvis-out', attribution = 'deepvis-out/attribution', twoEras = 'deepvis-out/two-eras'] = process.argv.slice(2);
await tf.setBackend('cpu');

async function grid(files: string[], cols: number, scale: number, out: string) {
  const tiles = await Promise.all(files.map(async (f) => {
    const image = await readImage(f);
    const [h, w] = image.shape;
    const big = tf.tidy(() => tf.image.resizeNearestNeighbor(image, [h * scale, w * scale]));
    image.dispose();
    return big as tf.Tensor3D;
  }));
  const sheet = montage(tiles, { cols, gap: 2, background: 255 });
  await writePng(resolve(out), sheet);
  tf.dispose([sheet, ...tiles]);
  console.log(`wrote ${out}`);
}

/** Runs `make` when `folder` exists (each figure needs its own run first), else says so. */
async function from(folder: string, make: () => Promise<void>) {
  if (existsSync(folder)) await make();
  else console.log(`skipped: no ${folder}`);
}

// Figure 3 of the paper in two eras, on Darknet-Tiny, as `deepvis optimize` saved them (norm01c): rows are
// classes (Darknet order: flamingo, Persian cat, golden retriever, goldfinch, peacock), columns the paper's
// four presets and the modern style.
const classes = [424, 9, 124, 386, 404];
await from(twoEras, () => grid(classes.flatMap((k) => ['preset1', 'preset2', 'preset3', 'preset4', 'lucid'].map((p) => `${twoEras}/images/class-${k}-${p}.png`)), 5, 1, 'docs/images/two-eras-darknet.png'));
// The embedded Fashion-MNIST model: preset 3 for every class.
await from(`${demo}/optimized`, () => grid(Array.from({ length: 10 }, (_, k) => `${demo}/optimized/class-${k}-preset3.png`), 10, 3, 'docs/images/default-model-classes.png'));
// Attribution on Darknet-Tiny, as JPEG (photos compress badly as PNG).
await from(attribution, async () => {
  const sheet = await readImage(`${attribution}/attribution.png`);
  const [height, width] = sheet.shape;
  const rgb = sheet.dataSync();
  sheet.dispose();
  const rgba = Buffer.alloc(width * height * 4, 255);
  for (let i = 0; i < width * height; i++) rgba.set([rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]], 4 * i);
  await writeFile('docs/images/attribution-darknet.jpg', jpeg.encode({ data: rgba, width, height }, 85).data);
  console.log('wrote docs/images/attribution-darknet.jpg');
});
