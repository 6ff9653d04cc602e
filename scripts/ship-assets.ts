/**
 * Writes what deepvis ships in `assets/` from the shared folder (`$DEEPVIS_SHARED`, else
 * `../shared`): Darknet-Tiny as float16 (`assets/darknet-tiny/`: model.json, weights.bin,
 * labels.json) and the twelve licence-clean sample photos, short side 256, JPEG quality 88
 * (`assets/photos/`). The NOTICE.md files beside them are written by hand. See
 * docs/default-model.md.
 *
 * Run: `node --import tsx scripts/ship-assets.ts [--shared DIR] [--side 256] [--quality 88]`
 *
 * @example
 * ```sh
 * nice node --import tsx scripts/ship-assets.ts
 * ```
 * @module
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import jpeg from 'jpeg-js';
import { loadLayersModelFile } from '../src/net/load-file';
import { float16Artifacts } from './default-model/embed';
import { samplePhotos } from '../src/default-model/photos';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    shared: { type: 'string', default: process.env.DEEPVIS_SHARED ?? join(root, '..', 'shared') },
    side: { type: 'string', default: '256' },
    quality: { type: 'string', default: '88' },
  },
});
const shared = resolve(args.shared!);
const side = Number(args.side);
const quality = Number(args.quality);

/**
 * Darknet's labels, with the two names it gives twice told apart (a crane bird and a crane
 * machine; two maillots, the second the "tank suit" of the WordNet synset).
 */
const RENAMED: Record<number, string> = { 428: 'crane (bird)', 544: 'crane (machine)', 976: 'tank suit' };

/** Where each shipped photo's original is under the shared images folder. */
const ORIGINALS: Record<string, string> = {
  ...Object.fromEntries(['dog', 'eagle', 'giraffe', 'horses', 'kite', 'person', 'scream'].map((n) => [n, `darknet-samples-7/${n}.jpg`])),
  ...Object.fromEntries(['hot_dog', 'owl', 'parrot', 'pets'].map((n) => [n, `openimages-coral-5/${n}.jpg`])),
  cat: 'openimages-coral-5/cat_720p.jpg',
};

async function shipModel(): Promise<void> {
  const source = join(shared, 'models', 'darknet-tiny-imagenet-tfjs');
  const out = join(root, 'assets', 'darknet-tiny');
  mkdirSync(out, { recursive: true });
  await tf.setBackend('cpu');
  const model = await loadLayersModelFile(join(source, 'model.json'));
  const a = await float16Artifacts(model);
  model.dispose();
  writeFileSync(join(out, 'weights.bin'), new Uint8Array(a.weightData));
  writeFileSync(join(out, 'model.json'), JSON.stringify({
    format: 'layers-model',
    generatedBy: 'ml5 darknetclassifier/darknettiny (keras 2.1.6 conversion)',
    convertedBy: 'deepvis scripts/ship-assets.ts (float32 → float16)',
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
  }));
  const labels: string[] = JSON.parse(readFileSync(join(source, 'labels.json'), 'utf8'));
  if (labels.length !== 1000) throw new Error(`expected 1000 labels, got ${labels.length}`);
  const named = labels.map((l, i) => RENAMED[i] ?? l);
  if (new Set(named).size !== named.length) throw new Error('labels are not unique after renaming');
  writeFileSync(join(out, 'labels.json'), `${JSON.stringify(named, null, 0).replace(/","/g, '",\n"')}\n`);
  console.log(`model: ${a.weightSpecs.length} weights, ${a.weightData.byteLength} bytes of float16 → ${out}`);
}

/** Area-average resampling of contiguous lines of `n` samples to `m`: each output is the mean over its footprint, so downscaling does not alias. */
function resampleLines(src: Float32Array, n: number, m: number): Float32Array {
  const lines = src.length / n;
  const out = new Float32Array(lines * m);
  const scale = n / m;
  for (let line = 0; line < lines; line++) {
    for (let j = 0; j < m; j++) {
      const start = j * scale;
      const end = start + scale;
      let sum = 0;
      for (let i = Math.floor(start); i < Math.min(n, Math.ceil(end)); i++) sum += (Math.min(end, i + 1) - Math.max(start, i)) * src[line * n + i];
      out[line * m + j] = sum / scale;
    }
  }
  return out;
}

/** `rows × cols` → `cols × rows`. */
function transpose(src: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c];
  return out;
}

/** Resizes an RGBA image to `w2 × h2` (opaque) by area averaging, one colour plane at a time. */
function resizeArea(data: Uint8Array, w: number, h: number, w2: number, h2: number): Uint8Array {
  const out = new Uint8Array(w2 * h2 * 4).fill(255);
  for (let c = 0; c < 3; c++) {
    const plane = Float32Array.from({ length: w * h }, (_, i) => data[i * 4 + c]);
    const wide = transpose(resampleLines(plane, w, w2), h, w2);
    const both = transpose(resampleLines(wide, h, h2), w2, h2);
    for (let i = 0; i < w2 * h2; i++) out[i * 4 + c] = Math.round(Math.min(255, Math.max(0, both[i])));
  }
  return out;
}

function shipPhotos(): void {
  const out = join(root, 'assets', 'photos');
  mkdirSync(out, { recursive: true });
  for (const photo of samplePhotos()) {
    const from = join(shared, 'images', ORIGINALS[photo.name]);
    const { width, height, data } = jpeg.decode(readFileSync(from), { useTArray: true, formatAsRGBA: true });
    const k = side / Math.min(width, height);
    const [w2, h2] = k < 1 ? [Math.round(width * k), Math.round(height * k)] : [width, height];
    const pixels = k < 1 ? resizeArea(data, width, height, w2, h2) : data;
    const encoded = jpeg.encode({ data: pixels, width: w2, height: h2 }, quality).data;
    writeFileSync(join(out, `${photo.name}.jpg`), encoded);
    console.log(`photo ${ORIGINALS[photo.name]} ${width}×${height} → ${photo.name}.jpg ${w2}×${h2}, ${encoded.length} bytes`);
  }
}

await shipModel();
shipPhotos();
