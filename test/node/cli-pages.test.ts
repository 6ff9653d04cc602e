// What the CLI's pages show by default: readable activation grids, top-k on a layer of local
// detectors, failed preset runs flagged, top-5 lists aligned left, grids that wrap.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { readImage } from '../../src/backends/node';
import { GRID_LOOK } from '../../src/cli/commands/activations';
import { presetsTableHtml, type Target } from '../../src/cli/commands/optimize';
import { detectorLayer } from '../../src/cli/context';
import { page } from '../../src/cli/html';
import { activations, fitToNet, loadImageNetNet, PAPER_PRESETS, receptiveField, tileActivations } from '../../src/index';
import { SHARED } from '../helpers/shared';

const median = (t: tf.Tensor) => { const v = Array.from(t.dataSync()).sort((a, b) => a - b); return v[v.length >> 1]!; };

describe.skipIf(process.env.DEEPVIS_BACKEND !== 'wasm')('CLI page defaults', () => {
  it('on Darknet-Tiny: top-k units see at most a third of the image, and grids read (median tile pixel) at GRID_LOOK', async () => {
    const net = await loadImageNetNet();
    try {
      const layer = detectorLayer(net, [224, 224]);
      expect(layer).toBe('leaky_re_lu_11');
      expect(receptiveField(net, layer).size).toEqual([70, 70]);
      expect(receptiveField(net, 'leaky_re_lu_12').size[0]).toBeGreaterThan(224 / 3);
      if (!SHARED) return;
      const photo = await readImage(`${SHARED}/images/darknet-samples-7/eagle.jpg`);
      const x = fitToNet(photo, net);
      const acts = activations(net, x, { layers: ['leaky_re_lu_10'] });
      const plain = tileActivations(acts.leaky_re_lu_10!);
      const look = tileActivations(acts.leaky_re_lu_10!, GRID_LOOK);
      // Measured: 28 plain, 72 with boost 0.5 and gamma 0.7.
      expect(median(plain)).toBeLessThan(40);
      expect(median(look)).toBeGreaterThan(60);
      tf.dispose([photo, x, plain, look, ...Object.values(acts)]);
    } finally {
      net.dispose();
    }
  });

  it('flags a class run whose best logit is negative or whose image is not the top-1, and nothing else', () => {
    const targets: Target[] = [
      { unit: { class: 1 }, key: 'class-1', label: 'goldfish (1)', classIndex: 1 },
      { unit: { class: 2 }, key: 'class-2', label: 'shark (2)', classIndex: 2 },
      { unit: { class: 3 }, key: 'class-3', label: 'eel (3)', classIndex: 3 },
    ];
    const html = presetsTableHtml(targets, [PAPER_PRESETS[2]!], { files: [['a.png'], ['b.png'], ['c.png']], best: [[12.5], [-0.25], [3]], top: [[1], [2], [0]], seconds: 1 }, 64, ['tench', 'goldfish', 'shark', 'eel']);
    expect(html.match(/class="failed"/g)).toHaveLength(4);   // two cells, two notes
    expect(html).toContain('failed: best logit negative');
    expect(html).toContain('failed: top-1 is tench');
    expect(html.split('<tr>')[2]).not.toContain('failed');  // the goldfish row
  });

  it('pages align top-5 lists left and let grids wrap to the page', () => {
    const html = page('t', ['model m', 'backend wasm'], [{ title: 's', body: '<table><tr><td><ol><li>a</li></ol></td><td><div class="grids"></div></td></tr></table>' }]);
    expect(html).toMatch(/ol\{[^}]*text-align:left/);
    expect(html).toMatch(/\.grids\{display:flex;flex-wrap:wrap/);
    expect(html).toContain('model m · backend wasm');
  });
});
