// docs/concepts.md, "Limits and errors", kept true: its table of DeepvisError codes lists
// exactly the codes src/ throws (and declares), and the limits it quotes for the shipped
// models are the ones their errors give.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeepvisError, loadDefaultNet, loadImageNetNet, type Net } from '../../src/index';

const root = resolve(__dirname, '../..');

/** The text of `docs/concepts.md` from the heading "Limits and errors" to the next heading. */
function limitsSection(): string {
  const doc = readFileSync(join(root, 'docs/concepts.md'), 'utf8');
  const start = doc.indexOf('\n## Limits and errors\n');
  if (start < 0) throw new Error("docs/concepts.md has no '## Limits and errors'");
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

/** The first number `pattern` captures in the section, or an error naming the pattern. */
function quoted(section: string, pattern: RegExp): number {
  const m = pattern.exec(section);
  if (!m) throw new Error(`docs/concepts.md, "Limits and errors", does not say ${pattern}`);
  return Number(m[1]);
}

/** The error `run` throws (and the tensor count before and after it). */
function thrown(run: () => unknown): { error: DeepvisError; leaked: number } {
  const before = tf.memory().numTensors;
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(DeepvisError);
    return { error: e as DeepvisError, leaked: tf.memory().numTensors - before };
  }
  throw new Error('no error');
}

const sorted = (codes: Iterable<string>) => [...new Set(codes)].sort();

describe('docs/concepts.md, "Limits and errors"', () => {
  it('its table lists exactly the DeepvisError codes src/ throws, which are those errors.ts declares', () => {
    const inDocs = [...limitsSection().matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]!);
    const thrownInSrc: string[] = [];
    for (const file of readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts')) continue;
      const text = readFileSync(join(root, 'src', file), 'utf8');
      for (const m of text.matchAll(/new DeepvisError\(\s*'([A-Z_]+)'/g)) thrownInSrc.push(m[1]!);
    }
    const errors = readFileSync(join(root, 'src/errors.ts'), 'utf8');
    const union = /export type DeepvisErrorCode =([^;]*);/.exec(errors)![1]!;
    const declared = [...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]!);
    expect(inDocs.length, 'a code listed twice').toBe(new Set(inDocs).size);
    expect(sorted(inDocs)).toEqual(sorted(thrownInSrc));
    expect(sorted(thrownInSrc)).toEqual(sorted(declared));
  });

  describe('the limits it quotes for the shipped models', () => {
    let darknet: Net;
    let fashion: Net;
    beforeAll(async () => {
      darknet = await loadImageNetNet();
      fashion = await loadDefaultNet();
    });
    afterAll(() => {
      darknet?.dispose();
      fashion?.dispose();
    });

    /** `net.predict` on zeros `[n, side, side, 3]`: the DeepvisError it throws, with no tensor left behind. */
    const refusal = (net: Net, n: number, side: number): DeepvisError => {
      const pixels = tf.zeros([n, side, side, 3]) as tf.Tensor4D;
      try {
        const { error, leaked } = thrown(() => net.predict(pixels));
        expect(leaked, 'tensors left behind').toBe(0);
        return error;
      } finally {
        pixels.dispose();
      }
    };

    it("Darknet-Tiny's largest size, one image and four, and its megabytes per 224² image, as TOO_LARGE gives them", () => {
      const section = limitsSection();
      const one = refusal(darknet, 1, 2048);
      expect(one.code).toBe('TOO_LARGE');
      expect(one.message).toMatch(/over deepvis's 1024 MB budget/);
      const side = (e: DeepvisError) => Number(/use at most about (\d+)×\1 pixels/.exec(e.message)?.[1]);
      expect(side(one)).toBe(quoted(section, /at most about\s+(\d+)×\1 pixels for one image/));
      expect(side(refusal(darknet, 4, 1024))).toBe(quoted(section, /(\d+)×\1 for a batch of 4/));
      // 30 images of 224² pass the budget; the message's total over 30 is the per-image size.
      const thirty = refusal(darknet, 30, 224);
      const total = Number(/would hold (\d+) MB/.exec(thirty.message)?.[1]);
      expect(Math.round(total / 30)).toBe(quoted(section, /Darknet-Tiny holds (\d+) MB per 224² image/));
    });

    it('the smallest sizes: 4×4 for the Fashion-MNIST convnet (BAD_SHAPE below it), any size from 1×1 for Darknet-Tiny', () => {
      const section = limitsSection();
      const min = quoted(section, /Fashion-MNIST convnet needs at\s+least (\d+)×\1 pixels/);
      const small = refusal(fashion, 1, min - 1);
      expect(small.code).toBe('BAD_SHAPE');
      expect(small.message).toContain(`at least ${min}×${min} pixels for this net`);
      expect(quoted(section, /Darknet-Tiny \(`'same'` padding throughout\) takes any size from (\d+)×1/)).toBe(1);
      const before = tf.memory().numTensors;
      const shapes = tf.tidy(() => [fashion.predict(tf.zeros([1, min, min, 3]) as tf.Tensor4D).shape, darknet.predict(tf.zeros([1, 1, 1, 3]) as tf.Tensor4D).shape]);
      expect(shapes).toEqual([[1, 10], [1, 1000]]);
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});
