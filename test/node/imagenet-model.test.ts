// The ImageNet model and photos deepvis ships in assets/: they load offline from the
// package's files, the float16 weights classify like the float32 originals, and a missing or
// wrong file is refused with a DeepvisError that names it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  darknetTinyUrl,
  IMAGENET_MODEL_INFO,
  loadImageNetLabels,
  loadImageNetModel,
  loadImageNetNet,
  readSamplePhoto,
  samplePhotos,
  toNet,
  DeepvisError,
  type Net,
} from '../../src/index';
import { decodeImage, loadLayersModelFile, readImage } from '../../src/backends/node';
import { fitImage } from '../../src/image/fit';
import { DARKNET, HAS_DARKNET, sharedImages } from '../helpers/shared';

const backend = process.env.DEEPVIS_BACKEND;
const root = resolve(__dirname, '../..');
// The pure-JS cpu backend runs one Darknet forward in ~3 s: it compares a few photos only.
const cpu = backend === 'cpu';

/** The DeepvisError an async call rejects with, as 'CODE: message'. */
async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DeepvisError);
    return `${(e as DeepvisError).code}: ${(e as Error).message}`;
  }
  return 'no error';
}

describe(`the shipped ImageNet model (${backend})`, () => {
  let net: Net;
  let labels: readonly string[];
  beforeAll(async () => {
    [net, labels] = await Promise.all([loadImageNetNet(), loadImageNetLabels()]);
  });
  afterAll(() => net.dispose());

  it('is Darknet-Tiny from assets/darknet-tiny: 224×224×3 in, 1000 logits, float16 weights as documented', () => {
    expect(darknetTinyUrl('model.json').href).toBe(pathToFileURL(join(root, 'assets/darknet-tiny/model.json')).href);
    expect(net.inputShape).toEqual([224, 224, 3]);
    expect(net.layers).toHaveLength(52);
    expect(net.layers.filter((l) => !l.compiled)).toEqual([]);
    expect(net.logits).toBe('global_average_pooling2d_1');
    expect(net.layer(net.logits).outputShape).toEqual([IMAGENET_MODEL_INFO.classes]);
    const json = JSON.parse(readFileSync(fileURLToPath(darknetTinyUrl('model.json')), 'utf8'));
    const specs = json.weightsManifest[0].weights as { shape: number[]; quantization?: { dtype: string } }[];
    expect(specs.every((s) => s.quantization?.dtype === 'float16')).toBe(true);
    const parameters = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0);
    expect(parameters).toBe(IMAGENET_MODEL_INFO.parameters);
    expect(readFileSync(fileURLToPath(darknetTinyUrl('weights.bin'))).byteLength).toBe(IMAGENET_MODEL_INFO.weightBytes);
    expect(IMAGENET_MODEL_INFO.weightBytes).toBe(2 * parameters);
  });

  it('has 1000 distinct labels in Darknet order', () => {
    expect(labels).toHaveLength(1000);
    expect(new Set(labels).size).toBe(1000);
    expect([labels[0], labels[1], labels[428], labels[544], labels[976], labels[999]]).toEqual(
      ['kit fox', 'English setter', 'crane (bird)', 'crane (machine)', 'tank suit', 'dumbbell'],
    );
    expect(Object.isFrozen(labels)).toBe(true);
  });

  it('ships twelve sample photos, short side 256, and reads them by name', async () => {
    const photos = samplePhotos();
    expect(photos.map((p) => p.name)).toEqual(['cat', 'dog', 'eagle', 'giraffe', 'horses', 'hot_dog', 'kite', 'owl', 'parrot', 'person', 'pets', 'scream']);
    expect(photos.filter((p) => p.licence === 'CC BY 2.0').map((p) => p.name)).toEqual(['cat', 'hot_dog', 'owl', 'parrot', 'pets']);
    expect(readdirSync(join(root, 'assets/photos')).sort()).toEqual([...photos.map((p) => `${p.name}.jpg`), 'NOTICE.md'].sort());
    // The notice credits each CC BY photo on a row of its own: its licence and its Open Images source.
    const notice = readFileSync(join(root, 'assets/photos/NOTICE.md'), 'utf8').split('\n');
    for (const photo of photos.filter((p) => p.licence === 'CC BY 2.0')) {
      const row = notice.find((line) => line.startsWith(`| \`${photo.name}.jpg\` |`)) ?? '';
      expect(row, photo.name).toContain(`| ${photo.licence} |`);
      expect(row, photo.name).toContain(`id=${new URL(photo.source).searchParams.get('id')}`);
    }
    for (const photo of photos) {
      const pixels = await readImage(fileURLToPath(photo.url));
      expect(Math.min(pixels.shape[0], pixels.shape[1]), photo.name).toBe(256);
      pixels.dispose();
    }
    const owl = decodeImage(await readSamplePhoto('owl'));
    expect(owl.shape).toEqual([256, 341, 3]);
    owl.dispose();
    expect(await rejection(readSamplePhoto('flamingo'))).toMatch(/BAD_OPTION: No sample photo 'flamingo': the names are 'dog', 'eagle'/);
  });

  it('knows the parrot and the hot dog (centre crop at 224, as the CLI feeds it)', async () => {
    const top = async (name: string) => {
      const photo = decodeImage(await readSamplePhoto(name));
      const x = tf.tidy(() => tf.expandDims(fitImage(photo, 224, 224), 0)) as tf.Tensor4D;
      const best = tf.tidy(() => tf.argMax(net.predict(x), 1).dataSync()[0]);
      tf.dispose([photo, x]);
      return labels[best];
    };
    expect(await top('parrot')).toBe('macaw');
    expect(await top('hot_dog')).toBe('hotdog');
  });

  describe('refuses what it cannot load, and leaks no tensor', () => {
    let tmp: string;
    beforeAll(() => {
      tmp = mkdtempSync(join(tmpdir(), 'deepvis-imagenet-'));
    });
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));

    it('a folder without the files, a bad baseUrl, a foreign model.json, short labels', async () => {
      const before = tf.memory().numTensors;
      const missing = pathToFileURL(join(tmp, 'nothing/')).href;
      expect(await rejection(loadImageNetModel({ baseUrl: missing }))).toMatch(/BAD_VALUE: Cannot read the Darknet-Tiny model.json from 'file:.*nothing\/model.json': .*ENOENT.*baseUrl/);
      expect(await rejection(loadImageNetNet({ baseUrl: 'not a url' }))).toMatch(/BAD_OPTION: Option 'baseUrl' must be a URL/);

      // model.json present, weights.bin absent: named.
      const half = join(tmp, 'half');
      mkdirSync(half);
      writeFileSync(join(half, 'model.json'), readFileSync(fileURLToPath(darknetTinyUrl('model.json'))));
      expect(await rejection(loadImageNetModel({ baseUrl: pathToFileURL(half) }))).toMatch(/Cannot read the Darknet-Tiny weights from '.*half\/weights.bin'/);

      const foreign = join(tmp, 'foreign');
      mkdirSync(foreign);
      writeFileSync(join(foreign, 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['a', 'b'], weights: [] }] }));
      writeFileSync(join(foreign, 'labels.json'), JSON.stringify(['kit fox']));
      expect(await rejection(loadImageNetModel({ baseUrl: pathToFileURL(foreign) }))).toMatch(/is not deepvis's Darknet-Tiny model.json/);
      expect(await rejection(loadImageNetLabels({ baseUrl: pathToFileURL(foreign) }))).toMatch(/BAD_VALUE: '.*foreign\/labels.json' must hold an array of 1000 class names/);
      writeFileSync(join(foreign, 'labels.json'), '{');
      expect(await rejection(loadImageNetLabels({ baseUrl: pathToFileURL(foreign) }))).toMatch(/BAD_VALUE: The ImageNet labels at '.*' is not JSON/);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('loads from a copy at baseUrl, and net.dispose() releases everything', async () => {
      const copy = join(tmp, 'copy');
      mkdirSync(copy);
      for (const f of ['model.json', 'weights.bin', 'labels.json'] as const) writeFileSync(join(copy, f), readFileSync(fileURLToPath(darknetTinyUrl(f))));
      const before = tf.memory().numTensors;
      const other = await loadImageNetNet({ baseUrl: pathToFileURL(copy).href }); // no trailing slash: a folder all the same
      expect(other.layers).toHaveLength(52);
      other.dispose();
      other.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});

describe.skipIf(!HAS_DARKNET)(`float16 as shipped against the float32 original (${backend})`, () => {
  let original: tfl.LayersModel;
  let float32: Net;
  let float16: Net;
  beforeAll(async () => {
    original = await loadLayersModelFile(DARKNET);
    float32 = toNet(original, { inputRange: [0, 1] });
    float16 = await loadImageNetNet();
  });
  afterAll(() => {
    float32.dispose();
    original.dispose();
    float16.dispose();
  });

  const all = sharedImages();
  const photos = cpu ? all.filter((_, i) => i % 29 === 0) : all;
  it(`gives the same top-1 on ${cpu ? `${photos.length} of the ${all.length}` : `all ${all.length}`} shared photos (centre crop + resize to 224, as the CLI)`, async () => {
    if (!cpu) expect(photos).toHaveLength(87);
    let maxDiff = 0;
    let maxLogit = 0;
    const differ: string[] = [];
    for (const file of photos) {
      const raw = await readImage(file);
      const x = tf.tidy(() => tf.expandDims(fitImage(raw, 224, 224), 0)) as tf.Tensor4D;
      const [a, b] = [float32, float16].map((n) => n.forward(x, { taps: [n.logits] })[n.logits]);
      const [ia, ib] = tf.tidy(() => [tf.argMax(a, 1).dataSync()[0], tf.argMax(b, 1).dataSync()[0]]);
      if (ia !== ib) differ.push(`${file}: ${ia} vs ${ib}`);
      maxDiff = Math.max(maxDiff, tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]));
      maxLogit = Math.max(maxLogit, tf.tidy(() => tf.max(tf.abs(a)).dataSync()[0]));
      tf.dispose([raw, x, a, b]);
    }
    console.log(`[imagenet model] ${backend}: ${photos.length} photos, same top-1 on ${photos.length - differ.length}; max |logit difference| ${maxDiff.toFixed(4)} (largest |logit| ${maxLogit.toFixed(1)})`);
    expect(differ).toEqual([]);
    expect(maxDiff).toBeLessThan(0.1);
  });
});
