// Images in and names out: centre crop and resize to the net (exact values on small
// images), the labels loader's forms, class-name resolution on the real ImageNet labels.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readLabels } from '../../src/backends/node';
import { centerCrop, classIndex, DeepvisError, fetchImage, fitImage, fitToNet, parseLabels, toNet, unitName } from '../../src/index';
import { SHARED } from '../helpers/shared';

const DARKNET_LABELS = SHARED ? join(SHARED, 'models/darknet-tiny-imagenet-tfjs/labels.json') : '';
const STANDARD_LABELS = SHARED ? join(SHARED, 'models/imagenet-labels/imagenet_classes_standard.json') : '';

/** A `[h, w, 3]` image whose pixel (y, x) is `[10y + x, 0, 1]`. */
const ramp = (h: number, w: number) => tf.tensor3d(Array.from({ length: h * w }, (_, p) => [10 * Math.floor(p / w) + (p % w), 0, 1]).flat(), [h, w, 3]);
const channel0 = (t: tf.Tensor) => tf.tidy(() => Array.from(tf.squeeze(tf.slice(t, [...t.shape.slice(0, -1).map(() => 0), 0], [...t.shape.slice(0, -1), 1])).dataSync()));
const thrown = (f: () => unknown): DeepvisError => {
  try {
    f();
  } catch (e) {
    if (e instanceof DeepvisError) return e;
    throw e;
  }
  throw new Error('did not throw');
};

describe('centerCrop, fitImage, fitToNet', () => {
  it('centerCrop takes the middle square (or aspect) at full resolution, for images and batches', () => {
    const before = tf.memory().numTensors;
    const wide = ramp(2, 5);
    const square = centerCrop(wide);
    expect(square.shape).toEqual([2, 2, 3]);
    expect(channel0(square)).toEqual([1, 2, 11, 12]);
    const tall = ramp(5, 2);
    const tallSquare = centerCrop(tall);
    expect(channel0(tallSquare)).toEqual([10, 11, 20, 21]);
    const four = ramp(4, 4);
    const strip = centerCrop(four, [1, 2]);                   // h : w = 1 : 2 → 2 rows of 4
    expect(strip.shape).toEqual([2, 4, 3]);
    expect(channel0(strip)).toEqual([10, 11, 12, 13, 20, 21, 22, 23]);
    const batch = tf.stack([wide, wide]) as tf.Tensor4D;
    const croppedBatch = centerCrop(batch);
    expect(croppedBatch.shape).toEqual([2, 2, 2, 3]);
    expect(wide.isDisposed).toBe(false);
    tf.dispose([wide, square, tall, tallSquare, four, strip, batch, croppedBatch]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('fitImage crops to the target aspect, then resizes bilinearly; float32 from any dtype', () => {
    const before = tf.memory().numTensors;
    const wide = ramp(2, 6);
    const same = fitImage(wide, 2, 2);                        // no resize: the middle 2×2 as it is
    expect(channel0(same)).toEqual([2, 3, 12, 13]);
    const up = fitImage(wide, 4, 4);                          // the middle 2×2, bilinear ×2 (tf's corner rule)
    expect(channel0(up)).toEqual([2, 2.5, 3, 3, 7, 7.5, 8, 8, 12, 12.5, 13, 13, 12, 12.5, 13, 13]);
    const ints = tf.cast(wide, 'int32') as tf.Tensor3D;
    const fromInts = fitImage(ints, 2, 2);
    expect(fromInts.dtype).toBe('float32');
    expect(channel0(fromInts)).toEqual([2, 3, 12, 13]);
    tf.dispose([wide, same, up, ints, fromInts]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("fitToNet gives a [n, h, w, 3] batch at the net's size (or `size`, default 224, for a net that takes any)", () => {
    const fixed = toNet(tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [3, 3, 3], filters: 1, kernelSize: 1 })] }));
    const free = toNet(tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [null, null, 3], filters: 1, kernelSize: 1 })] }));
    const before = tf.memory().numTensors;
    const photo = ramp(3, 7);
    const a = fitToNet(photo, fixed);
    expect(a.shape).toEqual([1, 3, 3, 3]);
    expect(channel0(a)).toEqual([2, 3, 4, 12, 13, 14, 22, 23, 24]);
    const b = fitToNet(photo, free);
    expect(b.shape).toEqual([1, 224, 224, 3]);
    const c = fitToNet(photo, free, { size: [2, 4] });
    expect(c.shape).toEqual([1, 2, 4, 3]);
    tf.dispose([a, b, c]);
    expect(thrown(() => fitToNet(photo, fixed, { size: 5 })).code).toBe('BAD_OPTION');
    const rgba = tf.zeros([4, 4, 4]) as tf.Tensor3D;
    const e = thrown(() => fitToNet(rgba, fixed));
    expect(e.code).toBe('BAD_SHAPE');
    expect(e.message).toMatch(/\[h, w, 3\].*got \[4, 4, 4\]/);
    tf.dispose([photo, rgba]);
    expect(tf.memory().numTensors).toBe(before);
    fixed.dispose();
    free.dispose();
  });

  it('fetchImage says to use readImage in Node', async () => {
    await expect(fetchImage('http://localhost/x.png')).rejects.toThrow(/readImage\(path\).*deepvis\/node/);
  });
});

