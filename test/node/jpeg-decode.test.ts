// JPEGs decode to libjpeg-turbo's pixels (the browsers' decoder), byte for byte with its own
// djpeg (test/fixtures/jpeg-decode.json from scripts/fixtures/jpeg_decode.py), and what
// libjpeg-turbo is not given (an oversized or damaged file) gets jpeg-js's answer as before.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage } from '../../src/backends/node';
import { DeepvisError } from '../../src/index';

const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/jpeg-decode.json'), 'utf8')) as {
  photos: { file: string; width: number; height: number; sha256: string; means: number[] }[];
};

/** A baseline JPEG's first bytes up to a frame header (SOF0) naming `height` × `width`. */
function headerOnly(height: number, width: number): Uint8Array {
  return Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 17, 8, height >> 8, height & 255, width >> 8, width & 255, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
}

describe('decodeImage on JPEGs', () => {
  it.each(fixture.photos)('$file equals djpeg byte for byte', ({ file, width, height, sha256, means }) => {
    const image = decodeImage(readFileSync(join(__dirname, '../../assets/photos', file)));
    try {
      expect(image.shape).toEqual([height, width, 3]);
      const values = image.dataSync();
      const rgb = Uint8Array.from(values);
      expect(rgb.every((v, i) => v === values[i])).toBe(true);
      expect(createHash('sha256').update(rgb).digest('hex')).toBe(sha256);
      const mean = [0, 1, 2].map((c) => rgb.filter((_, i) => i % 3 === c).reduce((s, v) => s + v, 0) / (width * height));
      mean.forEach((m, c) => expect(m).toBeCloseTo(means[c]!, 9));
    } finally {
      image.dispose();
    }
  });

  it('after 250 damaged JPEGs in a row a photo still decodes to libjpeg-turbo\'s pixels (no decoder worn out)', () => {
    const photo = readFileSync(join(__dirname, '../../assets/photos', fixture.photos[1]!.file));
    const damaged = Uint8Array.from(photo);
    damaged.fill(0xff, 2000, 2400); // markers where the scan's data should be: libjpeg-turbo's error exit
    const before = tf.memory().numTensors;
    for (let i = 0; i < 250; i++) {
      try {
        decodeImage(damaged).dispose(); // jpeg-js may still make something of it
      } catch (e) {
        expect((e as DeepvisError).code).toBe('BAD_VALUE');
      }
    }
    expect(tf.memory().numTensors).toBe(before);
    const image = decodeImage(photo);
    expect(createHash('sha256').update(Uint8Array.from(image.dataSync())).digest('hex')).toBe(fixture.photos[1]!.sha256);
    image.dispose();
  });

  it.each([
    ['a frame header over 100 MP (20000 × 20000)', headerOnly(20000, 20000)],
    ['a frame header with no scan after it', headerOnly(64, 48)],
    ['a photo cut after 300 bytes', readFileSync(join(__dirname, '../../assets/photos/dog.jpg')).subarray(0, 300)],
  ])('%s: BAD_VALUE, no tensor left, the next photo still decodes', (_, bytes) => {
    const before = tf.memory().numTensors;
    let error: unknown;
    try {
      decodeImage(bytes).dispose();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DeepvisError);
    expect((error as DeepvisError).code).toBe('BAD_VALUE');
    expect((error as DeepvisError).message).toMatch(/The JPEG does not decode/);
    expect(tf.memory().numTensors).toBe(before);
    const next = decodeImage(readFileSync(join(__dirname, '../../assets/photos/dog.jpg')));
    expect(next.shape).toEqual([fixture.photos[1]!.height, fixture.photos[1]!.width, 3]);
    next.dispose();
  });
});
