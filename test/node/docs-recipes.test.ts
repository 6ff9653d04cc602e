// The Node image recipe of docs/node.md, run as written (imports mapped to the source, paths
// to the shared model and photo): on the eagle photo it prints the CLI's top-1, "bald eagle".
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as deepvis from '../../src/index';
import * as deepvisNode from '../../src/backends/node';
import { imageInputs } from '../../src/cli/images';
import { loadModel } from '../../src/cli/model';
import { rewriteImports } from '../../examples/notebook/check';
import { DARKNET, HAS_DARKNET, SHARED } from '../helpers/shared';

const root = resolve(__dirname, '../..');
const EAGLE = SHARED ? join(SHARED, 'images/darknet-samples-7/eagle.jpg') : '';

/** The first ```ts block after the heading `title` in a markdown file. */
export function codeAfter(markdown: string, title: string): string {
  const at = markdown.indexOf(`\n${title}\n`);
  if (at < 0) throw new Error(`No heading '${title}'`);
  const block = /```ts\n([\s\S]*?)```/.exec(markdown.slice(at));
  if (!block) throw new Error(`No ts block after '${title}'`);
  return block[1]!;
}

describe.skipIf(!HAS_DARKNET)('docs/node.md', () => {
  it("the photo recipe gives the CLI's top-1 on the eagle photo: bald eagle", async () => {
    const recipe = codeAfter(readFileSync(join(root, 'docs/node.md'), 'utf8'), '## A photo in, class names out');
    const code = rewriteImports(recipe
      .replaceAll('models/darknet-tiny/', `${dirname(DARKNET)}/`)
      .replaceAll('photos/eagle.jpg', EAGLE)
      .replace('useNodeBackend()', `useNodeBackend(${JSON.stringify(process.env.DEEPVIS_BACKEND ?? 'auto')})`));
    const modules: Record<string, unknown> = { deepvis, 'deepvis/node': deepvisNode, '@tensorflow/tfjs-core': tf };
    const printed: string[] = [];
    const before = tf.memory().numTensors;
    const body = new (Object.getPrototypeOf(async () => {}).constructor)('__import', 'console', code) as (i: (s: string) => unknown, c: unknown) => Promise<void>;
    await body((s) => modules[s] ?? (() => { throw new Error(`recipe imports ${s}`); })(), { log: (...a: unknown[]) => printed.push(a.join(' ')) });
    expect(tf.memory().numTensors).toBe(before);
    expect(printed).toHaveLength(6);
    expect(printed[0], printed.join('\n')).toMatch(/^bald eagle 22\.\d %$/);
    expect(printed[5]).toBe('424');

    // The CLI's own path for --images: the same top-1 at the same probability.
    const model = await loadModel(DARKNET, undefined, () => {});
    try {
      const pixels = await imageInputs([EAGLE], 224, 224)[0]!.load();
      const batch = tf.expandDims(pixels, 0) as tf.Tensor4D;
      const top = deepvis.topPredictions(model.net, batch, 1, model.labels)[0]!;
      tf.dispose([pixels, batch]);
      expect(`${top.label} ${(100 * top.probability).toFixed(1)} %`).toBe(printed[0]);
    } finally {
      model.dispose();
    }
  });
});