describe('parseLabels', () => {
  it('reads arrays, Keras class-index objects, objects with a name field, and text', () => {
    expect(parseLabels('["tench", "goldfish"]')).toEqual(['tench', 'goldfish']);
    expect(parseLabels(['tench', 'goldfish'])).toEqual(['tench', 'goldfish']);
    expect(parseLabels('{"1": ["n01443537", "goldfish"], "0": ["n01440764", "tench"]}')).toEqual(['tench', 'goldfish']);
    expect(parseLabels({ 0: 'tench', 1: 'goldfish' })).toEqual(['tench', 'goldfish']);
    expect(parseLabels('\uFEFFtench\r\ngoldfish\n')).toEqual(['tench', 'goldfish']);
    expect(parseLabels([{ label: 'tench' }, { name: 'goldfish', wnid: 'n01443537' }])).toEqual(['tench', 'goldfish']);
    expect(parseLabels([{ index: 1, name: 'goldfish' }, { index: 0, name: 'tench' }])).toEqual(['tench', 'goldfish']);
    expect(parseLabels([{ id: 7, name: 'tench' }, { id: 9, name: 'goldfish' }])).toEqual(['tench', 'goldfish']);
  });

  it('refuses what it cannot read, naming the entry (never "[object Object]")', () => {
    const noName = thrown(() => parseLabels([{ name: 'tench' }, { wnid: 'n01443537', score: 3 }]));
    expect(noName.code).toBe('BAD_VALUE');
    expect(noName.message).toMatch(/Label #1 is \{"wnid":"n01443537","score":3\}: give a name/);
    expect(noName.message).not.toMatch(/object Object/);
    expect(parseLabels('{"0": "a", "2": "b"}')).toEqual(['a', '', 'b']);
    expect(thrown(() => parseLabels(['a', 'b'], 3)).message).toBe('The labels list has 2 names but the model has 3 classes: give one name per class.');
    expect(thrown(() => parseLabels('{"tench": 0}')).message).toMatch(/keyed by class index.*got the key 'tench'/);
    expect(thrown(() => parseLabels('[1, 2')).message).toMatch(/does not parse/);
    expect(thrown(() => parseLabels('a\n\nb')).message).toMatch(/Line 2 of the labels text is empty/);
    expect(thrown(() => parseLabels(42)).code).toBe('BAD_VALUE');
  });

  it.skipIf(!SHARED)("reads the shared ImageNet label files in every form they come in, to the same names", async () => {
    const darknet = await readLabels(DARKNET_LABELS);
    expect(darknet).toHaveLength(1000);
    const objects = await readLabels(join(SHARED, 'models/darknet-tiny-imagenet-tfjs/imagenet_class_index_darknet.json'));
    expect(objects).toEqual(darknet);
    const keras = Object.fromEntries(darknet.map((name, i) => [String(i), [`n${i}`, name]]));
    expect(parseLabels(JSON.stringify(keras))).toEqual(darknet);
    expect(parseLabels(darknet.join('\n'))).toEqual(darknet);
  });
});

describe.skipIf(!SHARED)('classIndex on the ImageNet labels', async () => {
  const darknet = SHARED ? await readLabels(DARKNET_LABELS) : [];
  const standard: string[] = SHARED ? JSON.parse(await readFile(STANDARD_LABELS, 'utf8')) : [];

  it('finds whole names, synonyms, unique prefixes and whole words, case-insensitively', () => {
    expect(classIndex(darknet, 'flamingo')).toBe(424);
    expect(classIndex(darknet, 'Flamingo')).toBe(424);
    expect(classIndex(darknet, 'BALD_EAGLE')).toBe(397);
    expect(classIndex(darknet, 'eagle')).toBe(397);               // a whole word ('beagle' is not)
    expect(classIndex(darknet, 'flamin')).toBe(424);              // the one prefix
    expect(classIndex(darknet, '424')).toBe(424);
    expect(classIndex(darknet, 7)).toBe(7);
    expect(classIndex(standard, 'tench')).toBe(0);                // 'tench, Tinca tinca'
    expect(classIndex(standard, 'tinca tinca')).toBe(0);
    expect(classIndex(standard, 'great white shark')).toBe(2);
  });

  it('lists the candidates of an ambiguous name and the closest of an unknown one', () => {
    const crane = thrown(() => classIndex(darknet, 'crane'));
    expect(crane.code).toBe('UNKNOWN_CLASS');
    expect(crane.message).toBe("Class name 'crane' names 2 classes: 'crane' (428), 'crane' (544). Give more of the name, or the index.");
    expect(thrown(() => classIndex(darknet, 'tab')).message).toMatch(/matches 2 classes: 'tabby' \(\d+\), 'table lamp' \(\d+\)/);
    const typo = thrown(() => classIndex(darknet, 'flamingoo'));
    expect(typo.code).toBe('UNKNOWN_CLASS');
    expect(typo.message).toMatch(/^Unknown class 'flamingoo'\. Closest names: 'flamingo' \(424\), /);
    expect(typo.message).toMatch(/\(1000 classes in all\)/);
    expect(thrown(() => classIndex(darknet, '1000')).code).toBe('OUT_OF_RANGE');
  });

  it('unitName shows class units by name', () => {
    const net = { logits: 'dense' };
    expect(unitName(net, 'dense', 424, darknet)).toBe('flamingo (424)');
    expect(unitName(net, 'dense', 424)).toBe('class 424');
    expect(unitName(net, 'conv1', 5, darknet)).toBe('conv1 unit 5');
  });
});
