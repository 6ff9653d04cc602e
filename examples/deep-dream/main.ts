// DeepDream on Darknet-Tiny: one of the shared photos, a layer's activity amplified over
// several octaves, written as PNG beside the (resized) original.
//
//   node --import tsx examples/deep-dream/main.ts [--image darknet-samples-7/dog.jpg]
//        [--layer leaky_re_lu_7] [--channels 3,17] [--size 160] [--octaves 3] [--scale 1.4]
//        [--steps 10] [--lr 20] [--out deepvis-out/deep-dream]
//
// Needs ../shared (models and images) or DEEPVIS_SHARED pointing at it.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { useNodeBackend, loadLayersModelFile, readImage, writePng } from '../../src/backends/node';
import { toNet } from '../../src/net/index';
import { deepDream } from '../../src/optimize/index';

const { values: args } = parseArgs({
  options: {
    image: { type: 'string', default: 'darknet-samples-7/dog.jpg' },
    layer: { type: 'string', default: 'leaky_re_lu_7' },
    channels: { type: 'string' },
    size: { type: 'string', default: '160' },
    octaves: { type: 'string', default: '3' },
    scale: { type: 'string', default: '1.4' },
    steps: { type: 'string', default: '10' },
    lr: { type: 'string', default: '20' },
    out: { type: 'string', default: 'deepvis-out/deep-dream' },
  },
});

const shared = resolve(process.env.DEEPVIS_SHARED ?? '../shared');
const modelFile = join(shared, 'models/darknet-tiny-imagenet-tfjs/model.json');
const imageFile = join(shared, 'images', args.image!);
for (const f of [modelFile, imageFile]) {
  if (!existsSync(f)) {
    console.error(`${f} not found; set DEEPVIS_SHARED to the shared/ folder.`);
    process.exit(1);
  }
}

const backend = await useNodeBackend();
console.log(`backend: ${backend.detail}`);
const net = toNet(await loadLayersModelFile(modelFile));

// The photo with its longest side at --size (Darknet-Tiny is fully convolutional).
const full = await readImage(imageFile);
const [h0, w0] = full.shape;
const longest = Number(args.size);
const [h, w] = h0 >= w0 ? [longest, Math.round((longest * w0) / h0)] : [Math.round((longest * h0) / w0), longest];
const photo = tf.tidy(() => tf.image.resizeBilinear(full, [h, w], false, true)) as tf.Tensor3D;
full.dispose();

const started = Date.now();
let first = 0;
const dream = await deepDream(net, photo, {
  layer: args.layer,
  channels: args.channels ? args.channels.split(',').map(Number) : undefined,
  octaves: Number(args.octaves),
  octaveScale: Number(args.scale),
  steps: Number(args.steps),
  lr: Number(args.lr),
  onStep: (s, o) => {
    if (s.step === 0) first = s.activation;
    if (s.isLast) console.log(`octave ${o.index + 1}/${o.octaves} (${o.size.join('×')}): objective ${first.toFixed(2)} → ${s.activation.toFixed(2)} in ${s.steps} steps`);
  },
});
console.log(`dreamed ${h}×${w} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

const out = resolve(args.out!);
await mkdir(out, { recursive: true });
const stem = `${basename(args.image!, extname(args.image!))}-${args.layer}`;
await writePng(join(out, `${stem}-photo.png`), photo);
await writePng(join(out, `${stem}-dream.png`), dream);
console.log(`wrote ${join(out, `${stem}-photo.png`)} and ${join(out, `${stem}-dream.png`)}`);
tf.dispose([photo, dream]);
net.dispose();
