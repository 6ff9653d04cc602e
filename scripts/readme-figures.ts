// Makes the README's figures from gallery output folders (run the galleries first):
//   node --import tsx examples/presets-gallery/main.ts --size 96 --steps 100 --out deepvis-out/presets
//   npm run demo
//   node --import tsx scripts/readme-figures.ts deepvis-out/presets deepvis-out
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { montage } from '../src/index';
import { readImage, writePng } from '../src/backends/node';

const [presets = 'deepvis-out/presets', demo = 'deepvis-out'] = process.argv.slice(2);
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

// Figure 3 of the paper, on Darknet-Tiny: rows are classes, columns the four presets.
const classes = [424, 9, 961, 386];
await grid(classes.flatMap((k) => [1, 2, 3, 4].map((p) => `${presets}/class${k}-preset${p}.png`)), 4, 1, 'docs/images/presets-darknet.png');
// The embedded Fashion-MNIST model: preset 3 for every class.
await grid(Array.from({ length: 10 }, (_, k) => `${demo}/optimized/class-${k}-preset3.png`), 10, 3, 'docs/images/default-model-classes.png');
